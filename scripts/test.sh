#!/usr/bin/env bash
# The whole suite: lint and types, every test on SQLite, the same tests again on a real PostgreSQL that
# this script starts on 127.0.0.1 and stops, and the browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=config.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true

step() { printf '\n=== %s\n' "$*"; }

ensure_packages() {
  # Chromium for the browser tests, PostgreSQL for the second run. Installed when missing and we are root.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  command -v xgettext >/dev/null || missing+=(gettext)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      step "Installing ${missing[*]}"
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    else
      echo "Missing system packages: ${missing[*]} (install them as root)" >&2
      exit 1
    fi
  fi
}

ensure_packages

step "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

step "import contracts: the layers (pyproject.toml, docs/ARCHITECTURE.md)"
.venv/bin/lint-imports --no-logo

step "djLint: templates formatted and linted (settings in pyproject.toml)"
.venv/bin/djlint fagnett templates tests --check --quiet
.venv/bin/djlint fagnett templates tests --lint --quiet

step "mypy"
.venv/bin/mypy

step "migrations match the models"
$PY manage.py makemigrations --check --dry-run

step "production settings: collectstatic with hashed names (check --deploy runs in the tests)"
STATIC_TMP=$(mktemp -d)
env -u DJANGO_ALLOW_ASYNC_UNSAFE DJANGO_SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64)" \
  FAGNETT_STATIC_ROOT="$STATIC_TMP" FAGNETT_SITE_URL=https://fagnett.example DJANGO_SETTINGS_MODULE=config.settings.production \
  $PY manage.py collectstatic --noinput -v 0
rm -rf "$STATIC_TMP"

# The two databases' runs go side by side (two processes, two databases, nothing shared but the CPU): on a
# two-core machine that halves the wall-clock time. PostgreSQL's output is shown when both are done.
step "tests on PostgreSQL (in the background) and on SQLite (with the browser tests)"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGROOT=$(mktemp -d /tmp/fagnett-pg.XXXXXX)
PGPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGROOT"
PG_PID=""
stop_pg() {
  [ -n "$PG_PID" ] && kill "$PG_PID" 2>/dev/null
  as_pg "$PGBIN/pg_ctl -D $PGROOT/data -m fast -w -s stop" || true
  rm -rf "$PGROOT"
}
trap stop_pg EXIT
as_pg "$PGBIN/initdb -D $PGROOT/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
as_pg "$PGBIN/pg_ctl -D $PGROOT/data -l $PGROOT/log -w -s -o \"-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" start"
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE ROLE fagnett LOGIN PASSWORD 'fagnett' CREATEDB" -c "CREATE DATABASE fagnett OWNER fagnett"
PG_LOG=$(mktemp)
DATABASE_URL="postgres://fagnett:fagnett@127.0.0.1:$PGPORT/fagnett" \
  $PY -m pytest -q -p no:cacheprovider -m "not browser" >"$PG_LOG" 2>&1 &
PG_PID=$!
sqlite_rc=0
$PY -m pytest -q -p no:cacheprovider || sqlite_rc=$?
pg_rc=0
wait "$PG_PID" || pg_rc=$?
PG_PID=""

step "tests on PostgreSQL: the output"
cat "$PG_LOG"
rm -f "$PG_LOG"
if [ "$sqlite_rc" != 0 ] || [ "$pg_rc" != 0 ]; then
  echo "tests failed: SQLite exit $sqlite_rc, PostgreSQL exit $pg_rc" >&2
  exit 1
fi

step "all checks passed"
