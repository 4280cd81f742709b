#!/usr/bin/env bash
# The production-like run: PostgreSQL, Azurite (the files in Azure Blob Storage), the loopback SMTP server,
# gunicorn with two workers and a job worker, all under the production settings, started here on 127.0.0.1 and
# stopped after; then scripts/e2e_flow.py drives a short flow over HTTP (upload and download an agenda document,
# send the invitation and receive it by SMTP, ask for the regional report's PDF and follow its progress to the
# download). Run by `make e2e` (and CI).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# shellcheck source=scripts/lib/services.sh
. scripts/lib/services.sh

WORK=$(mktemp -d /tmp/fagnett-e2e.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_postgres
  stop_azurite
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_postgres
start_azurite
SMTP_PORT=$(free_port)
$PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/mail" &
PIDS+=($!)

WEB_PORT=$(free_port)
export DJANGO_SETTINGS_MODULE=config.settings.production DATABASE_URL="$PG_URL"
export DJANGO_SECRET_KEY="e2e-$(head -c 48 /dev/urandom | base64)"
export FAGNETT_SITE_URL="https://127.0.0.1:$WEB_PORT" DJANGO_ALLOWED_HOSTS=127.0.0.1
export FAGNETT_STATIC_ROOT="$WORK/static" FAGNETT_LOG_FORMAT=text LOG_LEVEL=WARNING
export EMAIL_HOST=127.0.0.1 EMAIL_PORT=$SMTP_PORT
# Azurite's well-known development account (its documented default key, not a secret).
export FAGNETT_STORAGE=azure FAGNETT_AZURE_CONTAINER=fagnett FAGNETT_AZURE_ACCOUNT_NAME=devstoreaccount1
export FAGNETT_AZURE_ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export FAGNETT_AZURE_BLOB_ENDPOINT="$AZURITE_URL/devstoreaccount1"
$PY - <<'PY'
import os

from azure.storage.blob import BlobServiceClient

BlobServiceClient(
    account_url=os.environ["FAGNETT_AZURE_BLOB_ENDPOINT"],
    credential={"account_name": os.environ["FAGNETT_AZURE_ACCOUNT_NAME"], "account_key": os.environ["FAGNETT_AZURE_ACCOUNT_KEY"]},
).create_container(os.environ["FAGNETT_AZURE_CONTAINER"])
PY
$PY manage.py migrate --noinput -v 0
$PY manage.py load_demo --quiet-logins
$PY manage.py collectstatic --noinput -v 0

.venv/bin/gunicorn config.wsgi --workers 2 --worker-class config.workers.SyncWorker --bind "127.0.0.1:$WEB_PORT" --log-level warning &
PIDS+=($!)
$PY manage.py worker --queue-name '*' --no-reload --no-startup-delay -v 0 &
PIDS+=($!)
for _ in $(seq 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$WEB_PORT/readyz" && break
  sleep 0.5
done

FACTS=$($PY manage.py shell -v 0 <scripts/e2e_facts.py)
$PY scripts/e2e_flow.py --base "http://127.0.0.1:$WEB_PORT" --maildir "$WORK/mail" --facts "$FACTS"
# The files went to the object storage, not to a local folder: the agenda document and the job's PDF are blobs.
$PY - <<'PY'
import os

from azure.storage.blob import BlobServiceClient

client = BlobServiceClient(
    account_url=os.environ["FAGNETT_AZURE_BLOB_ENDPOINT"],
    credential={"account_name": os.environ["FAGNETT_AZURE_ACCOUNT_NAME"], "account_key": os.environ["FAGNETT_AZURE_ACCOUNT_KEY"]},
)
names = [blob.name for blob in client.get_container_client(os.environ["FAGNETT_AZURE_CONTAINER"]).list_blobs()]
assert any(name.startswith("uploads/") for name in names), names
assert any(name.startswith("downloads/") for name in names), names
print(f"ok  the agenda document and the report's PDF are blobs in Azurite ({len(names)} blobs)")
PY
