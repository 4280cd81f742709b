"""Bringing a region in: preview an import, carry it out, undo it. Each service is one transaction.

``region_import_run`` is the import itself, a function of the parsed rows and the person: it plans
(``planning.plan_import``), refuses with every problem named if there is one, and otherwise writes everything at once
— many rows with ``bulk_create_with_history`` and ``core.bulk.update_with_history`` — each history row naming the
person and the import (its change reason), and records every object it created or changed (``ImportedObject``).
A background job can call it with rows it parsed itself. The web pages go through ``region_import_preview`` (read the
uploaded files, plan, keep the files until the coordinator confirms) and ``region_import_confirm``; an import of
more than ``FAGNETT_IMPORT_JOB_ROWS`` rows is confirmed with ``region_import_enqueue`` instead, which marks it queued
and leaves the same confirmation to a background job (``onboarding.downloads``, run by ``core.downloads``).
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fagnett.accounts.models import User
from fagnett.core import downloads
from fagnett.core.bulk import update_with_history
from fagnett.core.history import acting_as
from fagnett.core.locking import VersionedModel, bump_version
from fagnett.core.models import Download
from fagnett.core.permissions import require_perm
from fagnett.meetings.models import Meeting
from fagnett.networks.models import Appointment, Mandate, Network, TaskListItem
from fagnett.onboarding import workbooks
from fagnett.onboarding.models import ImportedObject, RegionImport, StagedFile
from fagnett.onboarding.planning import CHANGED, CREATED, Plan, Step, json_value, plan_import
from fagnett.onboarding.workbooks import ParsedFile, Problem
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from fagnett.procedures.models import Procedure, StatusEvent
from fagnett.reports.models import NetworkReport
from fagnett.reports.statistics import network_facts

#: rows per INSERT
BATCH = 1000
#: a preview nobody confirmed is dropped (with its files) after this long
PREVIEW_LIFETIME = datetime.timedelta(hours=24)
#: the most problems a refusal lists
MAX_PROBLEMS = 1000
#: the kind of background job (``core.downloads``) that carries out a confirmed import
JOB_KIND = "onboarding.import"

#: the models an import creates, in the order they are written (what a row refers to is written before it)
MODELS_IN_ORDER: tuple[type[models.Model], ...] = (
    HealthTrust,
    Hospital,
    Unit,
    TaskListItem,
    User,
    Network,
    Mandate,
    Appointment,
    Meeting,
    Procedure,
    StatusEvent,
    NetworkReport,
)


class ImportRefused(Exception):
    """Nothing was imported: ``problems`` names each problem by file, sheet, row and column."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems[:MAX_PROBLEMS]
        self.count = len(problems)


class UndoRefused(Exception):
    """The import cannot be undone: ``reasons`` says what refers to what it created, or changed it since."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons[:5]))
        self.reasons = reasons


@dataclass(frozen=True)
class Upload:
    """An uploaded file: the template ``kind`` it is (``KINDS``), or ``"export"`` for the ZIP of an export."""

    kind: str
    name: str
    data: bytes


def _parse(uploads: Sequence[Upload]) -> list[ParsedFile]:
    """The files' rows; ``ImportRefused`` with the problems of every file whose shape is wrong."""
    parsed: list[ParsedFile] = []
    problems: list[Problem] = []
    for upload in uploads:
        try:
            if upload.kind == "export":
                parsed += workbooks.read_export(name=upload.name, data=upload.data)
            else:
                parsed.append(workbooks.read_upload(kind=upload.kind, name=upload.name, data=upload.data))
        except workbooks.ReadFailed as failed:
            problems += failed.problems
    if problems:
        raise ImportRefused(problems)
    return parsed


def _check_plan(plan: Plan) -> None:
    if plan.problems:
        raise ImportRefused(plan.problems)
    if not any(plan.steps.values()) and not any(plan.unchanged_rows.values()):
        raise ImportRefused([Problem("", "", 0, "", _("The files have no rows to import."))])


