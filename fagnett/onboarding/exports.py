"""Leaving is possible too: everything a region holds in Fagnett as one documented ZIP file.

The ZIP has
- ``README.txt``: what each file is and what each column or field means (written from the same tables as the
  files, so it cannot miss one);
- CSV files (``core.spreadsheet.write_csv``: semicolon-separated, UTF-8 with BOM, formula-safe) with the columns
  people need in a spreadsheet. Eight of them (``trusts.csv`` … ``appointments.csv``) have exactly the columns of the
  import's templates, with the column codes as headers, so the import reads the ZIP back into another region;
- ``json/<app>.<model>.json``: every record of the region, every field, as Django's serializer writes it (ids are
  Fagnett's own and consistent across the files), for a complete move to another system;
- ``files/``: the uploaded agenda documents and case attachments, listed in ``files.csv``.

Left out, and why: API keys and calendar addresses (secrets, stored only as hashes, useless elsewhere), reminder
logs (bookkeeping of e-mails sent), passwords (people log in by single sign-on), and this app's own import records.
"""

import datetime
import functools
import hashlib
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core import serializers
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.budget.models import Expense, Grant
from fagnett.capacity.models import NUMBER_FIELDS, Assessment, CapacityEntry, ReportRound, UnitProfile
from fagnett.cases.models import Case, CaseAttachment, CaseCounter, CaseEvent, CommonCase, Consultation
from fagnett.core.spreadsheet import write_csv
from fagnett.events.models import Event, Registration
from fagnett.funding.models import Application, ApplicationEvent, BudgetLine, FundingCall
from fagnett.meetings.models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Attendance,
    Meeting,
    Minutes,
    MinutesComment,
    MinutesItem,
)
from fagnett.networks.models import Appointment, Mandate, Network, TaskListItem
from fagnett.onboarding.planning import RHF
from fagnett.onboarding.schema import SHEETS, SheetSpec
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from fagnett.procedures.models import Procedure, StatusEvent
from fagnett.progress.models import ProgressReport, ReportingSchedule
from fagnett.reports.models import NetworkReport, ReflectionPoint, RegionalReport, TaskRanking
from fagnett.topics.models import Topic

#: the most rows of one CSV file (every capacity entry of a region over many years fits)
MAX_ROWS = 2_000_000
#: the fields of a person the export carries (never the password hash or the staff flags)
PERSON_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "title",
    "trust",
    "region_employer",
    "language",
    "sso_identifier",
    "is_active",
    "last_login",
    "date_joined",
)


def region_people(region: Region) -> QuerySet[User]:
    """Everyone who works in the region: employed by one of its trusts or by the RHF itself."""
    return User.objects.filter(Q(trust__region=region) | Q(region_employer=region)).select_related("trust")


#: model → the lookup from it to its region (``""`` for the region itself); every record the export holds
RECORDS: tuple[tuple[type[models.Model], str], ...] = (
    (Region, ""),
    (HealthTrust, "region"),
    (Hospital, "trust__region"),
    (Unit, "hospital__trust__region"),
    (RegionRole, "region"),
    (TrustRole, "trust__region"),
    (TaskListItem, "region"),
    (Network, "region"),
    (Mandate, "network__region"),
    (Appointment, "network__region"),
    (CommonCase, "region"),
    (Case, "region"),
    (CaseCounter, "network__region"),
    (CaseEvent, "case__region"),
    (CaseAttachment, "case__region"),
    (Consultation, "case__region"),
    (ReportingSchedule, "case__region"),
    (ProgressReport, "case__region"),
    (Meeting, "network__region"),
    (AgendaItem, "meeting__network__region"),
    (AgendaDocument, "item__meeting__network__region"),
    (Attendance, "meeting__network__region"),
    (Minutes, "meeting__network__region"),
    (MinutesItem, "minutes__meeting__network__region"),
    (MinutesComment, "minutes__meeting__network__region"),
    (ActionItem, "network__region"),
    (Procedure, "network__region"),
    (StatusEvent, "procedure__network__region"),
    (Grant, "network__region"),
    (Expense, "network__region"),
    (NetworkReport, "network__region"),
    (TaskRanking, "report__network__region"),
    (ReflectionPoint, "region"),
    (RegionalReport, "region"),
    (ReportRound, "region"),
    (CapacityEntry, "round__region"),
    (Assessment, "round__region"),
    (UnitProfile, "unit__hospital__trust__region"),
    (Topic, "region"),
    (Event, "region"),
    (Registration, "event__region"),
    (FundingCall, "region"),
    (Application, "call__region"),
    (BudgetLine, "application__call__region"),
    (ApplicationEvent, "application__call__region"),
)


