#!/usr/bin/env bash
# The whole suite: lint and types, every test on SQLite, the same tests again on a real PostgreSQL that
# this script starts on 127.0.0.1 and stops, and the browser tests in Debian's Chromium. Azurite (Azure Storage's
# emulator, from npm) is started the same way for the tests of files in Azure Blob Storage, which must run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=config.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true

step() { printf '\n=== %s\n' "$*"; }
# shellcheck source=scripts/lib/services.sh
. scripts/lib/services.sh

# Each phase's wall-clock and CPU seconds (user + system of the process and of the children it waited for), from
# /usr/bin/time, summed per phase and printed when the script ends, passed or not: the machine may be shared, so CPU
# time is the number to compare between runs, wall time the one a developer waits for.
TIMES_DIR=$(mktemp -d /tmp/fagnett-times.XXXXXX)
PHASES=()
add_phase() { [[ " ${PHASES[*]} " == *" $1 "* ]] || PHASES+=("$1"); }
timed() {  # timed PHASE COMMAND...: runs COMMAND, adding its seconds to PHASE
  local phase=$1
  shift
  add_phase "$phase"
  /usr/bin/time -f '%e %U %S' -a -o "$TIMES_DIR/$phase" "$@"
}
print_times() {
  [ ${#PHASES[@]} -gt 0 ] || return 0
  printf '\n=== time per phase (seconds; the four test runs overlap)\n%-26s %8s %8s\n' phase wall cpu
  local phase
  for phase in "${PHASES[@]}"; do
    [ -s "$TIMES_DIR/$phase" ] || { printf '%-26s %8s %8s\n' "$phase" - -; continue; }
    # Lines of three numbers only: /usr/bin/time adds a line of words when the command failed or was killed.
    awk -v p="$phase" '$1 ~ /^[0-9.]+$/ && NF == 3 { w += $1; c += $2 + $3 }
      END { printf "%-26s %8s %8.1f\n", p, (w > 0 ? sprintf("%.1f", w) : "-"), c }' "$TIMES_DIR/$phase"
  done
  # `times` (in this shell, not in a pipe's subshell): the script's own CPU, then that of every child it waited
  # for, the test runs included (the PostgreSQL server is not one).
  times >"$TIMES_DIR/whole"
  awk -v wall="$SECONDS" 'function s(t) { split(t, a, /[ms]/); return a[1] * 60 + a[2] }
    { c += s($1) + s($2) } END { printf "%-26s %8d %8.1f\n", "whole script", wall, c }' "$TIMES_DIR/whole"
}
# The test runs each lead a process group of their own (setsid), so that stopping one ends pytest and all it
# started (the live server's OpenID provider, forked document readers), not only its first process.
RUNS=()
stop_runs() {
  local pid
  for pid in "${RUNS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  RUNS=()
}
PG_STOP=""
AZURITE_STOP=""
on_exit() {
  stop_runs
  [ -z "$PG_STOP" ] || $PG_STOP
  [ -z "$AZURITE_STOP" ] || $AZURITE_STOP
  rm -f ${PG_LOG:+"$PG_LOG"}
  print_times || true  # (`||`: a failure in the table must not cut the clean-up short)
  rm -rf "$TIMES_DIR"
}
trap on_exit EXIT
# Ctrl-C (or a TERM/HUP) ends the script at once: the runs and PostgreSQL are stopped by on_exit.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ensure_packages() {
  # Chromium for the browser tests, PostgreSQL for the second run. Installed when missing and we are root.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  command -v xgettext >/dev/null || missing+=(gettext)
  [ -x /usr/bin/time ] || missing+=(time)
  command -v strace >/dev/null || missing+=(strace)
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
timed ruff .venv/bin/ruff check .
timed ruff .venv/bin/ruff format --check .

step "import contracts: the layers (pyproject.toml, docs/ARCHITECTURE.md)"
timed import-contracts .venv/bin/lint-imports --no-logo

step "djLint: templates formatted and linted (settings in pyproject.toml)"
timed djlint .venv/bin/djlint fagnett templates tests --check --quiet
timed djlint .venv/bin/djlint fagnett templates tests --lint --quiet

step "mypy"
timed mypy .venv/bin/mypy

step "migrations match the models"
timed migrations-check $PY manage.py makemigrations --check --dry-run

step "production settings: collectstatic with hashed names (check --deploy runs in the tests)"
STATIC_TMP=$(mktemp -d)
timed collectstatic env -u DJANGO_ALLOW_ASYNC_UNSAFE DJANGO_SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64)" \
  FAGNETT_STATIC_ROOT="$STATIC_TMP" FAGNETT_SITE_URL=https://fagnett.example DJANGO_SETTINGS_MODULE=config.settings.production \
  $PY manage.py collectstatic --noinput -v 0
rm -rf "$STATIC_TMP"

# The PostgreSQL runs build their databases through the migrations, as production does, and one runs the tests marked
# `migrations` (which take the database back to an older release, or read which migrations were applied). The two
# SQLite runs make their schema from the models (--nomigrations): applying the 125 migrations costs about a minute
# of CPU per run, and migrating back and forth 35-55 s per migration test; `makemigrations --check` above holds the
# models and the migrations together.
# The two databases' runs go side by side (separate processes and databases, nothing shared but the CPU): on a
# two-core machine that halves the wall-clock time. The background runs' output is shown when all are done.
step "tests on PostgreSQL, its migration tests and the browser tests (in the background), and on SQLite"
PG_LOG=""
pg_server_cpu() {
  # The server's CPU seconds: the postmaster's and its finished backends' (they exited with the test run's
  # connections), from /proc, as the server is no child of this script.
  local pid
  pid=$(head -1 "$PGROOT/data/postmaster.pid" 2>/dev/null) && [ -r "/proc/$pid/stat" ] || return 0
  add_phase tests-postgresql-server
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "0 %.2f %.2f\n", ($12 + $14) / hz, ($13 + $15) / hz }' \
    "/proc/$pid/stat" >"$TIMES_DIR/tests-postgresql-server"
}
PG_STOP=stop_postgres
start_postgres -c fsync=off -c full_page_writes=off
# Azurite for the Azure storage tests: both runs use it, each test in a container of its own (tests/azurite.py).
# FAGNETT_TEST_REQUIRE_AZURITE makes the Azure tests fail instead of skipping if Azurite cannot be reached.
AZURITE_STOP=stop_azurite
start_azurite
export FAGNETT_TEST_AZURITE_BLOB_ENDPOINT="$AZURITE_URL/devstoreaccount1"
export FAGNETT_TEST_REQUIRE_AZURITE=1

