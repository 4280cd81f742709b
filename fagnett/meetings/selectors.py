"""Reads for meetings, scoped to the person asking; list pages keep a fixed number of queries."""

import datetime
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, Count, F, Field, IntegerField, Model, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.core import rows as prepared
from fagnett.core import statements
from fagnett.core.permissions import perm_checker
from fagnett.meetings.models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Attendance,
    AttendanceReply,
    CalendarFeed,
    DeputyInvitation,
    Meeting,
    Minutes,
    MinutesComment,
    MinutesItem,
    withheld_case_title,
)
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network
from fagnett.networks.selectors import (
    minimum_in_force,
    network_participants,
    year_end_status_params,
    year_end_status_sql,
)
from fagnett.organisations.models import HealthTrust, Region
from fagnett.topics.models import Topic

COUNTED = (Meeting.Status.PLANNED, Meeting.Status.INVITED, Meeting.Status.HELD)


def meeting_list(*, network: Network, year: int | None = None) -> QuerySet[Meeting]:
    meetings = network.meetings.select_related("network").annotate(item_count=Count("agenda_items"))
    if year:
        meetings = meetings.filter(starts_at__year=year)
    return meetings.order_by("starts_at")


def meeting_get(*, user: User, meeting_id: int) -> Meeting:
    """The meeting with its network and region, if the person may see it; 404 otherwise.

    Every meeting page opens with it, so it is one hand-written statement (``_meeting_with_network``): the ORM's
    ``select_related("network", "network__region").get()`` cost a millisecond of Python to compile its 33 columns,
    more than the rest of a small page. A test holds the two to the same instances."""
    meeting = _meeting_with_network(meeting_id)
    if meeting is None or not user.has_perm("meetings.view_meeting", meeting):
        raise Http404
    return meeting


def _meeting_with_network(meeting_id: int) -> Meeting | None:
    """``Meeting.objects.select_related("network", "network__region").get(pk=meeting_id)`` (None if there is none) in
    one hand-written statement, the same on PostgreSQL and SQLite: every column of the three, made instances by
    ``core.statements`` as the ORM makes them."""
    if not statements.pk_in_range(Meeting, meeting_id):  # as the ORM, which finds nothing without asking
        return None
    columns = ", ".join(
        statements.select_columns(model, alias) for model, alias in ((Meeting, "m"), (Network, "n"), (Region, "r"))
    )
    sql = f"""
        SELECT {columns} FROM {Meeting._meta.db_table} m
        JOIN {Network._meta.db_table} n ON n.id = m.network_id
        JOIN {Region._meta.db_table} r ON r.id = n.region_id
        WHERE m.id = %s
    """  # noqa: S608 -- only table and column names from the models are formatted in
    with connection.cursor() as db:
        db.execute(sql, [meeting_id])
        row = db.fetchone()
    if row is None:
        return None
    meeting, network, region = statements.load_row(row, (Meeting, Network, Region))
    # Set through the relations' descriptors, which keep each as select_related does (nothing is asked later).
    network.region = region
    meeting.network = network
    return cast(Meeting, meeting)


# --- Cases behind agenda items, minutes and action items -----------------------------------------------------------
#
# A meeting is read by its whole region, but a case only by the people the case rules name (cases.rules: the
# submitter, the case's network, the region's coordinator and medical directors, the fagsjef of its trust). An agenda
# item, a minutes item and an action item of a case are the case's: for anyone else they show the case's number and
# nothing written on them. Every page, document and history that shows them takes the items marked here.


class CaseReader:
    """Whether one person (or one audience) may read each case behind the items shown to them.

    Each case is decided once; no decision queries the database, so marking a long agenda costs nothing more.
    """

    def __init__(self, reads: Callable[[Any], bool]) -> None:
        self._reads = reads
        self._decided: dict[int, bool] = {}

    def __call__(self, case: Any) -> bool:
        if case.pk not in self._decided:
            self._decided[case.pk] = bool(self._reads(case))
        return self._decided[case.pk]


def case_reader(user: User) -> CaseReader:
    """The person's own view: the case rules (``cases.view_case``) decide from the case's columns and the person's
    access, which is loaded once per request. The backends are built once for all the cases (``perm_checker``)."""
    return CaseReader(perm_checker(user, "cases.view_case"))


def network_case_reader(network: Network) -> CaseReader:
    """The view of the network's people as one body: the network's own cases, and no other's. For what goes to all
    of them at once — the invitation e-mail to everyone appointed, the archive extract that is the network's record —
    where each of them may read the network's cases (the case rules let the network's people read them)."""
    return CaseReader(lambda case: case.network_id == network.pk)


Marked = TypeVar("Marked", AgendaItem, ActionItem)


def mark_cases(items: Iterable[Marked], reader: CaseReader) -> list[Marked]:
    """Set ``can_read_case`` on each item for ``reader``; the items' cases must be loaded (``select_related``)."""
    marked = list(items)
    for item in marked:
        item.can_read_case = item.case_id is None or reader(item.case)
    return marked


def withheld_agenda_items(
    *, reader: CaseReader, agenda_item_ids: Iterable[int], case_ids: Mapping[int, Iterable[int]] | None = None
) -> dict[int, str]:
    """The agenda items among ``agenda_item_ids`` whose case ``reader`` may not read, with the title to show instead.

    For histories: an item counts as its case's if it has the case now or ``case_ids`` (item → the cases its
    historical rows name) says it had one. A case deleted since cannot be decided, so it is withheld. Two queries.
    """
    cases_of: dict[int, set[int]] = {pk: set() for pk in agenda_item_ids}
    for pk, ids in (case_ids or {}).items():
        cases_of.setdefault(pk, set()).update(ids)
    for pk, case_id in AgendaItem.objects.filter(pk__in=list(cases_of), case__isnull=False).values_list(
        "pk", "case_id"
    ):
        cases_of[pk].add(case_id)
    wanted = set().union(*cases_of.values()) if cases_of else set()
    if not wanted:
        return {}
    case_model = AgendaItem._meta.get_field("case").related_model
    cases = {case.pk: case for case in case_model._default_manager.filter(pk__in=wanted)}
    withheld = {}
    for pk, ids in cases_of.items():
        for case_id in sorted(ids):
            case = cases.get(case_id)
            if case is None or not reader(case):
                withheld[pk] = withheld_case_title(case)
                break
    return withheld


def agenda(*, meeting: Meeting, reader: CaseReader) -> list[AgendaItem]:
    """The agenda with each item and its action items marked for ``reader`` (``display_title``, ``withholds_case``)."""
    items = mark_cases(
        meeting.agenda_items.select_related("case")
        .prefetch_related(Prefetch("documents", queryset=AgendaDocument.objects.order_by("pk")))
        .prefetch_related(Prefetch("action_items", queryset=ActionItem.objects.select_related("owner", "case")))
        .prefetch_related("topics")
        .order_by("order", "pk"),
        reader,
    )
    for item in items:
        mark_cases(item.action_items.all(), reader)
    return items


def open_action_items(
    *, network: Network, reader: CaseReader, before: datetime.datetime | None = None
) -> list[ActionItem]:
    """Action items of the network still open, marked for ``reader``.

    With ``before`` (a meeting's start): the items that were open when the meeting began — made before it, and open
    now or closed since — so the meeting's follow-up item keeps listing what it followed up, with what was done.
    """
    items = network.action_items.select_related("owner", "meeting", "case", "done_by")
    items = items.filter(status=ActionItem.Status.OPEN) if before is None else _open_when(items, before)
    return mark_cases(items.order_by("due_date", "pk"), reader)


def document_get(*, user: User, document_id: int) -> AgendaDocument:
    """A document of an agenda item, for the network's people; a case's item's document also for its readers only."""
    try:
        document = AgendaDocument.objects.select_related("item__meeting__network", "item__case").get(pk=document_id)
    except AgendaDocument.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("meetings.view_documents", document):
        raise Http404
    if mark_cases([document.item], case_reader(user))[0].withholds_case:
        raise Http404
    return document


def agenda_item_get(*, user: User, item_id: int) -> AgendaItem:
    try:
        item = AgendaItem.objects.select_related("meeting__network__region").get(pk=item_id)
    except AgendaItem.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("meetings.view_meeting", item.meeting):
        raise Http404
    return item