def records(model: type[models.Model], path: str, region: Region) -> QuerySet[Any]:
    manager = model._default_manager
    if model is Region:
        return manager.filter(pk=region.pk)
    return manager.filter(**{path: region}).order_by("pk")


# --- The CSV tables ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    description: Promise
    #: (header, what it holds)
    columns: Sequence[tuple[str, Promise | str]]
    rows: Callable[[Region], Iterable[Sequence[Any]]]


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def _trust_ref(trust: HealthTrust | None) -> str:
    if trust is None:
        return ""
    return trust.org_number or trust.name


def _email(user: User | None) -> str:
    return user.email if user is not None else ""


def _import_columns(spec: SheetSpec) -> list[tuple[str, Promise | str]]:
    return [(column.code, column.help) for column in spec.columns]


def _trusts(region: Region) -> Iterator[list[Any]]:
    for trust in HealthTrust.objects.filter(region=region).order_by("name"):
        yield [trust.org_number, trust.name, trust.short_name, trust.population]


def _hospitals(region: Region) -> Iterator[list[Any]]:
    for hospital in (
        Hospital.objects.filter(trust__region=region).select_related("trust").order_by("trust__name", "name")
    ):
        yield [_trust_ref(hospital.trust), hospital.name, hospital.municipality]


def _units(region: Region) -> Iterator[list[Any]]:
    units = Unit.objects.filter(hospital__trust__region=region).select_related("hospital__trust")
    for unit in units.order_by("hospital__trust__name", "hospital__name", "name"):
        yield [_trust_ref(unit.hospital.trust), unit.hospital.name, unit.name, unit.kind, unit.age_group, unit.resh_id]


def _people(region: Region) -> Iterator[list[Any]]:
    for person in region_people(region).order_by("email", "pk"):
        employer = _trust_ref(person.trust) if person.trust_id else RHF.upper()
        yield [person.email, person.first_name, person.last_name, person.title, employer]


def _task_list(region: Region) -> Iterator[list[Any]]:
    for task in TaskListItem.objects.filter(region=region).order_by("order", "code"):
        yield [task.code, task.title, task.order]


def _networks(region: Region) -> Iterator[list[Any]]:
    networks = Network.objects.filter(region=region).select_related("parent", "merged_into").order_by("name")
    for n in networks:
        yield [
            n.name,
            n.field,
            n.kind,
            n.parent.name if n.parent else "",
            n.status,
            n.merged_into.name if n.merged_into else "",
            _date(n.established_on),
            n.description,
        ]


def _mandates(region: Region) -> Iterator[list[Any]]:
    current: dict[int, Mandate] = {}
    mandates = (
        Mandate.objects.filter(network__region=region)
        .select_related("network", "secretariat_trust", "archive_trust")
        .prefetch_related("tasks")
        .order_by("network_id", "version")
    )
    for mandate in mandates:
        current[mandate.network_id] = mandate
    for m in sorted(current.values(), key=lambda m: m.network.name):
        yield [
            m.network.name,
            m.purpose,
            ", ".join(t.code for t in sorted(m.tasks.all(), key=lambda t: (t.order, t.code))),
            m.specific_tasks,
            _date(m.period_start),
            _date(m.period_end),
            m.min_meetings_per_year,
            m.meeting_form,
            _trust_ref(m.secretariat_trust),
            _trust_ref(m.archive_trust),
            int(m.budget_amount) if m.budget_amount is not None else "",
            m.budget_note,
            m.approved_by,
            _date(m.approved_on),
        ]


def _appointments(region: Region) -> Iterator[list[Any]]:
    appointments = (
        Appointment.objects.filter(
            network__region=region, status__in=[Appointment.Status.APPOINTED, Appointment.Status.ENDED]
        )
        .select_related("network", "person", "trust")
        .order_by("network__name", "role", "person__email", "pk")
    )
    for a in appointments:
        trust = _trust_ref(a.trust) if a.trust else (RHF.upper() if a.person.trust_id else "")
        yield [a.person.email, a.network.name, a.role, trust, _date(a.start_date), _date(a.end_date)]


