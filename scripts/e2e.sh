#!/usr/bin/env bash
# The production-like run: PostgreSQL, the loopback SMTP server, gunicorn with two workers and a job worker, all
# under the production settings, started here on 127.0.0.1 and stopped after; then scripts/e2e_flow.py drives a
# short flow over HTTP (upload and download an agenda document, send the invitation and receive it by SMTP, ask for
# the regional report's PDF and follow its progress to the download).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

WORK=$(mktemp -d /tmp/fagnett-e2e.XXXXXX)
chmod 755 "$WORK" # PostgreSQL runs as its own user under it
PIDS=()
PG_STARTED=""
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$PG_STARTED" ] || as_pg "$PGBIN/pg_ctl -D $WORK/pg/data -m fast -w -s stop" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGPORT=$(free_port)
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg"
as_pg "$PGBIN/initdb -D $WORK/pg/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
as_pg "$PGBIN/pg_ctl -D $WORK/pg/data -l $WORK/pg/log -w -s -o \"-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1\" start"
PG_STARTED=1
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE ROLE fagnett LOGIN PASSWORD 'fagnett'" \
  -c "CREATE DATABASE fagnett OWNER fagnett"

SMTP_PORT=$(free_port)
$PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/mail" &
PIDS+=($!)

WEB_PORT=$(free_port)
export DJANGO_SETTINGS_MODULE=config.settings.production
export DATABASE_URL="postgres://fagnett:fagnett@127.0.0.1:$PGPORT/fagnett"
export DJANGO_SECRET_KEY="e2e-$(head -c 48 /dev/urandom | base64)"
export FAGNETT_SITE_URL="https://127.0.0.1:$WEB_PORT" DJANGO_ALLOWED_HOSTS=127.0.0.1
export FAGNETT_STATIC_ROOT="$WORK/static" FAGNETT_MEDIA_ROOT="$WORK/media"
export EMAIL_HOST=127.0.0.1 EMAIL_PORT=$SMTP_PORT
$PY manage.py migrate --noinput -v 0
$PY manage.py load_demo --quiet-logins
$PY manage.py collectstatic --noinput -v 0

.venv/bin/gunicorn config.wsgi --workers 2 --bind "127.0.0.1:$WEB_PORT" --log-level warning &
PIDS+=($!)
$PY manage.py db_worker --queue-name '*' --no-reload --no-startup-delay -v 0 &
PIDS+=($!)
for _ in $(seq 60); do
  curl -fs -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$WEB_PORT/healthz" && break
  sleep 0.5
done

FACTS=$($PY manage.py shell -v 0 <scripts/e2e_facts.py)
$PY scripts/e2e_flow.py --base "http://127.0.0.1:$WEB_PORT" --maildir "$WORK/mail" --facts "$FACTS"