def _file_record(upload: Upload) -> dict[str, Any]:
    return {
        "kind": upload.kind,
        "name": upload.name,
        "size": len(upload.data),
        "sha256": hashlib.sha256(upload.data).hexdigest(),
    }


def region_import_discard_stale(*, region: Region) -> int:
    """Drop the region's previews older than ``PREVIEW_LIFETIME`` and their files; how many were dropped."""
    stale = list(
        RegionImport.objects.filter(
            region=region, status=RegionImport.Status.PREVIEW, created_at__lt=timezone.now() - PREVIEW_LIFETIME
        )
    )
    for record in stale:
        _drop_preview(record)
    return len(stale)


def _delete_files(files: Iterable[Any]) -> None:
    for file in files:
        file.delete(save=False)


def _drop_preview(record: RegionImport) -> None:
    files = [staged.file for staged in record.staged_files.all()]
    record.delete()
    # The files go only once the rows are gone for good.
    transaction.on_commit(lambda: _delete_files(files))


@transaction.atomic
def region_import_preview(*, user: User, region: Region, uploads: Sequence[Upload]) -> RegionImport:
    """Read and plan the uploaded files; keep them, with what the plan would do, until the coordinator confirms.

    Raises ``ImportRefused`` naming every problem (and keeps nothing) if the files cannot be imported as they are.
    """
    require_perm(user, "onboarding.manage_region", region)
    if not uploads:
        raise ImportRefused([Problem("", "", 0, "", _("Choose at least one file."))])
    region_import_discard_stale(region=region)
    plan = plan_import(region=region, files=_parse(uploads))
    _check_plan(plan)
    record = RegionImport.objects.create(
        region=region,
        created_by=user,
        files=[_file_record(upload) for upload in uploads],
        preview=plan.preview(),
    )
    for upload in uploads:
        staged = StagedFile(region_import=record, kind=upload.kind, name=upload.name[:255])
        staged.file.save(upload.name, ContentFile(upload.data), save=False)
        staged.save()
    return record


@transaction.atomic
def region_import_discard(*, user: User, region_import: RegionImport) -> None:
    """Drop a preview nobody wants, and its files."""
    require_perm(user, "onboarding.manage_region", region_import.region)
    if region_import.status != RegionImport.Status.PREVIEW:
        raise ValidationError(_("Only an import waiting for confirmation can be dropped."))
    _drop_preview(region_import)


@transaction.atomic
def region_import_confirm(*, user: User, region_import: RegionImport, queued: bool = False) -> RegionImport:
    """Import the files of a preview: planned again (the region may have changed since), then all or nothing.

    ``queued``: called by the background job of ``region_import_enqueue``, which expects the import queued; the row
    lock and the status make sure that of two jobs given the same import, one imports and the other is refused."""
    require_perm(user, "onboarding.manage_region", region_import.region)
    record = RegionImport.objects.select_for_update().get(pk=region_import.pk)
    expected = RegionImport.Status.QUEUED if queued else RegionImport.Status.PREVIEW
    if record.status != expected:
        raise ValidationError(_("This import has already been confirmed."))
    staged = list(record.staged_files.order_by("pk"))
    uploads = []
    for item in staged:
        with item.file.open("rb") as handle:
            uploads.append(Upload(item.kind, item.name, handle.read()))
    region_import_run(user=user, region=record.region, files=_parse(uploads), record=record)
    files = [item.file for item in staged]
    record.staged_files.all().delete()
    transaction.on_commit(lambda: _delete_files(files))
    return record


def region_import_rows(region_import: RegionImport) -> int:
    """How many rows the preview read: what decides whether confirming it runs in the request or as a job."""
    return sum(int(sheet.get("total", 0)) for sheet in region_import.preview.get("sheets", []))


def region_import_runs_as_job(region_import: RegionImport) -> bool:
    return region_import_rows(region_import) > settings.FAGNETT_IMPORT_JOB_ROWS


