"""Files made in the background: one record a person follows, one task that runs any registered builder.

A feature app registers a *builder* for each kind of file it makes, in its ``AppConfig.ready()`` (as reminders
are registered), so core imports none of them::

    downloads.register("reports.regional_pdf", build_regional_pdf)

A view calls ``download_start(owner=…, kind=…, title=…, params=…)``, which saves a ``Download`` and enqueues
``download_build`` on the tasks backend (django-tasks; the database backend in production, so any worker on any
host takes it), and redirects to the download's page, which follows it. The builder gets the owner, the params and
a progress callback, and **checks the owner's permission again** when it runs: the person may have lost it since
asking. What it returns is saved on the default storage (local disk, Azure or S3 alike: only ``Storage`` calls).

A worker killed mid-job (``kill -9``, a host gone) leaves its task RUNNING for ever: django-tasks' database backend
has no retry. So the job touches ``heartbeat_at`` every few seconds from a thread beside the builder, and
``recover_stalled`` (the daily run, ``manage.py downloads_sweep``, and the download's own page when it is looked at)
starts a job whose heartbeat stopped once more, or marks it failed with a message the person reads, if it had been
started twice already. Nothing is lost silently.
"""

import datetime
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from fagnett.core.models import Download

logger = logging.getLogger(__name__)

#: a job is started at most this many times (the first run, and one more after its worker died)
MAX_ATTEMPTS = 2

#: the key in a download's params of the link its page shows when the job has ended (``download_start(back=…)``)
BACK = "back"

#: what a builder is told as it goes: the share done, 0–100
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Built:
    """What a builder made: the file's bytes, the name the person's browser saves it as, and its type."""

    content: bytes
    filename: str
    content_type: str


#: makes the file for its owner from the params, checking the owner's permission first
Builder = Callable[[Any, dict[str, Any], Progress], Built]