PG_LOG=$(mktemp)
add_phase tests-sqlite
add_phase tests-postgresql
DATABASE_URL="$PG_URL" setsid \
  /usr/bin/time -f '%e %U %S' -o "$TIMES_DIR/tests-postgresql" $PY -m pytest -q -p no:cacheprovider --durations=15 \
  -m "not browser and not migrations" >"$PG_LOG" 2>&1 &
PG_RUN=$!
RUNS+=("$PG_RUN")
# The migration tests are a run of their own on the same server (a test database of its own): they are ~5 minutes of
# one process, which alone at the PostgreSQL run's end left the other core idle.
MIGRATIONS_LOG=$(mktemp)
add_phase tests-postgresql-migrations
DATABASE_URL="${PG_URL%/*}/fagnett_migrations" setsid \
  /usr/bin/time -f '%e %U %S' -o "$TIMES_DIR/tests-postgresql-migrations" $PY -m pytest -q -p no:cacheprovider \
  --durations=8 -m migrations >"$MIGRATIONS_LOG" 2>&1 &
MIGRATIONS_RUN=$!
RUNS+=("$MIGRATIONS_RUN")
# The browser tests are a third run on SQLite (a database of their own, in memory): much of their time is spent
# waiting for Chromium and for pages, which the other runs fill with work.
BROWSER_LOG=$(mktemp)
add_phase tests-browser
setsid /usr/bin/time -f '%e %U %S' -o "$TIMES_DIR/tests-browser" $PY -m pytest -q -p no:cacheprovider -m browser --nomigrations \
  >"$BROWSER_LOG" 2>&1 &
BROWSER_RUN=$!
RUNS+=("$BROWSER_RUN")
setsid /usr/bin/time -f '%e %U %S' -o "$TIMES_DIR/tests-sqlite" $PY -m pytest -q -p no:cacheprovider --durations=15 \
  -m "not browser and not migrations" --nomigrations &
SQLITE_RUN=$!
RUNS+=("$SQLITE_RUN")
sqlite_rc=0
wait "$SQLITE_RUN" || sqlite_rc=$?
browser_rc=0
wait "$BROWSER_RUN" || browser_rc=$?
pg_rc=0
wait "$PG_RUN" || pg_rc=$?
migrations_rc=0
wait "$MIGRATIONS_RUN" || migrations_rc=$?
RUNS=()
pg_server_cpu

step "browser tests (Chromium, axe-core; SQLite): the output"
cat "$BROWSER_LOG"

step "tests on PostgreSQL: the output"
cat "$PG_LOG"

step "migration tests (PostgreSQL): the output"
cat "$MIGRATIONS_LOG"
if [ "$sqlite_rc" != 0 ] || [ "$browser_rc" != 0 ] || [ "$pg_rc" != 0 ] || [ "$migrations_rc" != 0 ]; then
  echo "tests failed: SQLite exit $sqlite_rc, browser exit $browser_rc, PostgreSQL exit $pg_rc," \
    "migrations exit $migrations_rc" >&2
  exit 1
fi

step "all checks passed"