def action_item_get_for_update(*, user: User, item_id: int) -> ActionItem:
    """An action item the person may mark done (its network's leader or secretary, or its owner); 404 otherwise."""
    try:
        item = ActionItem.objects.select_related("network").get(pk=item_id)
    except ActionItem.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("meetings.update_action_item", item):
        raise Http404
    return item


def minutes_versions(*, meeting: Meeting) -> list[Minutes]:
    return list(meeting.minutes.select_related("approved_by", "created_by").order_by("-version"))


def minutes_get(*, user: User, meeting: Meeting, version: int) -> Minutes:
    """The minutes if the person may read them, their items' agenda items marked for the person (``withholds_case``)."""
    try:
        minutes = (
            meeting.minutes.select_related("approved_by", "meeting__network")
            .prefetch_related(Prefetch("items", queryset=MinutesItem.objects.select_related("agenda_item__case")))
            .prefetch_related(Prefetch("comments", queryset=MinutesComment.objects.select_related("author", "item")))
            .get(version=version)
        )
    except Minutes.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("meetings.view_minutes", minutes):
        raise Http404
    mark_cases([item.agenda_item for item in minutes.items.all()], case_reader(user))
    return minutes


def minutes_items(*, minutes: Minutes, reader: CaseReader) -> list[MinutesItem]:
    """The minutes' items in agenda order with their action items, marked for ``reader`` (for the documents)."""
    items = list(
        minutes.items.select_related("agenda_item__case").prefetch_related(
            Prefetch("agenda_item__action_items", queryset=ActionItem.objects.select_related("owner", "case"))
        )
    )
    mark_cases([item.agenda_item for item in items], reader)
    for item in items:
        mark_cases(item.agenda_item.action_items.all(), reader)
    return items


def attendance_rows(*, meeting: Meeting) -> list[dict[str, Any]]:
    """Everyone appointed (and anyone already registered), with their recorded attendance; until it is recorded, whoever
    answered that they cannot come starts as excused."""
    recorded = {a.person_id: a for a in meeting.attendance.select_related("person", "trust")}
    regrets = set(meeting.replies.filter(answer=AttendanceReply.Answer.NOT_COMING).values_list("person_id", flat=True))
    rows = []
    seen = set()
    for appointment in (
        Appointment.objects.filter(network=meeting.network, status=Appointment.Status.APPOINTED)
        .select_related("person", "trust")
        .order_by("trust__name", "person__first_name")
    ):
        if appointment.person_id in seen:
            continue
        seen.add(appointment.person_id)
        record = recorded.get(appointment.person_id)
        rows.append(
            {
                "person": appointment.person,
                "trust": appointment.trust,
                "role": appointment.get_role_display(),
                "status": record.status
                if record
                else (Attendance.Status.EXCUSED if appointment.person_id in regrets else ""),
            }
        )
    for person_id, record in recorded.items():
        if person_id not in seen:
            rows.append({"person": record.person, "trust": record.trust, "role": "", "status": record.status})
    return rows


# --- Plan against the mandate's minimum ---------------------------------------------------------------------------


@dataclass
class PlanRow:
    network: Network
    planned: int
    held: int
    cancelled: int
    minimum: int | None

    @property
    def counted(self) -> int:
        """Meetings that count towards the minimum: held ones, and planned ones not yet held."""
        return self.planned + self.held

    @property
    def below_minimum(self) -> bool:
        return self.minimum is not None and self.counted < self.minimum


def _plan_rows(networks: QuerySet[Network], year: int) -> list[PlanRow]:
    in_year = Q(meetings__starts_at__year=year)
    annotated = networks.annotate(
        n_planned=Count(
            "meetings", filter=in_year & Q(meetings__status__in=[Meeting.Status.PLANNED, Meeting.Status.INVITED])
        ),
        n_held=Count("meetings", filter=in_year & Q(meetings__status=Meeting.Status.HELD)),
        n_cancelled=Count("meetings", filter=in_year & Q(meetings__status=Meeting.Status.CANCELLED)),
        minimum=minimum_in_force(year),
    ).order_by("name")
    return [
        PlanRow(network=n, planned=n.n_planned, held=n.n_held, cancelled=n.n_cancelled, minimum=n.minimum)
        for n in annotated
    ]


Counted = TypeVar("Counted")


def _with_counts(
    model: type[Model], fields: list[str], fetched: Iterable[Sequence[Any]], row: Callable[..., Counted]
) -> list[Counted]:
    """A hand-written statement's rows as ``row(instance, *numbers)``: the first ``len(fields)`` columns make the
    instance (``model.from_db``: only those fields loaded), the others are whole numbers or None, made ints whatever
    the driver gave (PostgreSQL's SUM is a Decimal)."""
    width = len(fields)
    return [
        row(
            model.from_db(connection.alias, fields, values[:width]),
            *(None if value is None else int(value) for value in values[width:]),
        )
        for values in fetched
    ]


@functools.cache
def _region_plan_sql() -> str:
    """``_region_plan_rows``'s statement, written once per process: its text depends on the tables' names alone.
    (The history table's name, the dear part when this was written, is now kept by ``networks.selectors`` itself.)"""
    meetings, networks, mandates = Meeting._meta.db_table, Network._meta.db_table, Mandate._meta.db_table
    counted = f"SELECT COUNT(*) FROM {meetings} m WHERE m.network_id = n.id AND m.starts_at BETWEEN %s AND %s AND"  # noqa: S608
    # Only table names and fixed conditions are formatted in; every value goes as a parameter.
    return f"""
        SELECT n.id, n.region_id, n.name, n.status,
            ({counted} m.status IN (%s, %s)),
            ({counted} m.status = %s),
            ({counted} m.status = %s),
            (SELECT md.min_meetings_per_year FROM {mandates} md
              WHERE md.network_id = n.id AND md.period_start <= %s AND md.period_end >= %s
              ORDER BY md.version DESC LIMIT 1),
            {year_end_status_sql("n")}
        FROM {networks} n
        WHERE n.region_id = %s AND n.kind = %s
        ORDER BY n.name, n.id
    """  # noqa: S608


def _region_plan_rows(*, region_id: int, year: int) -> list[tuple[PlanRow, str]]:
    """``_plan_rows`` of the region's networks (kind network), each with its status at the year's end, in one
    hand-written statement, the same on PostgreSQL and SQLite: the ORM's filtered counts, the minimum's subquery and
    the history's query cost more Python to compile than the overview's rows to read (issue 23). Each row's network
    has the columns the page reads (id, region, name, status).

    The status at the year's end is ``networks.selectors.statuses_at_year_end``'s rule on the network's history: the
    newest record made by then; for a network entered after the year, the record of its creation; else the status it
    has now. Tests hold the rows to ``_plan_rows`` and the statuses to ``statuses_at_year_end``."""
    held_from, held_to = connection.ops.year_lookup_bounds_for_datetime_field(year)  # as ``__year`` reads them
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)  # a mandate in force overlaps the year
    ops = connection.ops
    with connection.cursor() as db:
        db.execute(
            _region_plan_sql(),
            [
                held_from,
                held_to,
                Meeting.Status.PLANNED,
                Meeting.Status.INVITED,
                held_from,
                held_to,
                Meeting.Status.HELD,
                held_from,
                held_to,
                Meeting.Status.CANCELLED,
                ops.adapt_datefield_value(last),
                ops.adapt_datefield_value(first),
                *year_end_status_params(year),
                region_id,
                Network.Kind.NETWORK,
            ],
        )
        fetched = db.fetchall()
    rows = _with_counts(Network, ["id", "region_id", "name", "status"], [values[:-1] for values in fetched], PlanRow)
    return [(row, values[-1]) for row, values in zip(rows, fetched, strict=True)]


def plan_for_network(*, network: Network, year: int) -> PlanRow:
    return _plan_rows(Network.objects.filter(pk=network.pk), year)[0]


@dataclass
class RegionPlan:
    region: Region
    year: int
    rows: list[PlanRow]

    @property
    def below(self) -> list[PlanRow]:
        return [row for row in self.rows if row.below_minimum]


