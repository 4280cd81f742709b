# The throwaway servers the test scripts start on 127.0.0.1 and stop: PostgreSQL (Debian's binaries) and Azurite
# (Azure Storage's emulator, from npm). Sourced by scripts/test.sh and scripts/e2e.sh; each start_* function sets
# the variables named below and a stop_* function the caller runs on exit. Needs $PY (the venv's python).

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

# start_postgres [extra server options]: a new cluster in a folder of its own with the role and database
# fagnett/fagnett; sets PGBIN, PGROOT, PGPORT and PG_URL.
start_postgres() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGROOT=$(mktemp -d /tmp/fagnett-pg.XXXXXX)
  PGPORT=$(free_port)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGROOT"
  as_pg "$PGBIN/initdb -D $PGROOT/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
  as_pg "$PGBIN/pg_ctl -D $PGROOT/data -l $PGROOT/log -w -s -o \"-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 $*\" start"
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE ROLE fagnett LOGIN PASSWORD 'fagnett' CREATEDB" \
    -c "CREATE DATABASE fagnett OWNER fagnett"
  PG_URL="postgres://fagnett:fagnett@127.0.0.1:$PGPORT/fagnett"
}
stop_postgres() {
  [ -n "${PGROOT:-}" ] || return 0
  as_pg "$PGBIN/pg_ctl -D $PGROOT/data -m fast -w -s stop" 2>/dev/null || true
  rm -rf "$PGROOT"
}

# start_azurite: Azurite's blob service on a port the system picks (read from its first lines), in a folder of its
# own; sets AZURITE_URL (http://127.0.0.1:port) and AZURITE_PID.
start_azurite() {
  local azurite=frontend/node_modules/.bin/azurite-blob
  [ -x "$azurite" ] || { echo "Azurite is missing ($azurite): run npm ci --prefix frontend (make setup does)" >&2; return 1; }
  AZURITE_DIR=$(mktemp -d /tmp/fagnett-azurite.XXXXXX)
  "$azurite" --blobHost 127.0.0.1 --blobPort 0 --location "$AZURITE_DIR" --silent --disableTelemetry \
    --skipApiVersionCheck --loose >"$AZURITE_DIR/log" 2>&1 &
  AZURITE_PID=$!
  AZURITE_URL=""
  for _ in $(seq 300); do
    AZURITE_URL=$(grep -o 'listens on http://127\.0\.0\.1:[0-9]*' "$AZURITE_DIR/log" | head -1 | cut -d' ' -f3) || true
    [ -z "$AZURITE_URL" ] || break
    kill -0 "$AZURITE_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$AZURITE_URL" ] || { echo "Azurite did not start:" >&2; cat "$AZURITE_DIR/log" >&2; return 1; }
}
stop_azurite() {
  [ -n "${AZURITE_PID:-}" ] || return 0
  kill -TERM "$AZURITE_PID" 2>/dev/null && wait "$AZURITE_PID" 2>/dev/null || true
  rm -rf "$AZURITE_DIR"
}