@transaction.atomic
def region_import_enqueue(*, user: User, region_import: RegionImport, back_label: str = "") -> Download:
    """Confirm a large import as a background job: the import is marked queued (one conditional UPDATE, so a second
    click or a second coordinator enqueues nothing: ``ValidationError``) and the job that imports it is started; the
    person follows it on the returned download's page. The job checks the permission again and imports all or
    nothing with ``region_import_confirm``; if it fails, the import waits for confirmation again."""
    require_perm(user, "onboarding.manage_region", region_import.region)
    queued = RegionImport.objects.filter(pk=region_import.pk, status=RegionImport.Status.PREVIEW).update(
        status=RegionImport.Status.QUEUED
    )
    if not queued:
        current = RegionImport.objects.get(pk=region_import.pk).status
        if current == RegionImport.Status.QUEUED:
            raise ValidationError(_("This import is already being carried out."))
        raise ValidationError(_("This import has already been confirmed."))
    region_import.status = RegionImport.Status.QUEUED
    return downloads.download_start(
        owner=user,
        kind=JOB_KIND,
        title=str(region_import),
        params={"region_import": region_import.pk},
        back=(region_import.get_absolute_url(), back_label) if back_label else None,
    )


def region_import_release(region_import: RegionImport) -> bool:
    """A queued import whose job failed waits for confirmation again (conditional: never one that was imported)."""
    return bool(
        RegionImport.objects.filter(pk=region_import.pk, status=RegionImport.Status.QUEUED).update(
            status=RegionImport.Status.PREVIEW
        )
    )


def region_import_jobs(region_import: RegionImport) -> QuerySet[Download]:
    """The background jobs started for the import (by whoever confirmed it)."""
    return Download.objects.filter(kind=JOB_KIND, params__region_import=region_import.pk)


def region_import_release_if_lost(region_import: RegionImport) -> bool:
    """A queued import whose job ended without importing it (the worker died twice, the job was deleted) waits for
    confirmation again, so it is never stuck; ``True`` if it was released. Jobs whose worker died are recovered
    first (``core.downloads.recover_stalled``)."""
    if region_import.status != RegionImport.Status.QUEUED:
        return False
    jobs = region_import_jobs(region_import)
    downloads.recover_stalled(queryset=jobs)
    if jobs.filter(state__in=[Download.State.QUEUED, Download.State.RUNNING]).exists():
        return False
    return region_import_release(region_import)


@transaction.atomic
def region_import_run(
    *, user: User, region: Region, files: Iterable[ParsedFile], record: RegionImport | None = None
) -> RegionImport:
    """Import parsed rows into ``region``, all or nothing; ``ImportRefused`` names every problem.

    The same rows imported again create and change nothing. Every object created or changed is recorded on the
    returned ``RegionImport`` and its history names ``user`` and the import.
    """
    require_perm(user, "onboarding.manage_region", region)
    files = list(files)
    plan = plan_import(region=region, files=files)
    _check_plan(plan)
    if record is None:
        record = RegionImport.objects.create(
            region=region,
            created_by=user,
            files=[{"kind": f.kind, "name": f.name, "size": 0, "sha256": ""} for f in files],
        )
    with acting_as(user):
        _write(plan, record, user)
    record.status = RegionImport.Status.DONE
    record.counts = plan.counts()
    record.imported_at = timezone.now()
    record.save(update_fields=["status", "counts", "imported_at"])
    return record


# --- Writing ---------------------------------------------------------------------------------------------------------


def _has_history(model: type[models.Model]) -> bool:
    return hasattr(model, "history")


def _create(model: type[models.Model], objs: Sequence[models.Model], *, user: User, reason: str) -> None:
    """Insert ``objs`` in batches, with a history row each naming the person and the import where the model keeps
    history."""
    if not objs:
        return
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    if _has_history(model):
        bulk_create_with_history(objs, model, batch_size=BATCH, default_user=user, default_change_reason=reason)
    else:
        model._default_manager.bulk_create(objs, batch_size=BATCH)