def overview_regions(region_ids: Iterable[int]) -> list[Region]:
    """The regions of ``region_ids`` in the model's order (by name), with the columns the overview reads (id, name,
    short name; the rest deferred): ``Region.objects.filter(pk__in=region_ids)`` in one hand-written statement, the
    same on PostgreSQL and SQLite, which a test holds to it; the ORM's compile cost more than its answer (issue 23)."""
    ids = sorted(set(region_ids))
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT r.id, r.name, r.short_name FROM {Region._meta.db_table} r WHERE r.id IN ({marks}) ORDER BY r.name"  # noqa: S608 -- only the table name and placeholders are formatted in
    with connection.cursor() as db:
        db.execute(sql, ids)
        fetched = db.fetchall()
    return [Region.from_db(connection.alias, ["id", "name", "short_name"], row) for row in fetched]


def region_plan(*, user: User, region_id: int, year: int, region: Region | None = None) -> RegionPlan:
    """Every active network of the region with its meetings for the year against the mandate's minimum.

    ``region`` may be given when the caller has read it already. One query: the region's networks with their counts
    and their status at the year's end, from their history (closing a network later leaves earlier years alone)."""
    access = access_for(user)
    if not (access.is_coordinator(region_id) or access.is_director(region_id)):
        raise Http404
    if region is None or region.pk != region_id:
        region = Region.objects.get(pk=region_id)
    rows = _region_plan_rows(region_id=region.pk, year=year)
    return RegionPlan(region=region, year=year, rows=[row for row, status in rows if status == Network.Status.ACTIVE])


# --- Participation by trust ----------------------------------------------------------------------------------------


@dataclass
class TrustParticipation:
    trust: HealthTrust
    meetings_held: int
    meetings_attended: int
    people_present: int

    @property
    def share(self) -> float:
        return self.meetings_attended / self.meetings_held if self.meetings_held else 0.0


def participation_by_trust(*, region_id: int, year: int, network: Network | None = None) -> list[TrustParticipation]:
    """For each trust of the region: in how many held meetings at least one of its people was present.

    One hand-written statement (the same on PostgreSQL and SQLite): the region's trusts with the count of held
    meetings and each trust's attendance. Through the ORM it took three queries whose compiling cost more Python than
    the table's reading (issue 23); ``participation_by_trust_orm`` is the same through the ORM, and a test holds the
    two to one answer.
    """
    held_from, held_to = connection.ops.year_lookup_bounds_for_datetime_field(year)  # as ``__year`` reads them
    held_where = "m.status = %s AND m.starts_at BETWEEN %s AND %s AND n.region_id = %s"
    held_params: list[Any] = [Meeting.Status.HELD, held_from, held_to, region_id]
    if network is not None:
        held_where += " AND m.network_id = %s"
        held_params.append(network.pk)
    meetings, networks = Meeting._meta.db_table, Network._meta.db_table
    # The held meetings are found once (a common table expression) for both their count and the attendance; each
    # trust's attendance is counted per meeting first, then per trust: a hash aggregate of a few hundred groups
    # instead of sorting every attendance for COUNT(DISTINCT) (a quarter of the statement's time at national scale).
    # Only table names and fixed conditions are formatted in; every value goes as a parameter.
    sql = f"""
        WITH held AS (SELECT m.id FROM {meetings} m JOIN {networks} n ON n.id = m.network_id WHERE {held_where})
        SELECT t.id, t.region_id, t.name, t.short_name, (SELECT COUNT(*) FROM held),
            COALESCE(p.meetings, 0), COALESCE(p.people, 0)
        FROM {HealthTrust._meta.db_table} t
        LEFT JOIN (
            SELECT per_meeting.trust_id, COUNT(*) AS meetings, SUM(per_meeting.people) AS people
            FROM (
                SELECT a.trust_id, a.meeting_id, COUNT(*) AS people
                FROM {Attendance._meta.db_table} a JOIN held h ON h.id = a.meeting_id
                WHERE a.status = %s AND a.trust_id IS NOT NULL
                GROUP BY a.trust_id, a.meeting_id
            ) per_meeting
            GROUP BY per_meeting.trust_id
        ) p ON p.trust_id = t.id
        WHERE t.region_id = %s
        ORDER BY t.name, t.id
    """  # noqa: S608
    with connection.cursor() as db:
        db.execute(sql, [*held_params, Attendance.Status.PRESENT, region_id])
        fetched = db.fetchall()
    return _with_counts(HealthTrust, ["id", "region_id", "name", "short_name"], fetched, TrustParticipation)


def participation_by_trust_orm(
    *, region_id: int, year: int, network: Network | None = None
) -> list[TrustParticipation]:
    """``participation_by_trust`` through the ORM: what the tests hold the hand-written statement to."""
    held = Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__year=year, network__region_id=region_id)
    if network is not None:
        held = held.filter(network=network)
    meetings_held = held.count()
    present = (
        Attendance.objects.filter(meeting__in=held, status=Attendance.Status.PRESENT, trust__isnull=False)
        .values("trust_id")
        .annotate(meetings=Count("meeting_id", distinct=True), people=Count("id"))
    )
    by_trust = {row["trust_id"]: (int(row["meetings"]), int(row["people"])) for row in present}
    return [
        TrustParticipation(
            trust=trust,
            meetings_held=meetings_held,
            meetings_attended=by_trust.get(trust.pk, (0, 0))[0],
            people_present=by_trust.get(trust.pk, (0, 0))[1],
        )
        for trust in HealthTrust.objects.filter(region_id=region_id).order_by("name")
    ]


# --- The network's follow-up register ------------------------------------------------------------------------------


class FollowUpStatus:
    """The register's status filter: open (overdue included), overdue (open past its due date), done."""

    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"


@dataclass(frozen=True)
class FollowUpFilters:
    owner: int | None = None
    meeting: int | None = None
    status: str = ""


@dataclass(frozen=True)
class FollowUpCounts:
    """How many of the network's action items (within the owner and meeting filters) are in each status."""

    total: int
    open: int
    overdue: int
    done: int


def followup_network_get(*, user: User, network_id: int) -> Network:
    """A network whose follow-up register the person may read: its people, the region's coordinator and medical
    directors. 404 outside the person's region (the network's existence is not revealed), 403 inside it."""
    network = Network.objects.select_related("region").filter(pk=network_id).first()
    if network is None or not access_for(user).in_region(network.region_id):
        raise Http404
    if not user.has_perm("meetings.view_action_items", network):
        raise PermissionDenied
    return network


def _followup_base(network: Network, filters: FollowUpFilters) -> QuerySet[ActionItem]:
    items = ActionItem.objects.filter(network=network)
    if filters.owner:
        items = items.filter(owner_id=filters.owner)
    if filters.meeting:
        items = items.filter(meeting_id=filters.meeting)
    return items


