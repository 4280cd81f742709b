"""Approved is final: the exact files made when a record was approved (or sent), kept with their checksums.

A feature app registers, in its ``AppConfig.ready()``, the kinds of file its model keeps, how each is made and where
a person downloads it (the app's own view, which checks the person's permission)::

    kept.register(RegionalReport, kinds=("pdf", "docx"), render=render_kept, url=kept_url)

and its approval (or "sent") step, inside its transaction, calls one line::

    kept.keep_on_commit(report, by=user)

That records one ``KeptFile`` per kind, *being made*, tied to the approval's history row, and when the transaction
commits queues one job (django-tasks) that makes them: the approval itself stays as quick as before. The job renders
each file in the site's language (the record's official copy, whoever reads it later), stores it under a new random
name through the storage API (object storage in production), and writes its size and SHA-256 once; a kept file is
never replaced. A correction is a new record with files of its own (or, for a record approved again, a new
``round``); the old files stay.

A later change of the code (a template, the layout, a library) cannot change what was approved: the download of an
approved record serves the kept bytes (``kept_response``), read back and checked against the size and checksum
first. A file that is missing or does not match is an error: logged, and shown to the person as such, never served
(and never silently made again, which would give them something other than what was approved).
"""

import base64
import datetime
import hashlib
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Max
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone, translation
from django_tasks import task

from fagnett.core.downloads import Built
from fagnett.core.models import KeptFile, kept_file_path
from fagnett.core.storage import stored_file_chunks

logger = logging.getLogger(__name__)

#: makes the file of ``kind`` for the record (called by the job, in the site's language)
Render = Callable[[Any, str], Built]
#: where a person downloads the record's kept file of ``kind`` (a view that checks their permission)
Url = Callable[[Any, str], str]


@dataclass(frozen=True)
class Keeper:
    kinds: tuple[str, ...]
    render: Render
    url: Url


_registry: dict[str, Keeper] = {}


def _label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def register(model: type[models.Model], *, kinds: Sequence[str], render: Render, url: Url) -> None:
    """Keep ``kinds`` of file for ``model``'s records (registering again replaces it, so ``ready()`` may run twice)."""
    _registry[_label(model)] = Keeper(tuple(kinds), render, url)


def keeper(model: type[models.Model] | models.Model) -> Keeper:
    try:
        return _registry[_label(model)]
    except KeyError:
        raise LookupError(f"No kept files are registered for {_label(model)}") from None


class KeptFileDamaged(Exception):
    """A kept file missing from the storage, or whose bytes no longer match its size and checksum."""

    def __init__(self, kept: KeptFile, problem: str) -> None:
        super().__init__(f"Kept file {kept.pk} ({kept.file.name}): {problem}")
        self.kept = kept
        self.problem = problem


# --- Keeping -------------------------------------------------------------------------------------------------------


def keep_on_commit(record: models.Model, *, by: Any) -> list[KeptFile]:
    """Record that ``record``'s files are to be kept as they are now, and make them once the caller's transaction
    commits. Call it in the approval's (or sending's) transaction, after the record was saved: the files are tied to
    the history row that save made. Returns the new rows (being made)."""
    keeps = keeper(record)
    owner_type = ContentType.objects.get_for_model(record)
    earlier = KeptFile.objects.filter(owner_type=owner_type, owner_id=record.pk)
    round_ = (earlier.aggregate(top=Max("round"))["top"] or 0) + 1
    now = timezone.now()
    rows = [
        KeptFile.objects.create(
            owner_type=owner_type,
            owner_id=record.pk,
            round=round_,
            kind=kind,
            history_id=_history_id(record),
            approved_by=by,
            approved_at=now,
        )
        for kind in keeps.kinds
    ]
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: kept_make.enqueue(ids))
    return rows


def _history_id(record: models.Model) -> int | None:
    """The record's newest history row (django-simple-history), which the approval's save has just written."""
    history = getattr(record, "history", None)
    if history is None:
        return None
    newest = history.order_by("-history_id").values_list("history_id", flat=True).first()
    return int(newest) if newest is not None else None


@task()
def kept_make(kept_ids: list[int]) -> None:
    """The job: make and keep each file (each one by itself, so one failing keeps the others)."""
    for kept_id in kept_ids:
        make(kept_id)


def make(kept_id: int) -> None:
    row = KeptFile.objects.filter(pk=kept_id).exclude(state=KeptFile.State.KEPT).select_related("owner_type").first()
    if row is None:
        return
    record = row.owner_type.model_class()._default_manager.filter(pk=row.owner_id).first()  # type: ignore[union-attr]
    if record is None:
        return
    try:
        with translation.override(settings.LANGUAGE_CODE):
            built = keeper(record).render(record, row.kind)
    except Exception:
        logger.exception("The kept %s of %s %s could not be made", row.kind, row.owner_type, row.owner_id)
        KeptFile.objects.filter(pk=kept_id, state=KeptFile.State.PENDING).update(
            state=KeptFile.State.FAILED, message="The file could not be made; see the log."
        )
        return
    storage = KeptFile._meta.get_field("file").storage
    # A new random name each time: storing never writes over a file that exists.
    name = storage.save(kept_file_path(row, built.filename), ContentFile(built.content))
    written = KeptFile.objects.filter(pk=kept_id).exclude(state=KeptFile.State.KEPT)
    if not written.update(
        state=KeptFile.State.KEPT,
        file=name,
        filename=built.filename[:200],
        content_type=built.content_type[:120],
        size=len(built.content),
        sha256=hashlib.sha256(built.content).hexdigest(),
        kept_at=timezone.now(),
        message="",
    ):
        storage.delete(name)  # another run kept it first: its file is the one


