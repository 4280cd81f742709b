"""Two real ``manage.py worker`` processes on one database: each scheduled slot runs once, not once per worker."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django_tasks_db.models import DBTaskResult

from fagnett.core.models import ScheduledRun

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url(tmp_path: Path) -> str:
    """The test database as the workers reach it: PostgreSQL's test database itself (the test commits nothing
    before they start), SQLite's in-memory one copied to a file (migrating a file anew takes most of a minute)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "workers.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return f"sqlite:///{path}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _pids(probe: Path) -> list[str]:
    return [line.split()[2] for line in probe.read_text().splitlines()]


def test_two_workers_run_each_scheduled_slot_once(tmp_path: Path) -> None:
    url = _database_url(tmp_path)
    probe = tmp_path / "probe.txt"
    probe.touch()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fagnett.ops.tests.worker_settings",
        "DATABASE_URL": url,
        "SCHEDULE_PROBE_FILE": str(probe),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "manage.py", "worker", "--queue-name", "*", "--interval", "0.2"]
    command += ["--schedule-interval", "0.25", "--no-startup-delay", "--no-reload", "-v", "0"]
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", f"worker-{n}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in (1, 2)
    ]
    try:
        # Starting Django takes a few seconds on a busy machine: then both run for several seconds more.
        deadline = time.monotonic() + 90
        while len(set(_pids(probe))) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(4)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    for worker, output in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, output
        assert "Traceback" not in output, output

    runs = [line.split() for line in probe.read_text().splitlines()]
    per_slot = Counter((name, began) for name, began, _pid in runs)
    assert per_slot, "no scheduled job ran"
    assert max(per_slot.values()) == 1, per_slot.most_common(3)  # no slot twice
    assert sum(1 for name, _ in per_slot if name == "probe-daily") == 1
    # Both workers ran jobs, so both were up and asking for the same slots, a slot a second for several seconds.
    assert len(set(_pids(probe))) == 2
    assert sum(1 for name, _ in per_slot if name == "probe-often") >= 4

    if connection.vendor == "sqlite":  # the workers wrote to the copy, not to the test database
        with sqlite3.connect(url.removeprefix("sqlite:///")) as copy:
            claims = copy.execute("SELECT name, slot FROM core_scheduledrun").fetchall()
            table = DBTaskResult._meta.db_table
            jobs = copy.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status").fetchall()  # noqa: S608
    else:
        claims = list(ScheduledRun.objects.values_list("name", "slot"))
        jobs = list(DBTaskResult.objects.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))
    names = Counter(name for name, _slot in claims)
    assert names["reminders"] == 1  # the real daily job, due at 00:00 in these settings
    assert names["probe-daily"] == 1
    # Every claim enqueued one job, and every job ran (the last claims may still wait when the workers stop).
    assert dict(jobs).get("FAILED", 0) == 0
    assert sum(count for _status, count in jobs) == len(claims)
