# A throwaway PostgreSQL 15 on loopback for the tests, owned by the postgres user (initdb refuses root).
# start_postgres sets PG_DIR, PG_PORT and PG_URL; stop_postgres stops it and removes its folder.
PG_BIN=/usr/lib/postgresql/15/bin

start_postgres() {
  PG_DIR="$(mktemp -d /tmp/lumina-pg.XXXXXX)"
  PG_PORT="$(free_port 55432)"
  mkdir -p "$PG_DIR/data" "$PG_DIR/socket"
  chown -R postgres:postgres "$PG_DIR"
  # initdb's shell redirects to /dev/null as the postgres user: a /dev/null that some tool replaced
  # by a root-owned regular file makes it fail half-way, so say so rather than test a dead server.
  if [ ! -c /dev/null ]; then
    echo "/dev/null is not a character device on this machine (something replaced it); PostgreSQL cannot be set up" >&2
    return 1
  fi
  if ! runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=trust -U postgres >"$PG_DIR/initdb.log" 2>&1; then
    echo "initdb failed:" >&2; tail -5 "$PG_DIR/initdb.log" >&2
    return 1
  fi
  # fsync and friends are off because this database lives for one test run; never do this in production.
  # free_port only knows that nobody answers on a port; one still in use as a connection's local
  # port (the ephemeral range includes 55432) cannot be bound, so a failed bind tries the next port.
  local attempt
  for attempt in 1 2 3 4 5; do
    rm -f "$PG_DIR/server.log"
    if runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
      "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
      start >/dev/null; then
      break
    fi
    if [ "$attempt" -eq 5 ] || ! grep -q "could not bind" "$PG_DIR/server.log"; then
      echo "PostgreSQL did not start:" >&2; tail -5 "$PG_DIR/server.log" >&2
      return 1
    fi
    PG_PORT="$(free_port $((PG_PORT + 1)))"
  done
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "==> PostgreSQL running on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