def remake_stalled(older_than_minutes: int = 30) -> int:
    """Queue again the files still being made long after their approval (the job's worker died: django-tasks has no
    retry) and the ones that failed; the scheduler runs it every hour. Returns how many."""
    before = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    ids = list(
        KeptFile.objects.filter(state__in=[KeptFile.State.PENDING, KeptFile.State.FAILED], approved_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    if ids:
        kept_make.enqueue(ids)
    return len(ids)


# --- Reading -------------------------------------------------------------------------------------------------------


@dataclass
class KeptSet:
    """One round of a record's kept files: the state a page shows, and each kind's file."""

    round: int
    files: dict[str, KeptFile]

    def get(self, kind: str) -> KeptFile | None:
        row = self.files.get(kind)
        return row if row is not None and row.state == KeptFile.State.KEPT else None

    @property
    def being_made(self) -> bool:
        return any(row.state == KeptFile.State.PENDING for row in self.files.values())

    @property
    def failed(self) -> bool:
        return any(row.state == KeptFile.State.FAILED for row in self.files.values())


def kept_rows(record: models.Model) -> models.QuerySet[KeptFile]:
    return KeptFile.objects.filter(owner_type=ContentType.objects.get_for_model(record), owner_id=record.pk)


def kept_set(record: models.Model) -> KeptSet | None:
    """The newest round of the record's kept files; None when nothing was kept (a draft)."""
    if record.pk is None:
        return None
    rows = list(kept_rows(record).order_by("-round", "kind"))
    if not rows:
        return None
    newest = rows[0].round
    return KeptSet(newest, {row.kind: row for row in rows if row.round == newest})


def kept_file(record: models.Model, kind: str) -> KeptFile | None:
    """The record's kept file of ``kind`` from its newest round, once made; None otherwise."""
    found = kept_set(record)
    return found.get(kind) if found else None


def kept_by_history(model: type[models.Model], history_ids: Iterable[int]) -> dict[int, list[KeptFile]]:
    """The kept files of each of these history rows of ``model`` (the approvals'), for a history page. One query."""
    found: dict[int, list[KeptFile]] = defaultdict(list)
    ids = [i for i in history_ids if i]
    if not ids:
        return found
    rows = KeptFile.objects.filter(owner_type=ContentType.objects.get_for_model(model), history_id__in=ids)
    for row in rows.order_by("round", "kind"):
        found[row.history_id or 0].append(row)
    return found


def kept_url(row: KeptFile, record: models.Model) -> str:
    """Where a person downloads ``row`` (the app's view, which checks their permission)."""
    return keeper(record).url(record, row.kind)


def kept_read(row: KeptFile) -> bytes:
    """The kept bytes, checked against the size and checksum written when they were kept; ``KeptFileDamaged``
    (logged as an error) when the file is missing or has changed."""
    try:
        stored = stored_file_chunks(row.file.storage, row.file.name or "")
    except (FileNotFoundError, OSError) as error:
        logger.error("Kept file %s is missing from the storage (%s): %s", row.pk, row.file.name, error)
        raise KeptFileDamaged(row, "missing") from error
    try:
        content = b"".join(stored.chunks)
    finally:
        stored.close()
    if len(content) != row.size or hashlib.sha256(content).hexdigest() != row.sha256:
        logger.error(
            "Kept file %s (%s) does not match its checksum: %s bytes, expected %s; not served",
            row.pk,
            row.file.name,
            len(content),
            row.size,
        )
        raise KeptFileDamaged(row, "checksum")
    return content


def kept_response(request: HttpRequest, row: KeptFile) -> HttpResponseBase:
    """The kept file as a download, after the view has checked the person may have it: its bytes checked first
    (so they are read whole — the documents are a few megabytes), and a page saying what is wrong, with status 500,
    when they do not match."""
    try:
        content = kept_read(row)
    except KeptFileDamaged as damaged:
        return render(request, "kept/damaged.html", {"kept": row, "missing": damaged.problem == "missing"}, status=500)
    response = FileResponse(
        io.BytesIO(content), as_attachment=True, filename=row.filename, content_type=row.content_type or None
    )
    response["Content-Length"] = str(len(content))
    # RFC 9530: the checksum of what is served, so a client can check it too.
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(row.sha256)).decode()}:"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def kept_context(record: models.Model) -> dict[str, Any]:
    """What ``kept/_files.html`` takes for the record's newest round, each file with the address of its download."""
    found = kept_set(record)
    if found is None:
        return {"kept": None, "kept_files": [], "being_made": False, "failed": False}
    files = list(found.files.values())
    for row in files:
        row.url = kept_url(row, record)  # type: ignore[attr-defined]
    return {"kept": found, "kept_files": files, "being_made": found.being_made, "failed": found.failed}
