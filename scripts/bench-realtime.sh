#!/usr/bin/env bash
# Real-time fan-out benchmark: for every run a fresh release `lumina` on loopback (SQLite in a temp
# folder) and `lumina-load` against it; prints each run and then a table of medians.
#
# Usage: scripts/bench-realtime.sh [SCENARIO ...]
#   SCENARIO is NAME:CLIENTS:GROUPS:RATE:SECONDS[:PROCESSES]  (RATE = broadcasts/s in total, 0 = idle run)
#   REPEATS=3 (runs per scenario, medians reported), RESULTS=file (JSON lines, kept), SKIP_BUILD=1,
#   DEFLATE=1 (clients ask for permessage-deflate, as browsers do; uses the NIO client),
#   ENGINE=epoll|nio (how lumina-load drives its sockets; epoll by default), POLL=µs (its --poll-interval)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh

if [ -z "${SKIP_BUILD:-}" ]; then
  # `swift build` builds only the last of several --product flags, so one call per product.
  swift build -c release --product lumina
  swift build -c release --product lumina-load
fi
# 10,000 sockets per process need more than the usual 1,024 descriptors (the server inherits this).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "open files: $(ulimit -n); cores: $(nproc)"

REPEATS="${REPEATS:-3}"
RESULTS="${RESULTS:-$(mktemp /tmp/bench-realtime.XXXXXX.jsonl)}"
SCENARIOS=("$@")
if [ "${#SCENARIOS[@]}" -eq 0 ]; then
  SCENARIOS=(
    a-1k-2/s:1000:1:2:20
    b-1k-5/s:1000:1:5:20
    c-5k-0.2/s:5000:1:0.2:20
    d-1k-50g-10/s:1000:50:10:20
    e-10k-2/s:10000:1:2:20
    f-10k-3/s:10000:1:3:20
    f-10k-5/s:10000:1:5:20
    f-10k-3/s-2proc:10000:1:3:20:2
    g-10k-100g-200/s:10000:100:200:20
    g-10k-50g-100/s:10000:50:100:20
    idle-10k:10000:1:0:5
  )
fi

DATA=""
SERVER=""
stop_server() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; fi
  if [ -n "$DATA" ]; then rm -rf "$DATA"; DATA=""; fi
}
trap stop_server EXIT

start_server() {
  DATA="$(mktemp -d /tmp/lumina-bench.XXXXXX)"
  PORT="$(free_port 18000)"
  LUMINA_BCRYPT_COST=4 .build/release/lumina serve --port "$PORT" --data-dir "$DATA" --log-level error &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "lumina did not start" >&2
  return 1
}

for scenario in "${SCENARIOS[@]}"; do
  IFS=: read -r name clients groups rate seconds processes <<<"$scenario"
  for run in $(seq "$REPEATS"); do
    echo "== $name ($clients clients, $groups group(s), $rate broadcasts/s, $seconds s, ${processes:-1} client process(es)), run $run"
    start_server
    # Bounded: connect timeout + settle + duration + drain, and a hard stop above that.
    if out="$(timeout 300 .build/release/lumina-load --url "http://127.0.0.1:$PORT" --clients "$clients" \
        --groups "$groups" --rate "$rate" --duration "$seconds" --processes "${processes:-1}" \
        --server-pid "$SERVER" ${DEFLATE:+--deflate --engine nio} ${ENGINE:+--engine "$ENGINE"} ${POLL:+--poll-interval "$POLL"} --json)"; then
      echo "$out"
      python3 -c 'import json,sys; r=json.loads(sys.argv[2]); r["name"]=sys.argv[1]; print(json.dumps(r))' "$name" "$out" >>"$RESULTS"
    else
      echo "run failed" >&2
    fi
    stop_server
  done
done

echo
echo "Medians of $REPEATS run(s) per scenario (all runs: $RESULTS)"
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs.setdefault(r["name"], []).append(r)
def med(rs, key, scale=1.0):
    values = [r[key] * scale for r in rs if key in r]
    return statistics.median(values) if values else float("nan")
print(f'{"scenario":<18}{"runs":>5}{"conn/s":>8}{"deliv/s":>9}{"lost":>6}{"p50 ms":>8}{"p90 ms":>8}{"p99 ms":>8}{"max ms":>8}'
      f'{"KiB/idle":>9}{"client%":>8}{"server%":>8}{"idle%":>6}')
for name, rs in runs.items():
    print(f'{name:<18}{len(rs):>5}{med(rs,"connections_per_second"):>8.0f}{med(rs,"delivered_per_second"):>9.0f}'
          f'{max(r["lost"] for r in rs):>6}{med(rs,"p50_ms"):>8.1f}{med(rs,"p90_ms"):>8.1f}{med(rs,"p99_ms"):>8.1f}'
          f'{med(rs,"max_ms"):>8.1f}{med(rs,"idle_bytes_per_connection",1/1024):>9.1f}{med(rs,"client_cpu_percent"):>8.0f}'
          f'{med(rs,"server_cpu_percent"):>8.0f}{med(rs,"machine_idle_percent"):>6.0f}')
PY
