"""What operators watch: readiness, the Prometheus metrics and who may read them, the request id in answers and in
JSON log lines, and what error reports leave out."""

import datetime
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings as SettingsWrapper

from config.sentry import scrub
from fagnett.core import metrics
from fagnett.core.models import ScheduledRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def test_readyz_reports_every_part_ready(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "storage": "ok",
        "queue": "ok",
    }
    assert body["checks"]["queue"]["oldest_ready_seconds"] == 0
    assert "no-store" in response["Cache-Control"]


def test_readyz_names_storage_that_cannot_be_written(client: Client, settings: SettingsWrapper, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "media-is-a-file"
    not_a_folder.write_text("")
    settings.MEDIA_ROOT = str(not_a_folder)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
    assert str(tmp_path) not in response.content.decode()  # the public answer names the part, not the path


def test_readyz_names_the_job_queue_when_its_table_is_gone(client: Client) -> None:
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "jobs_elsewhere"')
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["queue"]
    assert body["checks"]["database"]["status"] == "ok"  # the failed query did not break the connection for the rest


def test_metrics_are_not_public(client: Client, settings: SettingsWrapper) -> None:
    assert client.get("/metrics").status_code == 404  # nothing configured: nobody
    settings.METRICS_TOKEN = "scrape-secret-0123456789"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.5").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200


def _job(status: str, **fields: object) -> DBTaskResult:
    job = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="fagnett.core.schedule.run_scheduled",
        backend_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=job.pk).update(**fields)
    return job


def test_metrics_expose_requests_by_view_and_the_job_queue(
    client: Client, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    _job(TaskResultStatus.READY, enqueued_at=now - datetime.timedelta(seconds=300))
    _job(TaskResultStatus.READY, enqueued_at=now - datetime.timedelta(seconds=30))
    _job(TaskResultStatus.READY, run_after=now + datetime.timedelta(hours=1))  # not due yet: not waiting
    _job(TaskResultStatus.FAILED, finished_at=now - datetime.timedelta(minutes=10))
    _job(TaskResultStatus.FAILED, finished_at=now - datetime.timedelta(hours=3))
    ScheduledRun.objects.create(name="reminders", slot="2026-12-05")
    monkeypatch.setattr(metrics, "MAIL_PENDING", lambda: {"queued": 3, "retrying": 1})
    settings.METRICS_TOKEN = "scrape-secret-0123456789"
    client.get("/readyz")

    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }
    assert samples[("fagnett_jobs_queued", ())] == 2
    assert 299 <= samples[("fagnett_jobs_queued_oldest_age_seconds", ())] < 400
    assert samples[("fagnett_jobs", (("status", "READY"),))] == 3
    assert samples[("fagnett_jobs", (("status", "FAILED"),))] == 2
    assert samples[("fagnett_jobs_failed_last_hour", ())] == 1
    assert samples[("fagnett_mails_pending", (("state", "queued"),))] == 3
    assert samples[("fagnett_mails_pending", (("state", "retrying"),))] == 1
    assert ("fagnett_scheduled_job_last_claimed_timestamp_seconds", (("job", "reminders"),)) in samples
    # django-prometheus' latency histogram, labelled by the view's URL name.
    latency = [
        key
        for key in samples
        if key[0] == "django_http_requests_latency_seconds_by_view_method_count" and ("view", "readyz") in key[1]
    ]
    assert latency and samples[latency[0]] >= 1


def test_every_answer_carries_a_request_id(client: Client) -> None:
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/healthz")["X-Request-ID"] != made
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-42.a"})["X-Request-ID"] == "proxy-42.a"
    # A header that could forge log lines, or is too long, is replaced.
    for bad in ('x" "level": "ERROR', "a" * 200):
        assert client.get("/healthz", headers={"X-Request-ID": bad})["X-Request-ID"] not in {bad}
    assert client.get("/region/")["X-Request-ID"]  # the login redirect too


