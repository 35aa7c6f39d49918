#!/usr/bin/env bash
# Upload → ingest → clean through a real server: times one CSV end to end.
#
# Usage: scripts/bench-ingest.sh FILE.csv [sqlite|postgres]   (REPEATS=3, SKIP_BUILD=1)
# Starts a fresh release `lumina` per run (and a throwaway PostgreSQL for `postgres`), creates an
# account, sends the file with `PUT /api/v1/uploads/<id>` (the call returns once the dataset is
# stored), then polls until the dataset is `cleaned`. Prints upload+ingest, cleaning and total
# seconds per run, and their medians.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/postgres.sh

FILE="${1:?usage: scripts/bench-ingest.sh FILE.csv [sqlite|postgres]}"
ENGINE="${2:-sqlite}"
REPEATS="${REPEATS:-3}"
[ -z "${SKIP_BUILD:-}" ] && swift build -c release --product lumina

SERVER=""
DATA=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  [ -n "$DATA" ] && rm -rf "$DATA"
  [ "$ENGINE" = postgres ] && stop_postgres
  return 0
}
trap cleanup EXIT
[ "$ENGINE" = postgres ] && start_postgres

size=$(stat -c %s "$FILE")
results=()
for run in $(seq "$REPEATS"); do
  DATA="$(mktemp -d /tmp/lumina-ingest.XXXXXX)"
  PORT="$(free_port 18100)"
  url_args=()
  if [ "$ENGINE" = postgres ]; then
    db="bench_$RANDOM$RANDOM"
    psql_cmd="$PG_BIN/psql"
    runuser -u postgres -- "$psql_cmd" -h 127.0.0.1 -p "$PG_PORT" -c "CREATE DATABASE $db" postgres >/dev/null
    url_args=(--database-url "postgres://postgres@127.0.0.1:$PG_PORT/$db")
  fi
  LUMINA_BCRYPT_COST=4 .build/release/lumina serve --port "$PORT" --data-dir "$DATA" "${url_args[@]}" --log-level warning &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  base="http://127.0.0.1:$PORT/api/v1"
  curl -sf -H 'Content-Type: application/json' -d '{"email":"bench@example.com","password":"long enough","name":"Bench"}' "$base/auth/register" >/dev/null
  token=$(curl -sf -H 'Content-Type: application/json' -d '{"email":"bench@example.com","password":"long enough"}' "$base/auth/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  upload=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"filename\":\"$(basename "$FILE")\",\"size\":$size}" "$base/uploads" | python3 -c 'import json,sys; print(json.load(sys.stdin)["upload_id"])')
  start=$(date +%s.%N)
  dataset=$(curl -sf -H "Authorization: Bearer $token" -T "$FILE" "$base/uploads/$upload" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  stored=$(date +%s.%N)
  while true; do
    status=$(curl -sf -H "Authorization: Bearer $token" "$base/datasets/$dataset" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$status" = cleaned ] || [ "$status" = failed ] && break
    sleep 0.05
  done
  done_at=$(date +%s.%N)
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
  line=$(python3 -c "import sys; s,m,e=map(float,sys.argv[1:4]); print(f'{m-s:.2f} {e-m:.2f} {e-s:.2f}')" "$start" "$stored" "$done_at")
  echo "run $run ($ENGINE): upload+ingest ${line%% *} s, clean $(echo "$line" | cut -d' ' -f2) s, total ${line##* } s, status $status, server peak RSS $((rss / 1024)) MiB"
  results+=("$line")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  rm -rf "$DATA"; DATA=""
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
m = [statistics.median(c) for c in zip(*rows)]
print(f"median of {len(rows)}: upload+ingest {m[0]:.2f} s, clean {m[1]:.2f} s, total {m[2]:.2f} s")'
