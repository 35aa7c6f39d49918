#!/usr/bin/env bash
# Runs every LuminaBI test: the Swift suite on SQLite, the storage and end-to-end tests again on a
# throwaway PostgreSQL, and real-browser journeys on both databases. Installs what is missing and
# stops everything it started, also when tests fail or the run is interrupted.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
source scripts/lib/deps.sh
source scripts/lib/postgres.sh

WORK="$(mktemp -d /tmp/lumina-tests.XXXXXX)"
cleanup() {
  # Servers that tests started and a killed phase could not stop (they would hold ports and files).
  pkill -KILL -f "^$ROOT/.build/debug/lumina( |\$)" 2>/dev/null
  stop_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}" || exit 1
start_postgres || { echo "PostgreSQL did not start"; echo "0 passed, 1 failed"; exit 1; }
export LUMINA_TEST_POSTGRES_URL="$PG_URL"

passed=0
failed=0
failures=()

# Counts a Swift Testing run from its log: the total from "Test run with N tests", failures from ✘ lines.
count_swift() {
  local log="$1" phase="$2" status="$3"
  local total failures_here
  total=$(grep -a -oE "Test run with [0-9]+ tests?" "$log" | grep -oE "[0-9]+" | tail -1)
  failures_here=$(grep -a -E "✘ Test " "$log" | grep -a -oE "Test [A-Za-z0-9_]+\(" | sort -u | wc -l)
  total=${total:-0}
  if [ "$status" -ne 0 ] && [ "$failures_here" -eq 0 ]; then
    failures_here=1
    total=$((total + 1))
    failures+=("$phase: the test run itself failed (exit $status)")
  elif [ "$failures_here" -gt 0 ]; then
    failures+=("$phase: $failures_here failing test(s)")
  fi
  passed=$((passed + total - failures_here))
  failed=$((failed + failures_here))
}

echo "==> building (debug, with tests)"
if ! swift build --build-tests 2>&1 | tee "$WORK/build.log" | grep -E "error:|warning: .*Sources/|Compiling|Build complete" | grep -vE "^\[" ; then :; fi
if [ "${PIPESTATUS[0]}" -ne 0 ] || grep -q "error:" "$WORK/build.log"; then
  grep -E "error:" "$WORK/build.log" | head -40
  echo "0 passed, 1 failed"
  exit 1
fi

# A hung test must fail the run in minutes, not eat CI's time: each phase is bounded, and the
# tests still in flight when the bound hits are named.
in_flight() {
  python3 - "$1" <<'PY'
import re, sys
started, done = set(), set()
for line in open(sys.argv[1], errors="replace"):
    if m := re.search(r"Test (\w+)\(\) started", line): started.add(m.group(1))
    if m := re.search(r"Test (\w+)\(\) (passed|failed)", line): done.add(m.group(1))
print("still running when the time limit hit: " + ", ".join(sorted(started - done)))
PY
}

# Runs one bounded `swift test` phase: run_phase NAME DATABASE [swift test filter arguments...]
run_phase() {
  local name="$1" database="$2"
  shift 2
  local log="$WORK/$(echo "$name" | tr ' ' '-').log"
  echo "==> $name"
  LUMINA_TEST_DATABASE="$database" timeout -s KILL 900 swift test --skip-build "$@" 2>&1 | tee "$log"
  local status="${PIPESTATUS[0]}"
  [ "$status" -eq 137 ] && in_flight "$log"
  count_swift "$log" "$name" "$status"
}

# The end-to-end tests start real `lumina` processes; they run after the in-process tests rather
# than beside them, so neither starves the other on a two-core machine.
run_phase "Swift tests on SQLite" sqlite --skip EndToEndTests
run_phase "end-to-end tests on SQLite" sqlite --filter EndToEndTests
run_phase "storage and server tests on PostgreSQL" postgres --filter LuminaServerTests
run_phase "end-to-end tests on PostgreSQL" postgres --filter EndToEndTests

echo "==> browser journeys (headless Chromium)"
for database in sqlite postgres; do
  # Debian's python3 carries python3-selenium; a python3 earlier on PATH (pyenv, venv) may not.
  /usr/bin/python3 Tests/Browser/run_journeys.py --binary "$ROOT/.build/debug/lumina" --database "$database" \
    --postgres-url "$PG_URL" 2>&1 | tee "$WORK/browser-$database.log"
  status="${PIPESTATUS[0]}"
  p=$(grep -c "^PASS " "$WORK/browser-$database.log")
  f=$(grep -c "^FAIL " "$WORK/browser-$database.log")
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$f" -gt 0 ] && failures+=("browser on $database: $f failing journey(s)")
  passed=$((passed + p))
  failed=$((failed + f))
done

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "Failures:"
  printf '  - %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