def test_production_logs_json_lines_with_the_request_id(tmp_path: Path) -> None:
    """A request under the production settings, in a fresh process: its log line is JSON with the request's id."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "FAGNETT_SITE_URL": "https://fagnett.example.no",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    env.pop("FAGNETT_LOG_FORMAT", None)
    script = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client().get('/language/', secure=True, headers={'X-Request-ID': 'req-from-proxy-7'}).status_code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "405", done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    not_found = [line for line in lines if line.get("logger") == "django.request"]
    assert not_found, done.stderr
    assert not_found[0]["request_id"] == "req-from-proxy-7"
    assert not_found[0]["level"] == "WARNING" and "/language/" in not_found[0]["message"]
    assert {"time", "level", "logger", "message", "request_id"} <= set(not_found[0])


def test_error_reports_carry_no_request_body_query_or_credentials() -> None:
    event = {
        "request": {
            "url": "https://fagnett.example.no/people/",
            "method": "POST",
            "data": {"name": "Kari Nordmann"},
            "query_string": "q=Kari",
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "Authorization": "Bearer k", "User-Agent": "Firefox"},
        },
        "user": {"id": 5, "email": "kari@example.no"},
    }
    scrubbed = scrub(event, {})
    assert scrubbed["request"] == {
        "url": "https://fagnett.example.no/people/",
        "method": "POST",
        "headers": {"User-Agent": "Firefox"},
    }
    assert "user" not in scrubbed


class _Collector(http.server.BaseHTTPRequestHandler):
    """A stand-in for Sentry's ingest endpoint: keeps every envelope posted to it, decompressed."""

    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_an_error_reaches_sentry_without_the_request_body_query_or_user(tmp_path: Path) -> None:
    """Production settings with SENTRY_DSN at a local collector; a view fails on a POST that carries a name."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "boom_urls.py").write_text(
        "from django.contrib.auth.decorators import login_not_required\n"
        "from django.http import HttpResponse\n"
        "from django.urls import path\n"
        "from django.views.decorators.csrf import csrf_exempt\n"
        "@login_not_required\n@csrf_exempt\n"
        "def boom(request):\n    name = request.POST['name']\n    raise RuntimeError('boom ' + str(len(name)))\n"
        "def plain_500(request):\n    return HttpResponse('error', status=500)\n"
        "urlpatterns = [path('boom', boom)]\nhandler500 = plain_500\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "FAGNETT_SITE_URL": "https://fagnett.example.no",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1",
        "SENTRY_ENVIRONMENT": "test",
        "PYTHONPATH": str(tmp_path),
    }
    # Through the WSGI handler, as gunicorn calls it: Sentry reads the request there.
    script = """
import io, sys, django
django.setup()
import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
body = b"name=Kari+Nordmann+01017012345"
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/boom", "QUERY_STRING": "q=Kari+Nordmann", "SERVER_NAME": "testserver",
    "SERVER_PORT": "443", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.9.8.7", "HTTP_HOST": "testserver",
    "HTTP_X_FORWARDED_PROTO": "https", "CONTENT_TYPE": "application/x-www-form-urlencoded",
    "CONTENT_LENGTH": str(len(body)), "HTTP_COOKIE": "tracking=cookie-secret",
    "HTTP_AUTHORIZATION": "Bearer header-secret", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
    "wsgi.url_scheme": "https", "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}
with override_settings(ROOT_URLCONF="boom_urls"):
    answered = []
    get_wsgi_application()(environ, lambda status, headers, exc_info=None: answered.append(status))
    print(answered[0].split()[0])
sentry_sdk.flush(10)
"""
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        server.shutdown()
    assert done.stdout.strip() == "500", done.stderr
    sent = b"\n".join(_Collector.received).decode()
    assert "RuntimeError" in sent and "boom 25" in sent  # the error arrived
    assert "https://testserver/boom" in sent  # with the request's address: Sentry read the request
    for personal in ("Kari", "Nordmann", "01017012345", "cookie-secret", "header-secret", "10.9.8.7"):
        assert personal not in sent, personal