def _update(model: type[models.Model], steps: list[Step], *, user: User, reason: str) -> None:
    """Write the changed fields of the steps' objects (one UPDATE per object, run by the driver in batches), with a
    history row each."""
    if not steps:
        return
    objs = []
    fields: set[str] = set()
    for step in steps:
        obj = step.obj
        obj._prepare_related_fields_for_save(operation_name="update")  # type: ignore[attr-defined]
        obj._change_reason = reason  # type: ignore[attr-defined]
        obj._history_user = user  # type: ignore[attr-defined]
        fields.update(step.before)
        objs.append(obj)
    # The names are attribute names (trust_id); update_with_history takes field names.
    names = [f.name for f in model._meta.concrete_fields if f.attname in fields or f.name in fields]
    names += _next_versions(model, objs)
    if _has_history(model):
        update_with_history(objs, names, batch_size=BATCH)
    else:
        model._default_manager.bulk_update(objs, names, batch_size=BATCH)
    for step in steps:
        step.after = {name: json_value(getattr(step.obj, name)) for name in step.before}


def _next_versions(model: type[models.Model], objs: Sequence[models.Model]) -> list[str]:
    """Records kept with optimistic locking (``core.locking``) move to their next version when the import (or its
    undoing) changes them, so an edit form opened before is told instead of overwriting: the rows are locked and
    their versions read again (someone may have saved since the plan read them). The field to write as well."""
    if not issubclass(model, VersionedModel):
        return []
    current = dict(
        model._default_manager.select_for_update()
        .filter(pk__in=[obj.pk for obj in objs])
        .values_list("pk", "lock_version")
    )
    for obj in objs:
        assert isinstance(obj, VersionedModel)
        obj.lock_version = current.get(obj.pk, obj.lock_version)
        bump_version(obj)
    return ["lock_version"]


def _write(plan: Plan, record: RegionImport, user: User) -> None:
    reason = record.change_reason
    now = timezone.now()
    by_model: dict[type[models.Model], dict[str, list[Step]]] = defaultdict(lambda: defaultdict(list))
    for steps in plan.steps.values():
        for step in steps:
            by_model[type(step.obj)][step.action].append(step)
    for model in MODELS_IN_ORDER:
        created = [step.obj for step in by_model[model][CREATED]]
        if model is Network:
            for level in plan.network_levels:
                _create(Network, list(level), user=user, reason=reason)
        elif model is Mandate:
            _create_mandates(plan, created, user=user, reason=reason)
        else:
            for obj in created:
                _prepare(obj, user, now)
            _create(model, created, user=user, reason=reason)
            if model is Procedure:
                events = []
                for procedure in created:
                    assert isinstance(procedure, Procedure)
                    event = plan.procedure_events[id(procedure)]
                    event.procedure = procedure
                    event.recorded_by = user
                    event.note = reason
                    events.append(event)
                _create(StatusEvent, events, user=user, reason=reason)
                # The dated change is the procedure's part, recorded with it so undoing knows it as the import's own.
                plan.steps["procedures"] += [
                    Step("procedures", step.row, CREATED, event, str(event))
                    for step, event in zip(by_model[Procedure][CREATED], events, strict=True)
                ]
        _update(model, by_model[model][CHANGED], user=user, reason=reason)
        if model is NetworkReport and created:
            _freeze_facts(created, user=user, reason=reason)
    _record_objects(plan, record)


def _prepare(obj: models.Model, user: User, now: datetime.datetime) -> None:
    """What a created row of each kind needs besides the sheet's values: who and when."""
    if isinstance(obj, Appointment):
        obj.decided_by = user
        obj.decided_at = now
    elif isinstance(obj, Meeting):
        obj.created_by = user
    elif isinstance(obj, NetworkReport):
        obj.submitted_by = obj.accepted_by = user
        obj.submitted_at = obj.accepted_at = now


def _create_mandates(plan: Plan, mandates: list[models.Model], *, user: User, reason: str) -> None:
    """One by one: a mandate's tasks are kept in its history (django-simple-history's many-to-many tracking), which
    only saving writes. A region has a few dozen networks."""
    for mandate in mandates:
        assert isinstance(mandate, Mandate)
        mandate.created_by = user
        mandate._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        mandate._change_reason = reason  # type: ignore[attr-defined]
        mandate.save()
        tasks = plan.mandate_tasks.get(id(mandate), [])
        if tasks:
            mandate._change_reason = reason  # type: ignore[attr-defined]
            mandate.tasks.set(tasks)


