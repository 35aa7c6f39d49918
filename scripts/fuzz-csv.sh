#!/usr/bin/env bash
# Fuzzes the CSV reader and type inference with libFuzzer for a bounded time (default 60 s).
# Crashes are written to .build/fuzz/crashes/; each one found becomes a regression test in
# Tests/AnalyticsTests. Usage: scripts/fuzz-csv.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
mkdir -p .build/fuzz/corpus .build/fuzz/crashes
cp ../shared/data/messy/*.csv ../shared/data/messy/csv-spectrum/*.csv .build/fuzz/corpus/ 2>/dev/null || true
mapfile -t sources < <(find Sources/Analytics -name '*.swift' | sort)
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name AnalyticsFuzz \
  -I Sources/Analytics/CZlib "${sources[@]}" Tests/Fuzz/CSVFuzzer.swift -lz -o .build/fuzz/csv-fuzzer
# Swift's own backtracer would take the crash signal before libFuzzer could save the input.
SWIFT_BACKTRACE=enable=no .build/fuzz/csv-fuzzer -max_total_time="$SECONDS_TO_RUN" -max_len=65536 \
  -artifact_prefix=.build/fuzz/crashes/ .build/fuzz/corpus
