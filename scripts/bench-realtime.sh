#!/usr/bin/env bash
# Real-time fan-out benchmark: a release lumina on loopback and lumina-load scenarios against it.
# Usage: scripts/bench-realtime.sh [scenario ...]   (default: all; a scenario is CLIENTS:GROUPS:RATE:SECONDS)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
swift build -c release --product lumina
swift build -c release --product lumina-load
# 10,000 sockets need more than the usual 1,024 descriptors; raise to the hard limit (20,000 here).
ulimit -n "$(ulimit -Hn)"
DATA="$(mktemp -d /tmp/lumina-bench.XXXXXX)"
PORT="$(free_port 18000)"
LUMINA_BCRYPT_COST=4 .build/release/lumina serve --port "$PORT" --data-dir "$DATA" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
SCENARIOS=("$@")
if [ "${#SCENARIOS[@]}" -eq 0 ]; then
  SCENARIOS=(1000:1:2:20 1000:1:5:20 5000:1:0.2:20 1000:50:10:20 10000:1:2:20 10000:1:3:20 10000:1:5:20)
fi
for scenario in "${SCENARIOS[@]}"; do
  IFS=: read -r clients groups rate seconds <<<"$scenario"
  echo "== $clients clients, $groups group(s), $rate broadcasts/s for $seconds s"
  .build/release/lumina-load --url "http://127.0.0.1:$PORT" --clients "$clients" --groups "$groups" \
    --rate "$rate" --duration "$seconds" --server-pid "$SERVER"
done
