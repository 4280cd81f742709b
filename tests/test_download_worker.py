"""Real ``manage.py db_worker`` processes on a shared database: a job made by a worker, and a worker killed with
SIGKILL in the middle of a job. django-tasks' database backend would leave that job RUNNING for ever; the sweep
(``manage.py downloads_sweep``) must start it once more, and after a second death mark it failed with a message the
person reads. Never silently lost.

On SQLite the test copies the migrated test database into a file the subprocesses share; on PostgreSQL
(``/work/tools/pgtest``) they use the test database itself. The builder is tests/slow_jobs' (installed by
tests/worker_settings.py), a few seconds long, reporting its progress.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from fagnett.core import downloads

ROOT = Path(settings.BASE_DIR)
STALE_SECONDS = 8  # tests/worker_settings.py (eight heartbeats: a loaded CI machine may starve a few)


@pytest.fixture
def env(transactional_db: None, tmp_path: Path) -> dict[str, str]:
    """The environment of the subprocesses: the worker settings, the shared database, a media folder of its own."""
    if connection.vendor == "sqlite":
        path = tmp_path / "jobs.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        url = f"sqlite:///{path}"
    else:
        s = connection.settings_dict
        url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": url,
        "FAGNETT_MEDIA_ROOT": str(tmp_path / "media"),
        "DB_CONN_MAX_AGE": "0",
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def query(env: dict[str, str], sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the shared database directly (a manage.py per look would take seconds)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=20) as db:
            return db.execute(sql, params).fetchall()
    with connection.cursor() as cursor:  # the test database itself, committed rows only
        cursor.execute(sql.replace("?", "%s"), params)
        return cursor.fetchall()


def download_row(env: dict[str, str], pk: int) -> dict[str, Any]:
    [row] = query(env, "SELECT state, percent, attempts, message, file, task_id FROM core_download WHERE id = ?", pk)
    return dict(zip(["state", "percent", "attempts", "message", "file", "task_id"], row, strict=True))


def task_status(env: dict[str, str], task_id: str) -> str:
    from django_tasks_db.models import DBTaskResult

    key = DBTaskResult._meta.pk.get_db_prep_value(uuid.UUID(task_id), connection)  # type: ignore[union-attr]
    table = DBTaskResult._meta.db_table  # the library's own name, not input
    [[status]] = query(env, f"SELECT status FROM {table} WHERE id = ?", key)  # noqa: S608
    return str(status)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def workers(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


ENQUEUE = """
import json
from fagnett.core.downloads import download_start
from tests.factories import make_user
owner = make_user("kari")
quick = download_start(
    owner=owner, kind="tests.slow", title="Quick", params={{"marker": "{quick}", "steps": 2, "pause": 0.1}}
)
slow = download_start(
    owner=owner, kind="tests.slow", title="Slow", params={{"marker": "{slow}", "steps": 60, "pause": 0.5}}
)
print(json.dumps([quick.pk, slow.pk]))
"""


def test_a_killed_worker_s_job_is_started_again_then_failed_with_a_message(
    env: dict[str, str], workers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    quick_marker, slow_marker = tmp_path / "quick.txt", tmp_path / "slow.txt"
    output = manage(env, "shell", "-c", ENQUEUE.format(quick=quick_marker, slow=slow_marker))
    quick, slow = json.loads(output.strip().splitlines()[-1])
    assert download_row(env, slow)["state"] == "queued"

    def started(times: int) -> Callable[[], bool]:
        return lambda: slow_marker.exists() and slow_marker.read_text().count("started") == times

    # A worker makes the quick one (the file on the storage), then starts the slow one; killed in its middle.
    worker = workers()
    wait_for(lambda: download_row(env, quick)["state"] == "done", "the quick job")
    made = download_row(env, quick)
    assert (Path(env["FAGNETT_MEDIA_ROOT"]) / made["file"]).read_bytes() == b"2 steps for kari"
    wait_for(started(1), "the slow job to start")
    wait_for(lambda: (download_row(env, slow)["percent"] or 0) >= 2, "the slow job's progress")
    # While its worker lives, the job's heartbeat keeps it out of the sweep's hands.
    assert "recovered 0" in manage(env, "downloads_sweep")
    assert download_row(env, slow)["state"] == "running"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    first = download_row(env, slow)
    assert first["state"] == "running" and first["attempts"] == 1
    assert task_status(env, first["task_id"]) == "RUNNING"  # what django-tasks leaves behind

    # Once its heartbeat is stale the sweep queues it again, and a worker takes it.
    time.sleep(STALE_SECONDS + 1)
    assert "recovered 1" in manage(env, "downloads_sweep")
    again = download_row(env, slow)
    assert again["state"] == "queued" and again["task_id"] != first["task_id"]
    assert task_status(env, first["task_id"]) == "FAILED"  # the dead worker's task no longer counts as running

    worker = workers()
    wait_for(started(2), "the second attempt to start")
    wait_for(lambda: download_row(env, slow)["attempts"] == 2, "the second attempt")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()

    # Killed twice: failed, with the message the person reads on the download's page.
    time.sleep(STALE_SECONDS + 1)
    assert "recovered 1" in manage(env, "downloads_sweep")
    failed = download_row(env, slow)
    assert failed["state"] == "failed"
    assert failed["message"] == str(downloads.LOST)
    assert failed["file"] == ""