def _freeze_facts(reports: list[models.Model], *, user: User, reason: str) -> None:
    """An accepted report keeps what the records said (as submitting one does), here the history just imported."""
    for report in reports:
        assert isinstance(report, NetworkReport)
        report.facts = network_facts(network=report.network, year=report.year)
        report._change_reason = reason  # type: ignore[attr-defined]
    update_with_history(reports, ["facts"], batch_size=BATCH)


def _record_objects(plan: Plan, record: RegionImport) -> None:
    types = ContentType.objects.get_for_models(*MODELS_IN_ORDER)
    rows = []
    for steps in plan.steps.values():
        for step in steps:
            if step.action not in (CREATED, CHANGED):
                continue
            rows.append(
                ImportedObject(
                    region_import=record,
                    sheet=step.sheet,
                    row=step.row,
                    content_type=types[type(step.obj)],
                    object_id=step.obj.pk,
                    action=step.action,
                    label=step.label if step.action == CHANGED else str(step.obj)[:300],
                    before=step.before,
                    after=step.after,
                )
            )
    ImportedObject.objects.bulk_create(rows, batch_size=BATCH)


# --- Undoing ---------------------------------------------------------------------------------------------------------

#: how many things a refusal names per kind of reference
_NAMED = 5


def _own(record: RegionImport, model: type[models.Model]) -> Any:
    """The ids of the objects of ``model`` the import created, as a subquery."""
    return ImportedObject.objects.filter(
        region_import=record,
        content_type=ContentType.objects.get_for_model(model),
        action=ImportedObject.Action.CREATED,
    ).values("object_id")


def _is_history(model: type[models.Model]) -> bool:
    """A table of django-simple-history: it keeps what was, and never stops a deletion."""
    return model.__module__ == "simple_history.models" or model._meta.model_name.startswith("historical")  # type: ignore[union-attr]


def _incoming(model: type[models.Model]) -> list[tuple[type[models.Model], "models.ForeignKey[Any, Any]"]]:
    """Every foreign key of every table (many-to-many tables too) that points to ``model``."""
    found = []
    for other in apps.get_models(include_auto_created=True):
        if _is_history(other) or other in (ImportedObject, StagedFile, RegionImport):
            continue
        for field_ in other._meta.concrete_fields:
            if (
                isinstance(field_, models.ForeignKey)
                and field_.related_model is model
                and field_.remote_field.on_delete is not models.DO_NOTHING
            ):
                found.append((other, field_))
    return found


def _references(record: RegionImport, model: type[models.Model]) -> list[str]:
    """What refers to the objects of ``model`` the import created, other than what the import itself created.

    A row of a many-to-many table belongs to the model that declares the relation (a mandate's tasks are the
    mandate's): it refers to the other side, and counts when the declaring object is not the import's own.
    """
    found = []
    own = _own(record, model)
    for other, field_ in _incoming(model):
        rows = other._default_manager.filter(**{f"{field_.attname}__in": own})
        if other._meta.auto_created:
            owner = other._meta.auto_created
            if not isinstance(owner, type) or field_.related_model is owner:
                continue  # the owner's own rows
            owner_field = next(f for f in other._meta.concrete_fields if f.related_model is owner)
            rows = rows.exclude(**{f"{owner_field.attname}__in": _own(record, owner)})
            for row in rows.select_related(owner_field.name, field_.name)[:_NAMED]:
                found.append(_reference(getattr(row, owner_field.name), getattr(row, field_.name)))
            continue
        rows = rows.exclude(pk__in=_own(record, other))
        for row in rows.select_related(field_.name)[:_NAMED]:
            found.append(_reference(row, getattr(row, field_.name)))
    return found


def _reference(referrer: models.Model, target: models.Model) -> str:
    return _("%(what)s «%(referrer)s» refers to %(kind)s «%(target)s»") % {
        "what": str(referrer._meta.verbose_name).capitalize(),
        "referrer": str(referrer)[:120],
        "kind": target._meta.verbose_name,
        "target": str(target)[:120],
    }