def followup_items(*, network: Network, filters: FollowUpFilters) -> QuerySet[ActionItem]:
    """The network's action items under ``filters``: overdue first, then open by due date, then done, latest closed
    first.

    Everything a row shows is joined here (owner, meeting, case, who closed it), so a page of the register costs the
    same queries whatever its length; mark the page's items with ``followup_mark`` before showing them."""
    today = timezone.localdate()
    items = _followup_base(network, filters)
    overdue = Q(status=ActionItem.Status.OPEN, due_date__lt=today)
    if filters.status == FollowUpStatus.OPEN:
        items = items.filter(status=ActionItem.Status.OPEN)
    elif filters.status == FollowUpStatus.OVERDUE:
        items = items.filter(overdue)
    elif filters.status == FollowUpStatus.DONE:
        items = items.filter(status=ActionItem.Status.DONE)
    rank = Case(
        When(overdue, then=Value(0)),
        When(status=ActionItem.Status.OPEN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    open_due = Case(When(status=ActionItem.Status.OPEN, then=F("due_date")), default=None)
    return (
        items.select_related("owner", "meeting", "case", "done_by")
        .annotate(followup_rank=rank, open_due=open_due)
        .order_by("followup_rank", "open_due", F("done_at").desc(nulls_last=True), "pk")
    )


def followup_counts(*, network: Network, filters: FollowUpFilters) -> FollowUpCounts:
    """The counts per status under the owner and meeting filters (not the status filter): one query."""
    today = timezone.localdate()
    is_open = Q(status=ActionItem.Status.OPEN)
    row = _followup_base(network, filters).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        done=Count("pk", filter=Q(status=ActionItem.Status.DONE)),
    )
    return FollowUpCounts(total=row["total"], open=row["open"], overdue=row["overdue"], done=row["done"])


def followup_owners(*, network: Network) -> list[User]:
    """Everyone who owns (or owned) an action item of the network, for the owner filter: one query."""
    return list(
        User.objects.filter(pk__in=ActionItem.objects.filter(network=network).values("owner_id"))
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def followup_meetings(*, network: Network) -> list[Meeting]:
    """The network's meetings that gave action items, newest first, for the meeting filter: one query."""
    return list(
        Meeting.objects.filter(pk__in=ActionItem.objects.filter(network=network).values("meeting_id"))
        .select_related("network")
        .order_by("-starts_at")
    )


def followup_mark(items: Iterable[ActionItem], *, user: User, network: Network) -> list[ActionItem]:
    """The register's rows for ``user``: each marked for the case behind it (``withholds_case``) and with what the
    person may do with it (``can_close``, ``can_reopen``, from the rules; no query per row)."""
    marked = mark_cases(items, case_reader(user))
    may_reopen = user.has_perm("meetings.reopen_action_item", network)
    for item in marked:
        item.network = network  # the rules ask the item's network; it is the register's
        item.can_close = item.status == ActionItem.Status.OPEN and user.has_perm(  # type: ignore[attr-defined]
            "meetings.update_action_item", item
        )
        item.can_reopen = item.status == ActionItem.Status.DONE and may_reopen  # type: ignore[attr-defined]
    return marked


# --- The person's own ----------------------------------------------------------------------------------------------


def action_item_to_manage(*, user: User, item_id: int) -> ActionItem:
    """An action item for someone who keeps its network's meetings (leader, secretary, the region's coordinator),
    marked for them; 404 outside the person's region, 403 inside it for anyone else."""
    item = ActionItem.objects.select_related("network", "owner", "case", "meeting").filter(pk=item_id).first()
    if item is None or not access_for(user).in_region(item.network.region_id):
        raise Http404
    if not user.has_perm("meetings.manage_meetings", item):
        raise PermissionDenied
    (marked,) = mark_cases([item], case_reader(user))
    return marked


def my_action_items(*, user: User) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(owner=user)
        .select_related("network", "meeting", "owner")
        .order_by("status", "due_date", "pk")
    )


@dataclass(frozen=True)
class MyOpenActionItems:
    """The start page's view of the person's open action items: the first few as ``(title, due date, overdue)`` and
    how many are overdue and due within the given window (for "For you")."""

    first: list[tuple[str, datetime.date, bool]]
    overdue: int
    due_soon: int


def my_open_action_items(
    *, user: User, today: datetime.date, due_within: datetime.timedelta, limit: int = 5
) -> MyOpenActionItems:
    """The person's open action items, first due first (as ``my_action_items``), and the counts of the overdue ones
    and those due from today to ``today + due_within``, in one hand-written statement (the same on PostgreSQL and
    SQLite, held to the ORM by a test): the list's instances and the filtered counts' compilation cost ~2 ms."""
    ops = connection.ops
    table = ActionItem._meta.db_table
    day, last = ops.adapt_datefield_value(today), ops.adapt_datefield_value(today + due_within)
    mine = "o.owner_id = %s AND o.status = %s"
    # One row of counts joined to the first items (none: one row with no item), ordered as the list is.
    sql = f"""
        SELECT c.overdue, c.soon, f.title, f.due_date
        FROM (SELECT (SELECT COUNT(*) FROM {table} o WHERE {mine} AND o.due_date < %s) AS overdue,
                     (SELECT COUNT(*) FROM {table} o WHERE {mine} AND o.due_date >= %s AND o.due_date <= %s) AS soon
             ) c
        LEFT JOIN (SELECT o.title, o.due_date, o.id FROM {table} o WHERE {mine}
                   ORDER BY o.due_date, o.id LIMIT %s) f ON 1 = 1
        ORDER BY f.due_date, f.id
    """  # noqa: S608 -- only the table name is formatted in
    open_ = ActionItem.Status.OPEN
    with connection.cursor() as db:
        db.execute(sql, [user.pk, open_, day, user.pk, open_, day, last, user.pk, open_, limit])
        fetched = db.fetchall()
    first = []
    for _overdue, _soon, title, due in fetched:
        if title is not None:
            due_date = prepared.raw_date(due)
            first.append((title, due_date, due_date < today))
    overdue, soon = fetched[0][0], fetched[0][1]
    return MyOpenActionItems(first, overdue, soon)


@dataclass(frozen=True, slots=True)
class ActionItemRow:
    """One of the person's open action items, ready to show (issue 23: made once per request, no model instances)."""

    pk: int
    title: str
    network: str
    network_url: str
    due: str
    overdue: bool
    meeting_url: str
    meeting_date: str
    history_url: str
    close_url: str


@dataclass(frozen=True, slots=True)
class DoneActionItemRow:
    """One of the person's action items done recently, as the page's short list shows it."""

    title: str
    network: str
    done: str
    done_note: str


@dataclass(frozen=True)
class MyActionItems:
    open: list[ActionItemRow]
    done: list[DoneActionItemRow]


#: At most this many open items, and the most recently done, on "My action items".
MY_OPEN_LIMIT, MY_DONE_LIMIT = 300, 50


def my_action_item_rows(*, user: User) -> MyActionItems:
    """The person's open action items (by due date) and the ones done most recently, in two queries of plain values,
    with every address, date and label made once per request. The done ones are read without their meetings: the
    list does not show them, and the join read every meeting of the region (1.8 ms of PostgreSQL at national scale)."""
    mine = ActionItem.objects.filter(owner=user)
    open_values = (
        mine.filter(status=ActionItem.Status.OPEN)
        .order_by("due_date", "pk")
        .values_list("pk", "title", "due_date", "network_id", "network__name", "meeting_id", "meeting__starts_at")
    )
    done_values = (
        mine.filter(status=ActionItem.Status.DONE)
        .order_by("-done_at", "-pk")
        .values_list("title", "network__name", "done_at", "done_note")
    )
    network_url = prepared.url_pattern("networks:detail")
    meeting_url = prepared.url_pattern("meetings:detail")
    history_url = prepared.url_pattern("audit:history", "action-item")
    close_url = prepared.url_pattern("meetings:action_item_close")
    short_date = prepared.date_formatter()
    today = timezone.localdate()
    return MyActionItems(
        open=[
            ActionItemRow(
                pk=pk,
                title=title,
                network=network,
                network_url=network_url(network_id),
                due=short_date(due_date),
                overdue=due_date < today,
                meeting_url=meeting_url(meeting_id) if meeting_id else "",
                meeting_date=short_date(starts_at),
                history_url=history_url(pk),
                close_url=close_url(pk),
            )
            for pk, title, due_date, network_id, network, meeting_id, starts_at in open_values[:MY_OPEN_LIMIT]
        ],
        done=[
            DoneActionItemRow(title=title, network=network, done=short_date(done_at), done_note=note)
            for title, network, done_at, note in done_values[:MY_DONE_LIMIT]
        ],
    )


def upcoming_meetings(*, user: User, limit: int = 5) -> list[Meeting]:
    access = access_for(user)
    return list(
        Meeting.objects.filter(
            network_id__in=list(access.network_roles),
            starts_at__gte=timezone.now() - datetime.timedelta(hours=3),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("network")
        .order_by("starts_at")[:limit]
    )


@dataclass(frozen=True)
class UpcomingMeetingRow:
    """One of the start page's meetings as it prints it (address and form's label made once)."""

    url: str
    starts_at: datetime.datetime
    network: str
    form: str


def upcoming_meeting_rows(*, user: User, limit: int = 5) -> list[UpcomingMeetingRow]:
    """``upcoming_meetings`` as plain rows from one hand-written statement (the same on PostgreSQL and SQLite, held to
    ``upcoming_meetings`` by a test): the ORM's instances and their networks cost ~0.6 ms more."""
    networks = sorted(access_for(user).network_roles)
    if not networks:
        return []
    ops = connection.ops
    marks = ", ".join(["%s"] * len(networks))
    sql = f"""
        SELECT m.id, m.starts_at, m.form, n.name
        FROM {Meeting._meta.db_table} m JOIN {Network._meta.db_table} n ON n.id = m.network_id
        WHERE m.network_id IN ({marks}) AND m.starts_at >= %s AND m.status <> %s
        ORDER BY m.starts_at, m.id
        LIMIT %s
    """  # noqa: S608 -- only table names and placeholders are formatted in
    since = timezone.now() - datetime.timedelta(hours=3)
    with connection.cursor() as db:
        db.execute(sql, [*networks, ops.adapt_datetimefield_value(since), Meeting.Status.CANCELLED, limit])
        fetched = db.fetchall()
    url = prepared.url_pattern("meetings:detail")
    forms = prepared.labels(Meeting.Form.choices)
    rows = []
    for pk, starts_at, form, network in fetched:
        rows.append(UpcomingMeetingRow(url(pk), prepared.raw_datetime(starts_at), network, forms.get(form, form)))
    return rows


def feed_meetings(*, user: User, network: Network | None) -> QuerySet[Meeting]:
    since = timezone.now() - datetime.timedelta(days=365)
    meetings = Meeting.objects.filter(starts_at__gte=since).select_related("network")
    if network is not None:
        return meetings.filter(network=network)
    network_ids = Appointment.objects.filter(person=user, status=Appointment.Status.APPOINTED).values("network_id")
    return meetings.filter(network_id__in=network_ids)


def calendar_feed_list(*, user: User) -> QuerySet[CalendarFeed]:
    """The person's own addresses that still work."""
    return (
        CalendarFeed.objects.filter(user=user, revoked_at=None).select_related("network").order_by("created_at", "pk")
    )


def calendar_feed_get(*, user: User, feed_id: int) -> CalendarFeed:
    """One of the person's own working addresses; anybody else's, or a revoked one, is not found."""
    try:
        return calendar_feed_list(user=user).get(pk=feed_id)
    except CalendarFeed.DoesNotExist:
        raise Http404 from None


def calendar_feed_networks(*, user: User) -> QuerySet[Network]:
    """The networks a person can subscribe to one by one: those they hold a role in."""
    return Network.objects.filter(pk__in=list(access_for(user).network_roles)).order_by("name")


def calendar_feed_by_token(*, token: str) -> CalendarFeed:
    """The working address whose secret this is. The secret is the credential: no login is asked for, but the
    owner must still be active and still allowed to read the network's meetings.

    Its use is recorded (at most once a minute, ``HashedKey.touch``) once it is let in, so the person's page can
    say when the address was last read; a refused address writes nothing."""
    feed = CalendarFeed.lookup(token, CalendarFeed.objects.select_related("user", "network"))
    if feed is None or not feed.user.is_active:
        raise Http404
    if feed.network is not None and not feed.user.has_perm("meetings.view_meeting", feed.network):
        raise Http404
    feed.touch()
    return feed


# --- Who is invited, and what they answered -------------------------------------------------------------------------


def _seats(meeting: Meeting) -> QuerySet[Appointment]:
    """The appointments that give a seat at the network's meetings: every role but deputy, of active people."""
    return (
        Appointment.objects.filter(
            network_id=meeting.network_id, status=Appointment.Status.APPOINTED, person__is_active=True
        )
        .exclude(role=AppointmentRole.DEPUTY)
        .select_related("person", "trust")
        .order_by("person__first_name", "person__last_name", "start_date", "pk")
    )


def meeting_invitees(*, meeting: Meeting) -> list[User]:
    """Everyone the meeting's invitation goes to: the network's people in every role but deputy, and the deputies
    invited to this meeting in place of someone who cannot come. Two queries."""
    people: dict[int, User] = {}
    for appointment in _seats(meeting):
        people.setdefault(appointment.person_id, appointment.person)
    for invitation in meeting.deputy_invitations.select_related("deputy").filter(deputy__is_active=True):
        people.setdefault(invitation.deputy_id, invitation.deputy)
    return sorted(people.values(), key=lambda p: (p.first_name, p.last_name, p.pk))


def is_invited(*, user: User, meeting: Meeting) -> bool:
    return any(person.pk == user.pk for person in meeting_invitees(meeting=meeting))


def reply_of(*, user: User, meeting: Meeting) -> AttendanceReply | None:
    return meeting.replies.filter(person=user).first()


def next_deputy(*, meeting: Meeting, trust_id: int | None) -> Appointment | None:
    """The trust's next deputy in the network not yet invited to the meeting and not among those already invited,
    in the order they were appointed; none for a person who represents no trust (the RHF's representative)."""
    if trust_id is None:
        return None
    invited = {p.pk for p in meeting_invitees(meeting=meeting)}
    for appointment in (
        Appointment.objects.filter(
            network_id=meeting.network_id,
            status=Appointment.Status.APPOINTED,
            role=AppointmentRole.DEPUTY,
            trust_id=trust_id,
            person__is_active=True,
        )
        .select_related("person")
        .order_by("start_date", "pk")
    ):
        if appointment.person_id not in invited:
            return appointment
    return None


@dataclass
class ReplyRow:
    """One invited person and their answer, for the secretary."""

    person: User
    trust: HealthTrust | None
    role: str
    reply: AttendanceReply | None
    deputy_for: User | None = None
    deputies: list[DeputyInvitation] = field(default_factory=list)
    #: For "I cannot come" from someone representing a trust with no deputy left to invite.
    no_deputy: bool = False


def meeting_replies(*, meeting: Meeting) -> list[ReplyRow]:
    """Every invited person with their answer, the deputies invited in whose place, and who has not answered.
    A fixed number of queries, whatever the number of people."""
    replies = {r.person_id: r for r in meeting.replies.all()}
    invitations = list(meeting.deputy_invitations.select_related("deputy", "trust", "replaces"))
    by_replaced: dict[int, list[DeputyInvitation]] = {}
    for invitation in invitations:
        by_replaced.setdefault(invitation.replaces_id, []).append(invitation)
    rows: dict[int, ReplyRow] = {}
    for appointment in _seats(meeting):
        if appointment.person_id in rows:
            continue
        rows[appointment.person_id] = ReplyRow(
            person=appointment.person,
            trust=appointment.trust,
            role=appointment.get_role_display(),
            reply=replies.get(appointment.person_id),
        )
    for invitation in invitations:
        rows.setdefault(
            invitation.deputy_id,
            ReplyRow(
                person=invitation.deputy,
                trust=invitation.trust,
                role=str(AppointmentRole.DEPUTY.label),
                reply=replies.get(invitation.deputy_id),
                deputy_for=invitation.replaces,
            ),
        )
    for row in rows.values():
        row.deputies = by_replaced.get(row.person.pk, [])
        row.no_deputy = (
            row.reply is not None
            and row.reply.answer == AttendanceReply.Answer.NOT_COMING
            and row.trust is not None
            and not row.deputies
        )
    return sorted(rows.values(), key=lambda r: (r.trust.name if r.trust else "", str(r.person)))


@dataclass
class ReplyCounts:
    coming: int
    not_coming: int
    unanswered: int


def reply_counts(rows: list[ReplyRow]) -> ReplyCounts:
    answers = [row.reply.answer if row.reply else "" for row in rows]
    return ReplyCounts(
        coming=answers.count(AttendanceReply.Answer.COMING),
        not_coming=answers.count(AttendanceReply.Answer.NOT_COMING),
        unanswered=answers.count(""),
    )


# --- What the minutes page shows beside the items ------------------------------------------------------------------


@dataclass
class TrustAttendance:
    """The recorded attendance of the people who represented one trust (``trust`` None: no trust, the RHF's)."""

    trust: HealthTrust | None
    present: list[Attendance]
    absent: list[Attendance]
    excused: list[Attendance]

    @property
    def columns(self) -> tuple[list[Attendance], list[Attendance], list[Attendance]]:
        """The three lists in the order of the minutes' attendance table (present, absent, excused)."""
        return self.present, self.absent, self.excused


def attendance_by_trust(*, meeting: Meeting) -> list[TrustAttendance]:
    """The meeting's recorded attendance per trust, trusts by name and the people without a trust last. One query."""
    groups: dict[int | None, TrustAttendance] = {}
    for row in meeting.attendance.select_related("person", "trust").order_by("person__first_name", "person__last_name"):
        group = groups.setdefault(row.trust_id, TrustAttendance(trust=row.trust, present=[], absent=[], excused=[]))
        {
            Attendance.Status.PRESENT: group.present,
            Attendance.Status.ABSENT: group.absent,
            Attendance.Status.EXCUSED: group.excused,
        }[Attendance.Status(row.status)].append(row)
    return sorted(groups.values(), key=lambda g: (g.trust is None, g.trust.name if g.trust else ""))


def meeting_action_items(*, meeting: Meeting, reader: CaseReader) -> list[ActionItem]:
    """The action items given at the meeting, with the agenda item each came from, marked for ``reader``."""
    return mark_cases(
        meeting.action_items.select_related("owner", "case", "agenda_item").order_by("agenda_item__order", "due_date"),
        reader,
    )


@dataclass
class FeedbackRow:
    """One of the network's people and what they said on circulated minutes."""

    person: User
    comments: int
    no_remarks: bool


def minutes_feedback(*, minutes: Minutes) -> list[FeedbackRow]:
    """Everyone appointed in the network: how many comments they wrote, whether they said "no remarks". Three
    queries, for the network's leader and secretary."""
    comments = Counter(minutes.comments.values_list("author_id", flat=True))
    no_remarks = set(minutes.no_remarks.values_list("person_id", flat=True))
    return [
        FeedbackRow(person=person, comments=comments[person.pk], no_remarks=person.pk in no_remarks)
        for person in network_participants(network=minutes.meeting.network)
    ]


# --- The meeting's page, as flat rows (issue 23) --------------------------------------------------------------------
#
# The meeting page shows the agenda, the follow-up item's action items, the answers to the invitation and the
# minutes. Each is read here with one ``values()`` query and prepared once per request (labels, addresses, dates), so
# the template only prints. Whether the person may read each case is still decided by the case rules
# (``cases.view_case`` through the ``CaseReader``), given the case's columns that the rules read.


@dataclass(frozen=True)
class CaseRef:
    """The columns of a case the case rules read (``cases.rules``) and its number, without loading the case."""

    pk: int
    region_id: int | None
    network_id: int | None
    trust_id: int | None
    submitted_by_id: int | None
    reference: str


_CASE_COLUMNS = ("region_id", "network_id", "trust_id", "submitted_by_id", "reference")


def _case_values(prefix: str) -> list[str]:
    return [f"{prefix}{column}" for column in _CASE_COLUMNS]


def _case_ref(row: Mapping[str, Any], prefix: str = "case__") -> CaseRef:
    return CaseRef(row["case_id"], *(row[f"{prefix}{column}"] for column in _CASE_COLUMNS))


def _person(first: str, last: str, username: str) -> str:
    """``str(user)`` from its columns (``User.__str__``: the full name, else the username)."""
    return f"{first} {last}".strip() or username


def _open_when(items: QuerySet[ActionItem], before: datetime.datetime) -> QuerySet[ActionItem]:
    """The action items open when a meeting began: made before it, and open now or closed since."""
    return items.filter(created_at__lt=before).filter(
        Q(status=ActionItem.Status.OPEN) | Q(status=ActionItem.Status.DONE, done_at__gte=before)
    )


@dataclass
class MeetingPage:
    """What the meeting page shows besides the meeting itself, prepared for the person asking."""

    invited: bool
    my_reply: dict[str, Any] | None
    reply_rows: list[dict[str, Any]] | None
    reply_counts: ReplyCounts | None
    items: list[dict[str, Any]]
    action_items: list[dict[str, Any]]
    minutes: list[dict[str, Any]]


# The statements behind the meeting page (issue 23). Through the ORM, its eight ``values()`` queries cost more Python
# to build and compile than the rest of the page; these are the same queries written by hand, the same on PostgreSQL
# and SQLite, each giving the rows (and the ``values()`` names) its ORM twin gave. The tests
# (``meetings/tests/test_meeting_statements.py``) hold each to its ORM query across the cases that matter.

#: The columns of a seat at the meeting: an appointment, its person and its trust (``_seats``' values).
SEAT_VALUES = (
    "person_id", "person__first_name", "person__last_name", "person__username", "trust_id", "trust__name",
    "trust__short_name", "role",
)  # fmt: skip
#: The columns of a deputy's invitation to the meeting, with whom they replace.
INVITATION_VALUES = (
    "deputy_id", "deputy__first_name", "deputy__last_name", "deputy__username", "deputy__is_active", "trust_id",
    "trust__name", "trust__short_name", "replaces_id", "replaces__first_name", "replaces__last_name",
    "replaces__username", "invited_at",
)  # fmt: skip
REPLY_VALUES = ("person_id", "answer", "reason", "answered_at")
AGENDA_VALUES = (
    "pk", "order", "kind", "item_type", "title", "description", "proposed_resolution", "presenter", "duration_minutes",
    "case_id", *_case_values("case__"),
)  # fmt: skip
FOLLOWUP_VALUES = (
    "pk", "title", "status", "due_date", "done_note", "owner__first_name", "owner__last_name", "owner__username",
    "case_id", *_case_values("case__"),
)  # fmt: skip


def _fetched(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as db:
        db.execute(sql, params)
        return db.fetchall()


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _case_table() -> str:
    return AgendaItem._meta.get_field("case").related_model._meta.db_table


def seat_values(meeting: Meeting) -> list[dict[str, Any]]:
    """The seats at the meeting (``_seats``): the network's appointed people in every role but deputy, active, by
    name."""
    sql = f"""
        SELECT a.person_id, u.first_name, u.last_name, u.username, a.trust_id, t.name, t.short_name, a.role
        FROM {Appointment._meta.db_table} a
        JOIN {User._meta.db_table} u ON u.id = a.person_id
        LEFT JOIN {HealthTrust._meta.db_table} t ON t.id = a.trust_id
        WHERE a.network_id = %s AND a.status = %s AND u.is_active AND a.role <> %s
        ORDER BY u.first_name, u.last_name, a.start_date, a.id
    """  # noqa: S608 -- only table names are formatted in
    rows = _fetched(sql, [meeting.network_id, Appointment.Status.APPOINTED, AppointmentRole.DEPUTY])
    return [dict(zip(SEAT_VALUES, row, strict=True)) for row in rows]


def invitation_values(meeting: Meeting) -> list[dict[str, Any]]:
    """The deputies invited to the meeting, with whom each replaces, in the order they were invited (read with the
    minutes and the answers: ``meeting_answers``)."""
    return meeting_answers(meeting)[2]


def reply_values(meeting: Meeting, *, person: User | None = None) -> list[dict[str, Any]]:
    """The answers to the meeting's invitation (only ``person``'s, if given), in no particular order."""
    return minutes_and_reply_values(meeting, person=person)[1]


def agenda_values(meeting: Meeting) -> list[dict[str, Any]]:
    """The meeting's agenda items in their order, each with the columns of its case the case rules read."""
    sql = f"""
        SELECT i.id, i."order", i.kind, i.item_type, i.title, i.description, i.proposed_resolution, i.presenter,
            i.duration_minutes, i.case_id, c.region_id, c.network_id, c.trust_id, c.submitted_by_id, c.reference
        FROM {AgendaItem._meta.db_table} i LEFT JOIN {_case_table()} c ON c.id = i.case_id
        WHERE i.meeting_id = %s
        ORDER BY i."order", i.id
    """  # noqa: S608 -- only table names are formatted in
    return [dict(zip(AGENDA_VALUES, row, strict=True)) for row in _fetched(sql, [meeting.pk])]


def topics_and_documents(
    item_ids: Sequence[int], *, documents: bool = True
) -> tuple[list[tuple[int, str]], list[tuple[int, int, str, int]]]:
    """The agenda items' topics as ``(item id, topic name)``, in the topics' order (region, order, name), and their
    documents (only if ``documents``) as ``(document id, item id, file name, size)``, in the order they came; in one
    statement, the topics' rows first (part 0), each part in its own order by the sort columns after its values."""
    if not item_ids:
        return [], []
    marks = _marks(item_ids)
    sql = f"""
        SELECT 0, ti.agendaitem_id, tp.name, NULL, NULL, r.name, tp."order", tp.name, NULL
        FROM {AgendaItem.topics.through._meta.db_table} ti
        JOIN {Topic._meta.db_table} tp ON tp.id = ti.topic_id
        JOIN {Region._meta.db_table} r ON r.id = tp.region_id
        WHERE ti.agendaitem_id IN ({marks})
    """  # noqa: S608 -- only table names and placeholders are formatted in
    params = list(item_ids)
    if documents:
        sql += f"""
        UNION ALL
        SELECT 1, d.item_id, d.original_name, d.id, d.size, NULL, NULL, NULL, d.id
        FROM {AgendaDocument._meta.db_table} d
        WHERE d.item_id IN ({marks})
        """  # noqa: S608 -- only the table name and placeholders are formatted in
        params += item_ids
    topics, found = [], []
    for part, item_id, name, pk, size, *_order in _fetched(f"{sql} ORDER BY 1, 6, 7, 8, 9", params):
        if part == 0:
            topics.append((item_id, name))
        else:
            found.append((pk, item_id, name, size))
    return topics, found


def topic_values(item_ids: Sequence[int]) -> list[tuple[int, str]]:
    """The topics of ``topics_and_documents``."""
    return topics_and_documents(item_ids, documents=False)[0]


def document_values(item_ids: Sequence[int]) -> list[tuple[int, int, str, int]]:
    """The documents of ``topics_and_documents``."""
    return topics_and_documents(item_ids)[1]


def _followup_statement(meeting: Meeting) -> list[tuple[Any, ...]]:
    """The rows of ``followup_values`` as the statement gives them (its columns in ``FOLLOWUP_VALUES``' order)."""
    users, items = User._meta.db_table, ActionItem._meta.db_table
    owner = f"(SELECT u.{{}} FROM {users} u WHERE u.id = a.owner_id)"  # noqa: S608 -- only the table name is formatted in
    sql = f"""
        SELECT a.id, a.title, a.status, a.due_date, a.done_note,
            {owner.format("first_name")}, {owner.format("last_name")}, {owner.format("username")},
            a.case_id, c.region_id, c.network_id, c.trust_id, c.submitted_by_id, c.reference
        FROM {items} a LEFT JOIN {_case_table()} c ON c.id = a.case_id
        WHERE a.network_id = %s AND a.created_at < %s AND (a.status = %s OR (a.status = %s AND a.done_at >= %s))
        ORDER BY a.due_date, a.id
    """  # noqa: S608 -- only table names are formatted in
    began = connection.ops.adapt_datetimefield_value(meeting.starts_at)
    return _fetched(sql, [meeting.network_id, began, ActionItem.Status.OPEN, ActionItem.Status.DONE, began])


def followup_values(meeting: Meeting) -> list[dict[str, Any]]:
    """The network's action items open when the meeting began (``_open_when``), by due date, each with its owner's
    name and its case's columns. The owner's columns are read one row at a time (by primary key): joined, PostgreSQL
    hashed every person in the country to find the few dozen owners (1 ms at national scale)."""
    values = []
    for row in _followup_statement(meeting):
        value = dict(zip(FOLLOWUP_VALUES, row, strict=True))
        value["due_date"] = prepared.raw_date(value["due_date"])
        values.append(value)
    return values


def minutes_values(meeting: Meeting) -> list[Minutes]:
    """The meeting's minutes, newest version first, with the columns the page and the minutes' rules read."""
    return minutes_and_reply_values(meeting)[0]


def minutes_and_reply_values(
    meeting: Meeting, *, person: User | None = None
) -> tuple[list[Minutes], list[dict[str, Any]]]:
    """``minutes_values`` and ``reply_values`` (only ``person``'s answer, if given), as ``meeting_answers`` reads
    them."""
    minutes, replies, _invitations = meeting_answers(meeting, person=person)
    return minutes, replies


#: The columns of ``INVITATION_VALUES`` after the deputy's id (the first) and before ``invited_at`` (the last), with the
#: model field of each (the first part of ``meeting_answers`` gives each its type).
_INVITATION_COLUMNS = (
    ("du.first_name", User, "first_name"), ("du.last_name", User, "last_name"), ("du.username", User, "username"),
    ("du.is_active", User, "is_active"), ("d.trust_id", DeputyInvitation, "trust"), ("t.name", HealthTrust, "name"),
    ("t.short_name", HealthTrust, "short_name"), ("d.replaces_id", DeputyInvitation, "replaces"),
    ("ru.first_name", User, "first_name"), ("ru.last_name", User, "last_name"), ("ru.username", User, "username"),
    ("d.id", DeputyInvitation, "id"),
)  # fmt: skip


def _cast_type(model: type[Model], name: str) -> str:
    """The type of the model's field ``name`` as ``CAST`` names it on this database."""
    return cast("Field[Any, Any]", model._meta.get_field(name)).cast_db_type(connection) or ""


@functools.cache
def _answers_sql(vendor: str, *, one_person: bool) -> str:
    """``meeting_answers``' statement, written once per process and database (``vendor``: the casts' type names are
    the database's); with ``one_person``, only one person's answer."""
    typed = ", ".join(f"CAST(NULL AS {_cast_type(model, name)})" for _, model, name in _INVITATION_COLUMNS)
    empty = ", ".join(["NULL"] * len(_INVITATION_COLUMNS))
    reason, answered_at = (_cast_type(AttendanceReply, name) for name in ("reason", "answered_at"))
    only = " AND r.person_id = %s" if one_person else ""
    users = User._meta.db_table
    return f"""
        SELECT 0, m.id, m.version, m.status, CAST(NULL AS {reason}), CAST(NULL AS {answered_at}), {typed}
        FROM {Minutes._meta.db_table} m WHERE m.meeting_id = %s
        UNION ALL
        SELECT 1, r.person_id, NULL, r.answer, r.reason, r.answered_at, {empty}
        FROM {AttendanceReply._meta.db_table} r WHERE r.meeting_id = %s{only}
        UNION ALL
        SELECT 2, d.deputy_id, NULL, NULL, NULL, d.invited_at, {", ".join(c for c, _, _ in _INVITATION_COLUMNS)}
        FROM {DeputyInvitation._meta.db_table} d
        JOIN {users} du ON du.id = d.deputy_id
        JOIN {users} ru ON ru.id = d.replaces_id
        LEFT JOIN {HealthTrust._meta.db_table} t ON t.id = d.trust_id
        WHERE d.meeting_id = %s
        ORDER BY 1, 3 DESC, 6, {6 + len(_INVITATION_COLUMNS)}
    """  # noqa: S608 -- only table names, column names and types and a fixed condition are formatted in


def meeting_answers(
    meeting: Meeting, *, person: User | None = None
) -> tuple[list[Minutes], list[dict[str, Any]], list[dict[str, Any]]]:
    """``minutes_values``, ``reply_values`` (only ``person``'s answer, if given) and ``invitation_values`` in one
    statement: each is a handful of rows (the deputies' invitations most often none), and a statement of its own cost
    more than reading them.

    The minutes' empty columns carry the types of the invitations' (``CAST``): PostgreSQL finds each column's type
    from the parts two at a time, and the two untyped NULLs of the minutes and the answers would be text to it."""
    sql = _answers_sql(connection.vendor, one_person=person is not None)
    params = [meeting.pk, meeting.pk, *([] if person is None else [person.pk]), meeting.pk]
    minutes, replies, invitations = [], [], []
    for kind, pk, version, status, why, at, *deputy in _fetched(sql, params):
        if kind == 0:
            m = Minutes.from_db(
                connection.alias, ["id", "meeting_id", "version", "status"], (pk, meeting.pk, version, status)
            )
            m.meeting = meeting  # the rules read the meeting's network, already loaded
            minutes.append(m)
        elif kind == 1:
            replies.append({"person_id": pk, "answer": status, "reason": why, "answered_at": prepared.raw_datetime(at)})
        else:
            value = dict(zip(INVITATION_VALUES, (pk, *deputy[:-1], at), strict=True))
            value["deputy__is_active"] = bool(value["deputy__is_active"])  # SQLite's booleans are 0 and 1
            value["invited_at"] = prepared.raw_datetime(at)
            invitations.append(value)
    return minutes, replies, invitations


def _reply_part(
    *,
    user: User,
    meeting: Meeting,
    can_manage: bool,
    replied: list[dict[str, Any]],
    invitations: list[dict[str, Any]],
) -> tuple[bool, dict[str, Any] | None, list[dict[str, Any]] | None, ReplyCounts | None]:
    """Whether the person is invited (``is_invited``), their answer, and for the secretary everyone's answers
    (``meeting_replies``), from ``replied`` (``reply_values``: everyone's for the secretary, else the person's) and
    ``invitations`` (``invitation_values``). One query, for the seats."""
    seats = seat_values(meeting)
    invited = any(s["person_id"] == user.pk for s in seats) or any(
        i["deputy_id"] == user.pk and i["deputy__is_active"] for i in invitations
    )
    answer_label = prepared.labels(AttendanceReply.Answer.choices)
    datetime_format = prepared.date_formatter("SHORT_DATETIME_FORMAT", empty="")
    replies: dict[int, dict[str, Any]] = {
        r["person_id"]: {**r, "answer_label": answer_label.get(r["answer"], r["answer"])} for r in replied
    }
    my_reply = replies.get(user.pk) if invited else None
    if my_reply is not None:
        my_reply["answered"] = datetime_format(my_reply["answered_at"])
    if not can_manage:
        return invited, my_reply, None, None
    role_label = prepared.labels(AppointmentRole.choices)
    by_replaced: dict[int, list[dict[str, str]]] = {}
    for i in invitations:
        by_replaced.setdefault(i["replaces_id"], []).append(
            {
                "deputy": _person(i["deputy__first_name"], i["deputy__last_name"], i["deputy__username"]),
                "invited": datetime_format(i["invited_at"]),
            }
        )
    rows: dict[int, dict[str, Any]] = {}
    for s in seats:
        if s["person_id"] not in rows:
            rows[s["person_id"]] = {
                "person": _person(s["person__first_name"], s["person__last_name"], s["person__username"]),
                "trust_id": s["trust_id"],
                "trust_name": s["trust__name"] or "",
                "trust_short_name": s["trust__short_name"] or "–",
                "role": role_label.get(s["role"], s["role"]).lower(),
                "reply": replies.get(s["person_id"]),
                "deputy_for": "",
            }
    deputy_role = str(AppointmentRole.DEPUTY.label).lower()
    for i in invitations:
        rows.setdefault(
            i["deputy_id"],
            {
                "person": _person(i["deputy__first_name"], i["deputy__last_name"], i["deputy__username"]),
                "trust_id": i["trust_id"],
                "trust_name": i["trust__name"] or "",
                "trust_short_name": i["trust__short_name"] or "–",
                "role": deputy_role,
                "reply": replies.get(i["deputy_id"]),
                "deputy_for": _person(i["replaces__first_name"], i["replaces__last_name"], i["replaces__username"]),
            },
        )
    for person_id, row in rows.items():
        row["deputies"] = by_replaced.get(person_id, [])
        reply = row["reply"]
        row["no_deputy"] = (
            reply is not None
            and reply["answer"] == AttendanceReply.Answer.NOT_COMING
            and row["trust_id"] is not None
            and not row["deputies"]
        )
    ordered = sorted(rows.values(), key=lambda r: (r["trust_name"] if r["trust_id"] else "", r["person"]))
    answers = [r["reply"]["answer"] if r["reply"] else "" for r in ordered]
    counts = ReplyCounts(
        coming=answers.count(AttendanceReply.Answer.COMING),
        not_coming=answers.count(AttendanceReply.Answer.NOT_COMING),
        unanswered=answers.count(""),
    )
    return invited, my_reply, ordered, counts


def _agenda_rows(
    *, meeting: Meeting, reader: CaseReader, can_manage: bool, can_see_documents: bool
) -> list[dict[str, Any]]:
    """The agenda as rows for the page (``agenda``'s marking): one query, and one for topics and documents."""
    items = agenda_values(meeting)
    if not items:
        return items
    type_label = prepared.labels(AgendaItem.ItemType.choices)
    item_ids = [item["pk"] for item in items]
    topic_rows, document_rows = topics_and_documents(item_ids, documents=can_see_documents)
    topics: dict[int, list[str]] = {}
    for item_id, name in topic_rows:
        topics.setdefault(item_id, []).append(name)
    documents: dict[int, list[dict[str, Any]]] = {}
    if can_see_documents:
        document_url = prepared.url_pattern("meetings:document")
        document_delete_url = prepared.url_pattern("meetings:document_delete")
        for pk, item_id, name, size in document_rows:
            documents.setdefault(item_id, []).append(
                {
                    "original_name": name,
                    "size": size,
                    "url": document_url(pk),
                    "delete_url": document_delete_url(pk) if can_manage else "",
                }
            )
    tools = can_manage and not meeting.is_cancelled
    case_url = prepared.url_pattern("cases:detail")
    update_url = prepared.url_pattern("meetings:agenda_item_update")
    move_url = prepared.url_pattern("meetings:agenda_item_move")
    delete_url = prepared.url_pattern("meetings:agenda_item_delete")
    upload_url = prepared.url_pattern("meetings:document_upload")
    for item in items:
        withholds = item["case_id"] is not None and not reader(_case_ref(item))
        pk = item["pk"]
        item.update(
            withholds_case=withholds,
            display_title=withheld_case_title(_case_ref(item)) if withholds else item["title"],
            is_decision=item["item_type"] == AgendaItem.ItemType.DECISION,
            type_label=type_label.get(item["item_type"], item["item_type"]),
            topics=topics.get(pk, []),
            documents=documents.get(pk, []) if not withholds else [],
            case_url=case_url(item["case_id"]) if item["case_id"] is not None else "",
        )
        if tools:
            item.update(
                update_url=update_url(pk), move_url=move_url(pk), delete_url=delete_url(pk), upload_url=upload_url(pk)
            )
    return items


def _followup_rows(*, meeting: Meeting, reader: CaseReader) -> list[dict[str, Any]]:
    """``open_action_items(before=meeting.starts_at)`` as rows for the follow-up item. One query: the rows of
    ``followup_values``, made the page's rows straight from the statement's (a page shows a few dozen)."""
    format_date = prepared.date_formatter("SHORT_DATE_FORMAT", empty="")
    dates: dict[datetime.date, str] = {}  # many action items share a due date
    history_url = prepared.url_pattern("audit:history", "action-item")
    today = timezone.localdate()
    is_open = ActionItem.Status.OPEN
    rows = []
    for pk, title, status, due_date, done_note, first, last, username, case_id, *case in _followup_statement(meeting):
        withholds = case_id is not None and not reader(CaseRef(case_id, *case))
        if withholds:
            reference = case[-1]
            title = (
                gettext("Action item of case %(reference)s") % {"reference": reference}
                if reference
                else gettext("An action item of a case")
            )
        day = prepared.raw_date(due_date)
        rows.append(
            {
                "pk": pk,
                "status": status,
                "done_note": done_note,
                "withholds_case": withholds,
                "display_title": title,
                "owner": f"{first} {last}".strip() or username,  # _person
                "due": dates.get(day) or dates.setdefault(day, format_date(day)),
                "is_overdue": status == is_open and day < today,
                "history_url": history_url(pk),
            }
        )
    return rows


def meeting_page(
    *, user: User, meeting: Meeting, reader: CaseReader, can_manage: bool, can_see_documents: bool
) -> MeetingPage:
    """The meeting page's answers, agenda, follow-up and minutes for ``user`` (``meeting`` from ``meeting_get``).

    At most five queries, whatever the number of people, items and documents: one for the minutes, the answers and
    the deputies invited, one for the seats, one or two for the agenda (its items; their topics and documents),
    one for the follow-up item's action items (when the agenda has one).
    """
    found, replied, invitations = meeting_answers(meeting, person=None if can_manage else user)
    invited, my_reply, reply_rows, counts = _reply_part(
        user=user, meeting=meeting, can_manage=can_manage, replied=replied, invitations=invitations
    )
    items = _agenda_rows(meeting=meeting, reader=reader, can_manage=can_manage, can_see_documents=can_see_documents)
    follow_up = any(item["kind"] == AgendaItem.Kind.FOLLOW_UP for item in items)
    minutes_url = prepared.url_pattern("meetings:minutes", meeting.pk)
    status_label = prepared.labels(Minutes.Status.choices)
    minutes = []
    for m in found:
        if user.has_perm("meetings.view_minutes", m):
            minutes.append(
                {
                    "url": minutes_url(m.version),
                    "version": m.version,
                    "status_label": status_label.get(m.status, m.status),
                    "status_color": Minutes.STATUS_COLORS.get(m.status, "neutral"),
                }
            )
    return MeetingPage(
        invited=invited,
        my_reply=my_reply,
        reply_rows=reply_rows,
        reply_counts=counts,
        items=items,
        action_items=_followup_rows(meeting=meeting, reader=reader) if follow_up else [],
        minutes=minutes,
    )