def _roles(region: Region) -> Iterator[list[Any]]:
    for role in RegionRole.objects.filter(region=region).select_related("user").order_by("role", "user__email"):
        yield [role.user.email, "region", "", role.role]
    for trust_role in (
        TrustRole.objects.filter(trust__region=region)
        .select_related("user", "trust")
        .order_by("trust__name", "role", "user__email")
    ):
        yield [trust_role.user.email, "trust", _trust_ref(trust_role.trust), trust_role.role]


def _meetings(region: Region) -> Iterator[list[Any]]:
    meetings = Meeting.objects.filter(network__region=region).select_related("network").order_by("starts_at", "pk")
    for m in meetings:
        yield [
            m.pk,
            m.network.name,
            _date(m.starts_at),
            _date(m.ends_at),
            m.form,
            m.status,
            m.title,
            m.location,
            m.video_link,
        ]


def _attendance(region: Region) -> Iterator[list[Any]]:
    rows = (
        Attendance.objects.filter(meeting__network__region=region)
        .select_related("meeting__network", "person", "trust")
        .order_by("meeting__starts_at", "pk")
    )
    for a in rows:
        yield [
            a.meeting_id,
            a.meeting.network.name,
            _date(a.meeting.starts_at),
            a.person.email,
            _trust_ref(a.trust),
            a.status,
        ]


def _action_items(region: Region) -> Iterator[list[Any]]:
    items = ActionItem.objects.filter(network__region=region).select_related("network", "owner", "case")
    for item in items.order_by("due_date", "pk"):
        yield [
            item.network.name,
            item.title,
            _email(item.owner),
            _date(item.due_date),
            item.status,
            _date(item.done_at),
            item.meeting_id or "",
            item.case.reference if item.case else "",
        ]


def _cases(region: Region) -> Iterator[list[Any]]:
    cases = Case.objects.filter(region=region).select_related("network", "trust", "submitted_by", "responsible")
    for c in cases.order_by("submitted_at", "pk"):
        yield [
            c.pk,
            c.reference,
            c.network.name if c.network else "",
            c.title,
            c.status,
            c.source,
            _trust_ref(c.trust),
            _email(c.submitted_by),
            _date(c.submitted_at),
            _date(c.due_date),
            _email(c.responsible),
            _date(c.decided_at),
        ]


def _case_events(region: Region) -> Iterator[list[Any]]:
    events = CaseEvent.objects.filter(case__region=region).select_related("case", "actor").order_by("at", "pk")
    for e in events:
        yield [e.case_id, e.case.reference, _date(e.at), e.kind, _email(e.actor), e.text]


def _procedures(region: Region) -> Iterator[list[Any]]:
    procedures = Procedure.objects.filter(network__region=region).select_related("network", "responsible")
    for p in procedures.order_by("network__name", "title", "pk"):
        yield [p.pk, p.network.name, p.kind, p.title, p.status, _email(p.responsible), _date(p.review_date), p.url]


def _procedure_events(region: Region) -> Iterator[list[Any]]:
    events = StatusEvent.objects.filter(procedure__network__region=region).select_related("procedure__network")
    for e in events.order_by("happened_on", "pk"):
        yield [e.procedure_id, e.procedure.network.name, e.from_status, e.status, _date(e.happened_on), e.note]


def _network_reports(region: Region) -> Iterator[list[Any]]:
    reports = NetworkReport.objects.filter(network__region=region).select_related("network")
    for r in reports.order_by("network__name", "year"):
        reviewed = "" if r.registry_data_reviewed is None else ("yes" if r.registry_data_reviewed else "no")
        yield [r.network.name, r.year, r.status, reviewed, _date(r.submitted_at), _date(r.accepted_at)]


def _capacity(region: Region) -> Iterator[list[Any]]:
    entries = (
        CapacityEntry.objects.filter(round__region=region)
        .select_related("round", "unit__hospital__trust")
        .order_by("round__period_start", "unit__hospital__trust__name", "unit__hospital__name", "unit__name", "pk")
    )
    for e in entries.iterator(chunk_size=2000):
        yield [
            e.round.name,
            _trust_ref(e.unit.hospital.trust),
            e.unit.hospital.name,
            e.unit.name,
            e.category,
            e.scenario,
            *(getattr(e, name) for name in NUMBER_FIELDS),
            e.status,
            ",".join(e.restrictions),
            e.comment,
            e.version,
            "yes" if e.is_current else "no",
        ]


def _grants(region: Region) -> Iterator[list[Any]]:
    for g in Grant.objects.filter(network__region=region).select_related("network").order_by("network__name", "pk"):
        yield [g.pk, g.network.name, g.amount, _date(g.period_start), _date(g.period_end)]