def _changed_since(record: RegionImport, model: type[models.Model]) -> list[str]:
    """Objects the import created that are not as it made them: their latest history row differs from the import's
    own, or says they were deleted.

    A change made and put back (a later import that was undone, a title corrected twice) does not count: undoing
    deletes what the import made, and what the import made is what is there.
    """
    if not _has_history(model) or record.imported_at is None:
        return []
    history = model.history.model  # type: ignore[attr-defined]
    touched = sorted(
        set(
            history.objects.filter(id__in=_own(record, model), history_date__gt=record.imported_at).values_list(
                "id", flat=True
            )
        )
    )
    found = []
    for start in range(0, len(touched), BATCH):
        rows = (
            history.objects.filter(id__in=touched[start : start + BATCH])
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        first: dict[int, Any] = {}
        last: dict[int, Any] = {}
        for row in rows:
            first.setdefault(row.id, row)
            last[row.id] = row
        for pk, latest in last.items():
            if latest.history_type != "-" and not latest.diff_against(first[pk]).changes:
                continue
            found.append(
                _("%(kind)s «%(name)s» was changed after the import (%(when)s, %(who)s)")
                % {
                    "kind": str(model._meta.verbose_name).capitalize(),
                    "name": str(latest.instance)[:120],
                    "when": date_format(timezone.localtime(latest.history_date), "SHORT_DATETIME_FORMAT"),
                    "who": latest.history_user or _("unknown"),
                }
            )
            if len(found) == _NAMED:
                return found
    return found


def _logged_in(record: RegionImport) -> list[str]:
    people = User.objects.filter(pk__in=_own(record, User), last_login__isnull=False).order_by("last_login")
    return [_("%(name)s has logged in since the import") % {"name": person} for person in people[:_NAMED]]


def _changed_again(objects: list[ImportedObject]) -> tuple[list[str], list[tuple[models.Model, ImportedObject]]]:
    """The objects the import changed, and those of them changed again since (their values are not what the import
    wrote)."""
    reasons = []
    restorable = []
    by_type: dict[int, list[ImportedObject]] = defaultdict(list)
    for item in objects:
        by_type[item.content_type_id].append(item)
    for items in by_type.values():
        model = items[0].content_type.model_class()
        assert model is not None
        current = model._default_manager.in_bulk([item.object_id for item in items])
        for item in items:
            obj = current.get(item.object_id)
            if obj is None:
                continue  # deleted since: nothing to restore
            now = {name: json_value(getattr(obj, name)) for name in item.after}
            if now != item.after:
                reasons.append(
                    _("%(kind)s «%(name)s» was changed again after the import")
                    % {"kind": str(model._meta.verbose_name).capitalize(), "name": obj}
                )
            restorable.append((obj, item))
    return reasons, restorable


def _depth(pk: int, links: dict[int, list[int]], seen: frozenset[int] = frozenset()) -> int:
    """How many of the import's networks are above this one (its parent, the network it merged into, theirs …)."""
    above = [p for p in links.get(pk, []) if p in links and p not in seen]
    return 1 + max((_depth(p, links, seen | {pk}) for p in above), default=-1)


def _undo_check(record: RegionImport) -> tuple[list[str], list[tuple[models.Model, ImportedObject]]]:
    reasons: list[str] = []
    for model in MODELS_IN_ORDER:
        reasons += _references(record, model)
        reasons += _changed_since(record, model)
    reasons += _logged_in(record)
    changed = record.imported_objects.filter(action=ImportedObject.Action.CHANGED).select_related("content_type")
    again, restorable = _changed_again(list(changed))
    return reasons + again + _changed_by_later_imports(record), restorable


def _changed_by_later_imports(record: RegionImport) -> list[str]:
    """Records of this import that a later import (not undone) changed: that one must be undone first."""
    mine = record.imported_objects.filter(content_type=OuterRef("content_type"), object_id=OuterRef("object_id"))
    later = (
        ImportedObject.objects.filter(
            region_import__region=record.region,
            region_import__status=RegionImport.Status.DONE,
            region_import__pk__gt=record.pk,
            action=ImportedObject.Action.CHANGED,
        )
        .filter(Exists(mine))
        .select_related("region_import")
        .order_by("pk")
    )
    return [
        _("«%(name)s» was changed by %(import)s: undo that import first")
        % {"name": item.label, "import": item.region_import}
        for item in later[:_NAMED]
    ]


def region_import_undo_blockers(region_import: RegionImport) -> list[str]:
    """What would stop ``region_import_undo`` now (nothing is changed here), for the page that asks first."""
    if region_import.status != RegionImport.Status.DONE:
        return []
    return _undo_check(region_import)[0]


@transaction.atomic
def region_import_undo(*, user: User, region_import: RegionImport) -> RegionImport:
    """Delete what the import created and put back what it changed, while nothing else refers to it.

    Refused (``UndoRefused``, nothing changed) when anything created outside the import refers to what it created
    (a case submitted by an imported person, a meeting planned in an imported network, a role given since), when a
    person it created has logged in, or when anyone changed what it created or changed since. The deletions and the
    restored values have history naming the person and the import.
    """
    require_perm(user, "onboarding.manage_region", region_import.region)
    record = RegionImport.objects.select_for_update().get(pk=region_import.pk)
    if record.status != RegionImport.Status.DONE:
        raise ValidationError(_("Only an import that was carried out can be undone."))
    reasons, restorable = _undo_check(record)
    if reasons:
        raise UndoRefused(reasons)
    reason = _("Undoing %(import)s") % {"import": record.change_reason}
    with acting_as(user):
        _delete_created(record, reason[:100])
        _restore_changed(restorable, reason[:100])
    record.status = RegionImport.Status.UNDONE
    record.undone_by = user
    record.undone_at = timezone.now()
    record.save(update_fields=["status", "undone_by", "undone_at"])
    return record


def _delete_created(record: RegionImport, reason: str) -> None:
    started = timezone.now()
    for model in reversed(MODELS_IN_ORDER):
        own = list(_own(record, model).values_list("object_id", flat=True))
        if not own:
            continue
        if model is Network:
            # Sub-groups before their parents, and a network merged into another before that one.
            networks = list(Network.objects.filter(pk__in=own))
            links = {n.pk: [p for p in (n.parent_id, n.merged_into_id) if p is not None] for n in networks}
            depth: dict[int, int] = {}
            for network in networks:
                depth[network.pk] = _depth(network.pk, links)
            for level in sorted(set(depth.values()), reverse=True):
                Network.objects.filter(pk__in=[pk for pk, d in depth.items() if d == level]).delete()
        else:
            for start in range(0, len(own), BATCH * 10):
                model._default_manager.filter(pk__in=own[start : start + BATCH * 10]).delete()
        if _has_history(model):
            history = model.history.model  # type: ignore[attr-defined]
            history.objects.filter(
                id__in=Subquery(_own(record, model)), history_type="-", history_date__gte=started
            ).update(history_change_reason=reason)


def _restore_changed(restorable: list[tuple[models.Model, ImportedObject]], reason: str) -> None:
    by_model: dict[type[models.Model], list[tuple[models.Model, ImportedObject]]] = defaultdict(list)
    for obj, item in restorable:
        by_model[type(obj)].append((obj, item))
    for model, pairs in by_model.items():
        fields: set[str] = set()
        objs = []
        for obj, item in pairs:
            for attname, value in item.before.items():
                field_ = next(f for f in model._meta.concrete_fields if f.attname == attname or f.name == attname)
                setattr(obj, field_.attname, None if value is None else field_.to_python(value))
                fields.add(field_.name)
            obj._change_reason = reason  # type: ignore[attr-defined]
            objs.append(obj)
        names = [*sorted(fields), *_next_versions(model, objs)]
        if _has_history(model):
            update_with_history(objs, names, batch_size=BATCH)
        else:
            model._default_manager.bulk_update(objs, names, batch_size=BATCH)