class DownloadRefused(Exception):
    """A builder's refusal with a message for the person (a period too long, a report gone): the job fails with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_registry: dict[str, Builder] = {}

#: the messages of jobs that failed for a reason the builder did not name
NO_ACCESS = gettext_lazy("You no longer have access to what this file is made from, so it was not made.")
BROKE = gettext_lazy("The file could not be made. Try again; if it fails again, tell the person who runs Fagnett.")
LOST = gettext_lazy(
    "The file could not be made: the server making it stopped twice. Try again later; if it fails again, tell the "
    "person who runs Fagnett."
)


def register(kind: str, builder: Builder) -> None:
    """Add a builder under ``kind`` (registering a kind again replaces it, so ``ready()`` may run twice)."""
    _registry[kind] = builder


def registered(kind: str) -> bool:
    return kind in _registry


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.FAGNETT_DOWNLOADS_KEEP_HOURS)


# --- Starting and following --------------------------------------------------------------------------------------


def download_start(
    *,
    owner: Any,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    back: tuple[str, str] | None = None,
) -> Download:
    """Record the person's request and put the job on the queue; returns the download to follow.

    The view has checked the permission already (so a refusal is an answer, not a failed job); the builder checks it
    again when it runs. Enqueued in the caller's transaction: with the database backend, the task's row and the
    download's commit together, so a worker never sees one without the other.

    ``back`` (an address and its link text, in the person's language) is linked from the download's page once the job
    has ended: for a job whose point is what it changed (an import) rather than its file, where to see the result."""
    if kind not in _registry:
        raise LookupError(f"No builder is registered for {kind!r}")
    params = dict(params or {})
    if back is not None:
        params[BACK] = {"url": back[0], "label": back[1]}
    download = Download.objects.create(owner=owner, kind=kind, title=title[:300], params=params)
    _enqueue(download)
    download.refresh_from_db()
    return download


def _enqueue(download: Download) -> None:
    result = download_build.enqueue(download.pk)
    Download.objects.filter(pk=download.pk).update(task_id=str(result.id))


def downloads_of(*, user: Any) -> QuerySet[Download]:
    """The person's own downloads, newest first: the only way a view reaches a download."""
    return Download.objects.filter(owner_id=user.pk)


def download_get(*, user: Any, download_id: int) -> Download:
    """The person's download, or 404: another person's does not reveal that it exists."""
    try:
        return downloads_of(user=user).get(pk=download_id)
    except Download.DoesNotExist:
        raise Http404 from None


# --- Running -----------------------------------------------------------------------------------------------------


@task()
def download_build(download_id: int) -> None:
    """The one task of every download: claim it, run its builder, store the file or the reason it failed."""
    run(download_id)


def run(download_id: int) -> None:
    now = timezone.now()
    # The claim is one conditional UPDATE, so two workers given the same download (a retry racing a slow original)
    # cannot both run it.
    claimed = Download.objects.filter(pk=download_id, state=Download.State.QUEUED).update(
        state=Download.State.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now, percent=None
    )
    if not claimed:
        return
    download = Download.objects.select_related("owner").get(pk=download_id)
    builder = _registry.get(download.kind)

    def progress(percent: int) -> None:
        Download.objects.filter(pk=download_id, state=Download.State.RUNNING).update(
            percent=max(0, min(100, int(percent))), heartbeat_at=timezone.now()
        )

    language = getattr(download.owner, "language", "") or settings.LANGUAGE_CODE
    with _heartbeat(download_id), translation.override(language):
        try:
            if builder is None:
                raise DownloadRefused(_("This kind of file can no longer be made."))
            built = builder(download.owner, download.params, progress)
        except DownloadRefused as refused:
            _fail(download, refused.message)
        except (PermissionDenied, Http404, ObjectDoesNotExist):
            _fail(download, str(NO_ACCESS))
        except Exception:
            logger.exception("Download %s (%s) failed", download_id, download.kind)
            _fail(download, str(BROKE))
        else:
            _finish(download, built)


def _finish(download: Download, built: Built) -> None:
    download.file.save(built.filename, ContentFile(built.content), save=False)
    now = timezone.now()
    finished = Download.objects.filter(pk=download.pk, state=Download.State.RUNNING, attempts=download.attempts).update(
        state=Download.State.DONE,
        percent=100,
        file=download.file.name,
        filename=built.filename[:200],
        content_type=built.content_type[:120],
        size=len(built.content),
        finished_at=now,
        expires_at=now + keep_for(),
        message="",
    )
    if not finished:
        # The sweep gave up on this run meanwhile (or the record was deleted): the file belongs to nobody.
        download.file.delete(save=False)


def _fail(download: Download, message: str) -> None:
    now = timezone.now()
    Download.objects.filter(pk=download.pk, state=Download.State.RUNNING, attempts=download.attempts).update(
        state=Download.State.FAILED, message=message[:500], finished_at=now, expires_at=now + keep_for()
    )


@contextmanager
def _heartbeat(download_id: int) -> Iterator[None]:
    """Touch the download every few seconds while its builder runs, from a thread of its own, so a long step
    (laying out a PDF) does not look like a dead worker. Inside a transaction (the immediate backend of the tests,
    running the job in the request) nobody else could see the beat, and there is no worker to lose: no thread."""
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()
    interval = settings.FAGNETT_DOWNLOADS_HEARTBEAT_SECONDS

    def beat() -> None:
        from django.db import connections

        try:
            while not stop.wait(interval):
                try:
                    Download.objects.filter(pk=download_id, state=Download.State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # a locked SQLite file: the next beat will do
                    logger.warning("Heartbeat of download %s not written", download_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"download-{download_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# --- Recovering and expiring ---------------------------------------------------------------------------------------


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=settings.FAGNETT_DOWNLOADS_STALE_SECONDS)


def recover_stalled(now: datetime.datetime | None = None, *, queryset: QuerySet[Download] | None = None) -> int:
    """Jobs whose worker died (heartbeat silent for FAGNETT_DOWNLOADS_STALE_SECONDS): start each once more, or mark
    it failed with a message if it was started ``MAX_ATTEMPTS`` times. Returns how many it dealt with."""
    now = now or timezone.now()
    stalled = (queryset if queryset is not None else Download.objects.all()).filter(
        state=Download.State.RUNNING, heartbeat_at__lt=_stale_before(now)
    )
    dealt = 0
    for download in stalled:
        with transaction.atomic():
            # Conditional on the heartbeat it was found with: a job that beat meanwhile is alive after all.
            still = Download.objects.filter(
                pk=download.pk, state=Download.State.RUNNING, heartbeat_at=download.heartbeat_at
            )
            if download.attempts < MAX_ATTEMPTS:
                if not still.update(state=Download.State.QUEUED, percent=None):
                    continue
                logger.warning("Download %s lost its worker; started again", download.pk)
                _abandon_task(download.task_id)
                _enqueue(download)
            else:
                if not still.update(
                    state=Download.State.FAILED, message=str(LOST), finished_at=now, expires_at=now + keep_for()
                ):
                    continue
                logger.error("Download %s lost its worker %s times; marked failed", download.pk, download.attempts)
                _abandon_task(download.task_id)
        dealt += 1
    return dealt


def _abandon_task(task_id: str) -> None:
    """Close the dead worker's task row, which django-tasks' database backend would leave RUNNING for ever (and
    the queue's metrics counting it)."""
    if not task_id or not isinstance(download_build.get_backend(), _database_backend()):
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(status="FAILED", finished_at=timezone.now())


def _database_backend() -> type:
    from django_tasks_db.backend import DatabaseBackend

    return DatabaseBackend


def expire_due(now: datetime.datetime | None = None) -> int:
    """Delete the finished downloads whose keep time is over, file first, then the record; returns how many.

    A plain function for the daily scheduler (and ``manage.py downloads_sweep``). A file already gone from the
    storage does not keep its record."""
    now = now or timezone.now()
    expired = 0
    for download in Download.objects.filter(expires_at__lte=now).exclude(
        state__in=[Download.State.QUEUED, Download.State.RUNNING]
    ):
        if download.file:
            download.file.delete(save=False)
        download.delete()
        expired += 1
    return expired


def sweep(now: datetime.datetime | None = None) -> tuple[int, int]:
    """What the scheduler runs every few minutes (and ``manage.py downloads_sweep`` by hand): jobs whose worker died
    started again or failed with a message, then finished downloads past their keep time deleted."""
    return recover_stalled(), expire_due()