def _expenses(region: Region) -> Iterator[list[Any]]:
    for x in Expense.objects.filter(network__region=region).select_related("network").order_by("spent_on", "pk"):
        yield [x.network.name, x.grant_id or "", x.kind, x.amount, _date(x.spent_on)]


TABLES: tuple[Table, ...] = (
    Table(
        "trusts",
        _("The region's health trusts (the import's sheet of health trusts)."),
        _import_columns(SHEETS["trusts"]),
        _trusts,
    ),
    Table(
        "hospitals",
        _("Their hospitals (the import's sheet of hospitals); trust: organisation number or name."),
        _import_columns(SHEETS["hospitals"]),
        _hospitals,
    ),
    Table(
        "units",
        _("Their units (the import's sheet of units); kind and age group as codes."),
        _import_columns(SHEETS["units"]),
        _units,
    ),
    Table(
        "people",
        _(
            "Everyone employed by the region's trusts or by the RHF (the import's sheet of people); "
            "employer RHF: the regional health authority."
        ),
        _import_columns(SHEETS["people"]),
        _people,
    ),
    Table(
        "task_list", _("The region's standard list of network tasks."), _import_columns(SHEETS["task_list"]), _task_list
    ),
    Table(
        "networks",
        _("The networks, councils and working groups (the import's sheet of networks)."),
        _import_columns(SHEETS["networks"]),
        _networks,
    ),
    Table(
        "mandates",
        _("Each network's current mandate (every version is in json/networks.mandate.json)."),
        _import_columns(SHEETS["mandates"]),
        _mandates,
    ),
    Table(
        "appointments",
        _(
            "Appointments, current and ended (nominations and declined ones are in "
            "json/networks.appointment.json). Trust RHF: the RHF's own representative."
        ),
        _import_columns(SHEETS["appointments"]),
        _appointments,
    ),
    Table(
        "roles",
        _("Regional roles (coordinator, medical director) and trust roles (fagsjef, capacity reporter)."),
        [
            ("email", _("The person's e-mail address.")),
            ("scope", _("region or trust")),
            ("trust", _("For a trust role: the trust's organisation number or name.")),
            ("role", _("The role's code.")),
        ],
        _roles,
    ),
    Table(
        "meetings",
        _("Every meeting of the region's networks."),
        [
            ("id", _("The meeting's id (json/meetings.meeting.json, files/agenda/).")),
            ("network", _("Network.")),
            ("starts_at", _("Start, Oslo time.")),
            ("ends_at", _("End, Oslo time.")),
            ("form", _("digital, physical or hybrid")),
            ("status", _("planned, invited, held or cancelled")),
            ("title", _("Title.")),
            ("location", _("Place.")),
            ("video_link", _("Video link.")),
        ],
        _meetings,
    ),
    Table(
        "attendance",
        _("Attendance per meeting and person, with the trust the person represented then."),
        [
            ("meeting", _("The meeting's id.")),
            ("network", _("Network.")),
            ("starts_at", _("When.")),
            ("email", _("The person's e-mail address.")),
            ("trust", _("The trust represented.")),
            ("status", _("present, absent or excused")),
        ],
        _attendance,
    ),
    Table(
        "action_items",
        _("Action items (oppfølgingspunkter)."),
        [
            ("network", _("Network.")),
            ("title", _("The action.")),
            ("owner", _("The owner's e-mail address.")),
            ("due_date", _("Due.")),
            ("status", _("open or done")),
            ("done_at", _("When it was done.")),
            ("meeting", _("The meeting's id, if it came from one.")),
            ("case", _("The case number, if any.")),
        ],
        _action_items,
    ),
    Table(
        "cases",
        _("Every case submitted in the region (its full text is in json/cases.case.json)."),
        [
            ("id", _("The case's id (json, files/cases/).")),
            ("reference", _("The case number: the network's code, year/number.")),
            ("network", _("The network that received it.")),
            ("title", _("Title.")),
            ("status", _("Status code.")),
            ("source", _("Where it came from (code).")),
            ("trust", _("The trust it concerns.")),
            ("submitted_by", _("The submitter's e-mail address.")),
            ("submitted_at", _("Submitted.")),
            ("due_date", _("Answer wanted by.")),
            ("responsible", _("The responsible person's e-mail address.")),
            ("decided_at", _("When the decision was recorded.")),
        ],
        _cases,
    ),
    Table(
        "case_events",
        _("Each case's timeline."),
        [
            ("case", _("The case's id.")),
            ("reference", _("The case number.")),
            ("at", _("When.")),
            ("kind", _("What happened (code).")),
            ("actor", _("Who (e-mail address).")),
            ("text", _("Comment.")),
        ],
        _case_events,
    ),
    Table(
        "procedures",
        _("Regional procedures and pathways."),
        [
            ("id", _("The procedure's id.")),
            ("network", _("Network.")),
            ("kind", _("procedure or pathway")),
            ("title", _("Title.")),
            ("status", _("Status code.")),
            ("responsible", _("The responsible person's e-mail address.")),
            ("review_date", _("Review date.")),
            ("url", _("Where the document is.")),
        ],
        _procedures,
    ),
    Table(
        "procedure_events",
        _("Each procedure's dated changes of status (what the annual report counts)."),
        [
            ("procedure", _("The procedure's id.")),
            ("network", _("Network.")),
            ("from_status", _("Status before.")),
            ("status", _("Status after.")),
            ("happened_on", _("Date.")),
            ("note", _("Note.")),
        ],
        _procedure_events,
    ),
    Table(
        "network_reports",
        _("The networks' annual reports (their text and frozen figures are in json/reports.networkreport.json)."),
        [
            ("network", _("Network.")),
            ("year", _("Year.")),
            ("status", _("draft, submitted or accepted")),
            ("registry_data_reviewed", _("yes, no or blank")),
            ("submitted_at", _("Submitted.")),
            ("accepted_at", _("Accepted.")),
        ],
        _network_reports,
    ),
    Table(
        "capacity_entries",
        _("Every ICU capacity entry of every report round, every version."),
        [
            ("round", _("Report round.")),
            ("trust", _("Trust.")),
            ("hospital", _("Hospital.")),
            ("unit", _("Unit.")),
            ("category", _("K1, K2 or K3")),
            ("scenario", _("Scenario code.")),
            *(
                (name, str(getattr(CapacityEntry._meta.get_field(name), "verbose_name", name)))
                for name in NUMBER_FIELDS
            ),
            ("status", _("available, limited or full")),
            ("restrictions", _("Restriction codes, comma-separated.")),
            ("comment", _("Comment.")),
            ("version", _("Version.")),
            ("current", _("yes for the current version")),
        ],
        _capacity,
    ),
    Table(
        "grants",
        _("Grants to networks."),
        [
            ("id", _("The grant's id.")),
            ("network", _("Network.")),
            ("amount", _("NOK.")),
            ("period_start", _("From.")),
            ("period_end", _("To.")),
        ],
        _grants,
    ),
    Table(
        "expenses",
        _("Expenses of networks."),
        [
            ("network", _("Network.")),
            ("grant", _("The grant's id.")),
            ("kind", _("Kind (code).")),
            ("amount", _("NOK.")),
            ("spent_on", _("Date.")),
        ],
        _expenses,
    ),
)


