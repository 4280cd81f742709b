"""Readiness: can this app server do its work? The database, the file storage and the job queue, each checked on its
own so the answer names the part that fails (``/readyz``; ``/healthz`` only says the process answers)."""

import datetime
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

#: a name nothing is stored under: asking whether it exists reaches the storage without writing to it
STORAGE_PROBE = "readiness-probe/absent"


def database_check() -> dict[str, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def storage_check() -> dict[str, Any]:
    # Object storage answers exists() over the network, so a wrong key, container or address fails here. A local
    # folder answers it without looking, so that the folder is usable is checked too: a folder, or yet to be made
    # in one (Django makes MEDIA_ROOT at the first upload), that the server may write.
    default_storage.exists(STORAGE_PROBE)
    if isinstance(default_storage, FileSystemStorage):
        location = Path(default_storage.location)
        folder = location
        while not folder.exists() and folder.parent != folder:
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise OSError(f"{location} is not a folder the server can write to")
    return {}


def queue_check() -> dict[str, Any]:
    """The job table answers; the age of the oldest job waiting to run is reported, not judged (a stuck queue is
    the workers' trouble, not a reason to take this app server out of the load balancer)."""
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return {"oldest_ready_seconds": round(age, 1)}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": database_check,
    "storage": storage_check,
    "queue": queue_check,
}


def readiness() -> tuple[bool, dict[str, Any]]:
    """Every check's outcome; True when all pass. A failure is logged with its cause, and only named in the answer
    (the probe is public: no addresses, paths or messages of the infrastructure in it)."""
    checks: dict[str, Any] = {}
    started = timezone.now()
    for name, check in CHECKS.items():
        try:
            # A savepoint, so a failed query does not leave an open transaction (PostgreSQL) broken for the next.
            with transaction.atomic():
                checks[name] = {"status": "ok", **check()}
        except Exception:
            logger.exception("Readiness check %s failed", name)
            checks[name] = {"status": "failing"}
    failing = [name for name, outcome in checks.items() if outcome["status"] != "ok"]
    elapsed = (timezone.now() - started) / datetime.timedelta(milliseconds=1)
    return not failing, {
        "status": "failing" if failing else "ok",
        "failing": failing,
        "checks": checks,
        "took_ms": round(elapsed, 1),
    }