# --- Files ---------------------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def _safe_name(name: str) -> str:
    return _UNSAFE.sub("_", name).strip(" .")[:120] or "file"


def _documents(region: Region) -> Iterator[tuple[str, str, int, Any]]:
    """(path in the ZIP, kind, record id, the stored file) of every uploaded file of the region."""
    documents = AgendaDocument.objects.filter(item__meeting__network__region=region).select_related("item")
    for d in documents.order_by("pk"):
        yield f"files/agenda/{d.item.meeting_id}/{d.pk}-{_safe_name(d.original_name)}", "agenda_document", d.pk, d
    attachments = CaseAttachment.objects.filter(case__region=region).select_related("case")
    for a in attachments.order_by("pk"):
        yield f"files/cases/{a.case_id}/{a.pk}-{_safe_name(a.original_name)}", "case_attachment", a.pk, a


# --- The README ----------------------------------------------------------------------------------------------------


def _field_line(field_: Any) -> str:
    label = str(getattr(field_, "verbose_name", field_.name))
    line = f"    {field_.name}: {label}"
    if getattr(field_, "help_text", ""):
        line += f" – {field_.help_text}"
    choices = getattr(field_, "choices", None)
    if choices:
        line += " (" + ", ".join(f"{value} = {text}" for value, text in choices) + ")"
    if field_.is_relation and field_.related_model is not None:
        line += " → " + gettext("id in json/%(file)s.json") % {"file": field_.related_model._meta.label_lower}
    return line


def readme(region: Region, *, made_at: datetime.datetime, counts: dict[str, int]) -> str:
    lines = [
        gettext("Fagnett: everything %(region)s holds, exported %(when)s.")
        % {"region": region.name, "when": timezone.localtime(made_at).strftime("%d.%m.%Y %H:%M")},
        "",
        gettext(
            "CSV files are separated by semicolons and saved as UTF-8 (with a byte-order mark, for Excel). Text that a "
            "spreadsheet would read as a formula starts with an apostrophe. Dates are yyyy-mm-dd, times Oslo time."
        ),
        gettext(
            "The first eight CSV files have the columns of Fagnett's import templates: upload this ZIP file on the "
            "page Onboarding of another region (or another Fagnett) to bring the organisation, people and networks in."
        ),
        gettext(
            "The json folder has every record with every field, as Django's serializer writes them; the ids are "
            "Fagnett's own and the same in every file."
        ),
        gettext(
            "Left out: passwords, API keys and calendar addresses (only their hashes are kept, they work nowhere "
            "else), the logs of reminders sent, and the records of imports."
        ),
        "",
        "== " + gettext("CSV files") + " ==",
    ]
    for table in TABLES:
        lines += ["", f"{table.name}.csv ({counts.get(table.name, 0)}) – {table.description}"]
        lines += [f"    {header}: {text}" for header, text in table.columns]
    lines += [
        "",
        "files.csv – " + gettext("Every uploaded file in the folder files/: agenda documents and case attachments."),
        "    path: " + gettext("Where the file is in this ZIP file."),
        "    kind: agenda_document | case_attachment",
        "    id: " + gettext("The record's id in json/meetings.agendadocument.json or json/cases.caseattachment.json."),
        "    name: " + gettext("The file's name when it was uploaded."),
        "    size: " + gettext("Bytes."),
        "    sha256: " + gettext("The file's SHA-256, to check it."),
        "",
        "== " + gettext("JSON files") + " ==",
    ]
    for model, _path in RECORDS:
        name = model._meta.label_lower
        lines += ["", f"json/{name}.json ({counts.get(name, 0)}) – {model._meta.verbose_name_plural}"]
        fields = [f for f in model._meta.concrete_fields if model is not User or f.name in PERSON_FIELDS]
        lines += [_field_line(f) for f in fields]
        lines += [_field_line(f) for f in model._meta.many_to_many]
    return "\n".join(lines) + "\n"


# --- The ZIP -------------------------------------------------------------------------------------------------------


def region_export(region: Region) -> IO[bytes]:
    """The region's export as a ZIP file in a temporary file (on disk once it is large), positioned at its start.

    The caller has checked that the person may export the region (``onboarding.manage_region``).
    """
    made_at = timezone.now()
    counts: dict[str, int] = {}
    target = tempfile.SpooledTemporaryFile(max_size=50 * 1024 * 1024)  # noqa: SIM115 — returned to the caller
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as package:
        for table in TABLES:
            rows = list(table.rows(region))
            counts[table.name] = len(rows)
            package.writestr(
                f"{table.name}.csv", write_csv([header for header, _text in table.columns], rows, max_rows=MAX_ROWS)
            )
        for model, path in RECORDS:
            queryset = records(model, path, region)
            name = model._meta.label_lower
            counts[name] = queryset.count()
            fields = PERSON_FIELDS if model is User else None
            with package.open(f"json/{name}.json", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as text:
                serializers.serialize("json", queryset.iterator(chunk_size=2000), stream=text, indent=1, fields=fields)
        people = region_people(region).order_by("pk")
        counts["accounts.user"] = people.count()
        with package.open("json/accounts.user.json", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as text:
            serializers.serialize("json", people.iterator(chunk_size=2000), stream=text, indent=1, fields=PERSON_FIELDS)
        index = []
        for path_in_zip, kind, record_id, record in _documents(region):
            digest = hashlib.sha256()
            size = 0
            try:
                with record.file.open("rb") as source, package.open(path_in_zip, "w", force_zip64=True) as sink:
                    for chunk in iter(functools.partial(source.read, 1024 * 1024), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        sink.write(chunk)
            except FileNotFoundError:
                index.append([path_in_zip, kind, record_id, record.original_name, "", gettext("the file is missing")])
                continue
            index.append([path_in_zip, kind, record_id, record.original_name, size, digest.hexdigest()])
        counts["files"] = len(index)
        package.writestr(
            "files.csv", write_csv(["path", "kind", "id", "name", "size", "sha256"], index, max_rows=MAX_ROWS)
        )
        package.writestr("README.txt", readme(region, made_at=made_at, counts=counts))
    target.seek(0)
    return target
