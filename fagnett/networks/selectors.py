"""Reads for networks, mandates and appointments, always scoped to the person asking."""

import datetime
import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, TypedDict, cast

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from fagnett.access import access_for, visible_region_filter
from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.core import rows as prepared
from fagnett.core import statements
from fagnett.core.freshness import Kept
from fagnett.networks.freshness import NETWORKS
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network, TaskListItem
from fagnett.organisations.models import HealthTrust, Region

OPEN_STATUSES = (Appointment.Status.NOMINATED, Appointment.Status.APPOINTED)


#: What the coordinator's region state counts (web/region_state.py) and the network list filters by (``concern``).
CONCERN_BELOW_MINIMUM = "below_minimum"
CONCERN_REPORT_MISSING = "report_missing"
CONCERN_MANDATE_EXPIRING = "mandate_expiring"
CONCERN_NO_SECRETARY = "no_secretary"
CONCERN_TRUST_GAP = "trust_gap"
CONCERNS = (
    CONCERN_BELOW_MINIMUM,
    CONCERN_REPORT_MISSING,
    CONCERN_MANDATE_EXPIRING,
    CONCERN_NO_SECRETARY,
    CONCERN_TRUST_GAP,
)
#: "Mandates expiring": the current mandate ends within this many days (or has ended).
MANDATE_EXPIRY_DAYS = 90
# Meetings and annual reports live in apps above this one (pyproject.toml's layers), so the network list reaches
# them through the ORM's reverse relations ("meetings", "annual_reports") and their stored values, not their models.
_MEETING_HELD = "held"
_REPORT_COUNTED = ("submitted", "accepted")  # reports.models.COUNTED_REPORT_STATUSES


@dataclass(frozen=True)
class NetworkFilters:
    region: int | None = None
    status: str = ""
    field: str = ""
    q: str = ""
    include_subgroups: bool = True
    kind: str = ""
    concern: str = ""


@dataclass(frozen=True)
class RegionYear:
    """The dates the network list's columns and concerns are measured against: this year's meetings so far, the
    reporting year (last year), and the day mandates are measured from."""

    today: datetime.date

    @property
    def year(self) -> int:
        return self.today.year

    @property
    def report_year(self) -> int:
        return self.today.year - 1

    @property
    def elapsed(self) -> tuple[int, int]:
        """(days of the year gone, including today; days in the year)."""
        first, last = _year_bounds(self.today.year)
        return (self.today - first).days + 1, (last - first).days + 1

    def expected_so_far(self, minimum: int | None) -> int | None:
        """The meetings a network with ``minimum`` a year should have held by today, pro rata, rounded down: a
        network with four a year is behind from the day a quarter of the year has gone by without one held."""
        if minimum is None:
            return None
        gone, days = self.elapsed
        return minimum * gone // days


def region_year() -> RegionYear:
    return RegionYear(today=timezone.localdate())


def region_list(*, user: User) -> QuerySet[Region]:
    access = access_for(user)
    regions = Region.objects.all()
    return regions if access.is_superuser else regions.filter(pk__in=access.regions)


def coordinated_regions(*, user: User, include_directed: bool = False) -> QuerySet[Region]:
    """The regions the person coordinates (and directs, with ``include_directed``), by name; all for a superuser."""
    access = access_for(user)
    regions = Region.objects.order_by("name")
    if access.is_superuser:
        return regions
    chosen = access.coordinator_regions | (access.director_regions if include_directed else frozenset())
    return regions.filter(pk__in=chosen)


def network_list(
    *, user: User, filters: NetworkFilters | None = None, when: RegionYear | None = None
) -> QuerySet[Network]:
    """Networks in the person's regions, with the list page's columns, in one query (the list page itself reads
    them through ``network_list_page``, the coordinator's region state counts them through
    ``network_concern_counts``; this queryset is what both mean, and tests hold them to it).

    Each network carries ``member_count``, ``held_this_year`` (meetings held so far this year), ``minimum`` (the
    minimum in force this year), ``expected_so_far`` (the minimum pro rata by today) and ``report_status`` (of its
    annual report for the reporting year; None before one is started)."""
    filters = filters or NetworkFilters()
    when = when or region_year()
    gone, days = when.elapsed
    networks = (
        Network.objects.filter(visible_region_filter(user))
        .select_related("region", "parent")
        .alias(
            report_of_year=FilteredRelation("annual_reports", condition=Q(annual_reports__year=when.report_year)),
            # The joins are narrowed in their ON clauses (issue 23): counted with a FILTER instead, every network's
            # appointments were joined with all its meetings of ten years, and PostgreSQL counted the product.
            appointed=FilteredRelation("appointments", condition=Q(appointments__status=Appointment.Status.APPOINTED)),
            held=FilteredRelation(
                "meetings", condition=Q(meetings__status=_MEETING_HELD, meetings__starts_at__year=when.year)
            ),
        )
        .annotate(
            member_count=Count("appointed__id", distinct=True),
            held_this_year=Count("held__id", distinct=True),
            minimum=minimum_in_force(when.year),
            expected_so_far=F("minimum") * gone / days,  # whole numbers: rounded down, as expected_so_far()
            report_status=F("report_of_year__status"),
        )
        .order_by("region__name", "name")
    )
    return _filtered(networks, filters, when)


def _filtered(networks: QuerySet[Network], filters: NetworkFilters, when: RegionYear) -> QuerySet[Network]:
    """``networks`` narrowed by ``filters``. Only a ``concern`` needs ``network_list``'s annotations."""
    if filters.kind:
        networks = networks.filter(kind=filters.kind)
    if filters.concern:
        networks = _with_concern(networks, filters.concern, when)
    if filters.region:
        networks = networks.filter(region_id=filters.region)
    if filters.status:
        networks = networks.filter(status=filters.status)
    if filters.field:
        networks = networks.filter(field__lower__contains=filters.field.lower())
    if filters.q:
        q = filters.q.lower()
        networks = networks.filter(
            Q(name__lower__contains=q) | Q(field__lower__contains=q) | Q(description__lower__contains=q)
        )
    if not filters.include_subgroups:
        networks = networks.filter(parent__isnull=True)
    return networks


def _with_concern(networks: QuerySet[Network], concern: str, when: RegionYear) -> QuerySet[Network]:
    """The networks that need the coordinator's attention for ``concern``. Each counts top-level networks (kind
    "network": those with mandates, meeting minimums and annual reports); all but the annual report count only the
    active ones. Networks missing the report are those the regional report expects (``reporting_networks``: active
    at the reporting year's end) without a submitted or accepted one."""
    networks = networks.filter(kind=Network.Kind.NETWORK)
    if concern == CONCERN_REPORT_MISSING:
        expected = reporting_network_ids(networks=networks, year=when.report_year)
        # A network without a report has no status: ``exclude(report_status__in=…)`` alone would drop it (SQL's NULL).
        return networks.filter(Q(report_status__isnull=True) | ~Q(report_status__in=_REPORT_COUNTED), pk__in=expected)
    networks = networks.filter(status=Network.Status.ACTIVE)
    if concern == CONCERN_BELOW_MINIMUM:
        return networks.filter(Q(minimum__isnull=False, held_this_year__lt=F("expected_so_far")))
    if concern == CONCERN_MANDATE_EXPIRING:
        limit = when.today + datetime.timedelta(days=MANDATE_EXPIRY_DAYS)
        latest = Mandate.objects.filter(network=OuterRef("pk")).order_by("-version").values("period_end")[:1]
        return networks.alias(mandate_ends=Subquery(latest)).filter(mandate_ends__lte=limit)
    appointed = Appointment.objects.filter(network=OuterRef("pk"), status=Appointment.Status.APPOINTED)
    if concern == CONCERN_NO_SECRETARY:
        return networks.filter(~Exists(appointed.filter(role=AppointmentRole.SECRETARY)))
    if concern == CONCERN_TRUST_GAP:
        unrepresented = HealthTrust.objects.filter(region=OuterRef("region")).exclude(
            Exists(
                Appointment.objects.filter(
                    network=OuterRef(OuterRef("pk")), trust=OuterRef("pk"), status=Appointment.Status.APPOINTED
                )
            )
        )
        return networks.filter(Exists(unrepresented))
    return networks.none()


def reporting_network_ids(*, networks: QuerySet[Network], year: int) -> list[int]:
    """Of ``networks``, those expected to report on ``year``: top-level networks established by the year's end and
    active at it (as they were then). The same rule as reports.statistics.reporting_networks; two queries."""
    candidates = list(
        networks.filter(kind=Network.Kind.NETWORK)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=datetime.date(year, 12, 31)))
        .select_related(None)
        .order_by()
        .only("pk", "status")
    )
    statuses = statuses_at_year_end(networks=candidates, year=year)
    return [n.pk for n in candidates if statuses[n.pk] == Network.Status.ACTIVE]


def network_concern_counts(*, user: User, when: RegionYear | None = None) -> dict[str, int]:
    """How many networks each of ``CONCERNS`` finds: for every key, ``network_list(user=user,
    filters=NetworkFilters(concern=key), when=when).count()``, which the network list filtered by that concern shows.

    Written by hand: through the ORM, compiling ``network_list`` with its annotations once per concern cost more
    Python than the rest of the coordinator's start page (issue 23). One statement reads the person's top-level
    networks (a region holds a few dozen) with what each concern asks of them and their status at the reporting
    year's end (``statuses_at_year_end``'s rule on their history, read in the same statement: the history's own query
    cost the coordinator's page more Python to compile than its rows to read); the rules are ``_with_concern``'s, and
    a test holds every count to it.

    The counts depend only on the regions the person sees and the day, and change only with the tables of
    ``networks.freshness``: each worker keeps them under its key, so a coordinator's start page reads the key instead
    of counting (one small query for a statement of ~2 ms on a region of 33 networks), and a change shows at once."""
    when = when or region_year()
    access = access_for(user)
    regions = None if access.is_superuser else tuple(sorted(access.regions))
    return dict(_kept_counts.get(NETWORKS.key(), (regions, when), lambda: _concern_counts(user, when)))


#: the counts each worker keeps per (regions seen, day) under ``NETWORKS``' key (``network_concern_counts``)
_kept_counts: Kept[dict[str, int]] = NETWORKS.kept(size=256)


def _concern_counts(user: User, when: RegionYear) -> dict[str, int]:
    year = _YearColumns.of(when)
    where, params = _visible(user)
    # Per network: its status and establishment, the meetings held this year, the minimum in force this year, the
    # end of its newest mandate version, whether a secretary is appointed, whether a trust of its region has nobody
    # appointed, the status of its annual report for the reporting year, and its status at that year's end as
    # ``statuses_at_year_end`` reads the history: the newest record made by then; for a network entered after the
    # year, the record of its creation; else the status it has now. Only table and column names and placeholders
    # are formatted in; every value goes as a parameter.
    sql = f"""
        SELECT n.status, n.established_on, {year.held}, {year.minimum},
            (SELECT md.period_end FROM networks_mandate md WHERE md.network_id = n.id ORDER BY md.version DESC LIMIT 1),
            EXISTS (SELECT 1 FROM networks_appointment a WHERE a.network_id = n.id AND a.status = %s AND a.role = %s),
            EXISTS (SELECT 1 FROM organisations_healthtrust t WHERE t.region_id = n.region_id AND NOT EXISTS (
              SELECT 1 FROM networks_appointment a WHERE a.network_id = n.id AND a.trust_id = t.id AND a.status = %s)),
            {year.report},
            {year_end_status_sql("n")}
        FROM networks_network n
        WHERE {" AND ".join(["n.kind = %s", *where])}
    """  # noqa: S608
    with connection.cursor() as db:
        db.execute(
            sql,
            [
                *year.held_params,
                *year.minimum_params,
                Appointment.Status.APPOINTED,
                AppointmentRole.SECRETARY,
                Appointment.Status.APPOINTED,
                *year.report_params,
                *year_end_status_params(when.report_year),
                Network.Kind.NETWORK,
                *params,
            ],
        )
        fetched = db.fetchall()
    counts = dict.fromkeys(CONCERNS, 0)
    expiry = when.today + datetime.timedelta(days=MANDATE_EXPIRY_DAYS)
    report_year_end = datetime.date(when.report_year, 12, 31)
    for status, established_on, held, minimum, mandate_ends, secretary, trust_gap, report_status, then in fetched:
        established_on = prepared.raw_date(established_on)
        uncounted = report_status not in _REPORT_COUNTED  # a network without a report too
        if uncounted and (established_on is None or established_on <= report_year_end):
            counts[CONCERN_REPORT_MISSING] += then == Network.Status.ACTIVE
        if status != Network.Status.ACTIVE:
            continue
        expected = when.expected_so_far(minimum)
        counts[CONCERN_BELOW_MINIMUM] += expected is not None and held < expected
        counts[CONCERN_MANDATE_EXPIRING] += mandate_ends is not None and prepared.raw_date(mandate_ends) <= expiry
        counts[CONCERN_NO_SECRETARY] += not secretary
        counts[CONCERN_TRUST_GAP] += bool(trust_gap)
    return counts


class NetworkRow(TypedDict):
    """One row of the network list, ready to show: every label, address and number made once per request. A dict,
    not a dataclass: the template engine tries a key before an attribute, and the failed try costs a raised
    exception per variable (a fifth of the table's time)."""

    url: str
    name: str
    subgroup_of: str  # "Working group – the parent's name" for a council or working group, else ""
    field: str
    region: str  # the region's short name
    status_label: str
    status_color: str
    leaders: list[str]
    members: str
    meetings: str  # "held this year / minimum" ("– " for no minimum)
    behind_by_now: int | None  # the meetings expected by now, when an active network has held fewer
    reports_separately: bool  # a top-level network (kind "network"), with an annual report of its own
    report_label: str  # "" before the report is started
    report_color: str


@dataclass(frozen=True)
class NetworkCounts:
    """How many top-level networks, forums and sub-groups (councils and working groups under a network) match."""

    networks: int
    forums: int
    subgroups: int


@dataclass(frozen=True)
class NetworkListPage:
    """A page of the network list: its rows, and how many networks, forums and sub-groups match in all."""

    rows: list[NetworkRow]
    counts: NetworkCounts
    page: Page[Any]  # over the matching networks; its object_list is ``rows``


def network_list_page(
    *,
    user: User,
    filters: NetworkFilters | None = None,
    when: RegionYear | None = None,
    number: Any = None,
    report_statuses: tuple[dict[str, str], dict[str, str]] = ({}, {}),
    size: int = 50,
) -> NetworkListPage:
    """The page ``number`` of ``network_list`` (the same networks, in the same order, with the same columns) as rows
    ready to show, and the counts of every matching network, in one query.

    The query is written by hand: built through the ORM, with its joins, subqueries and annotations, it cost more
    Python to compile than the whole page costs now (issue 23). It reads every matching network (the person's
    regions hold a few dozen), so the counts need no query of their own, and each network's appointed leaders come
    along in the same rows. The filters are ``network_list``'s own: any given narrows the rows to the ids of its
    queryset, so the list and the coordinator's region state (which counts ``network_list``) cannot disagree.

    ``report_statuses`` are the annual report's status labels and colours (the reports app is a layer above)."""
    filters = filters or NetworkFilters()
    when = when or region_year()
    networks: list[list[Any]] = []
    for row in _list_rows(user, filters, when):
        if networks and networks[-1][0] == row[0]:
            networks[-1][-1].append(row[-1])  # another leader of the same network
        else:
            networks.append([*row[:-1], [row[-1]] if row[-1] is not None else []])
    counts = Counter(
        "subgroups" if n[5] is not None else "networks" if n[3] == Network.Kind.NETWORK else "forums" for n in networks
    )
    page: Page[Any] = Paginator(networks, size).get_page(number)
    url = prepared.url_pattern("networks:detail")
    kinds = prepared.labels(Network.Kind.choices)
    statuses = prepared.labels(Network.Status.choices)
    report_labels, report_colors = report_statuses
    colors = Network.STATUS_COLORS
    active, top_level = Network.Status.ACTIVE, Network.Kind.NETWORK
    rows: list[NetworkRow] = []
    for (
        pk,
        name,
        field_,
        kind,
        status,
        parent_id,
        parent_name,
        region,
        members,
        held,
        minimum,
        report,
        leaders,
    ) in page.object_list:
        expected = when.expected_so_far(minimum)
        rows.append(
            {
                "url": url(pk),
                "name": name,
                "subgroup_of": f"{kinds.get(kind, kind)} – {parent_name}" if parent_id is not None else "",
                "field": field_,
                "region": region,
                "status_label": statuses.get(status, status),
                "status_color": colors.get(status, "neutral"),
                "leaders": leaders,
                # Whole numbers as the template writes them (no thousands separator: USE_THOUSAND_SEPARATOR is off).
                "members": str(members),
                "meetings": f"{held} / {'–' if minimum is None else minimum}",
                "behind_by_now": expected
                if expected is not None and kind == top_level and status == active and held < expected
                else None,
                "reports_separately": kind == top_level,
                "report_label": report_labels.get(report, report) if report else "",
                "report_color": report_colors.get(report, "neutral") if report else "neutral",
            }
        )
    page.object_list = rows
    return NetworkListPage(
        rows=rows,
        counts=NetworkCounts(counts["networks"], counts["forums"], counts["subgroups"]),
        page=page,
    )


class _YearColumns(NamedTuple):
    """What the two hand-written statements of networks (``network_concern_counts``, ``_list_rows``) read alike of
    each network ``n`` for a year: the meetings held in it (as ``__year`` bounds a start), the minimum in force in
    it (the newest mandate version whose period covers part of it), and the status of the reporting year's annual
    report; each column with its parameters. Meetings and annual reports belong to apps above this one: their
    tables are found through the relations."""

    held: str
    held_params: list[Any]
    minimum: str
    minimum_params: list[Any]
    report: str
    report_params: list[Any]

    @classmethod
    def of(cls, when: RegionYear) -> "_YearColumns":
        ops = connection.ops
        meetings = Network._meta.get_field("meetings").related_model._meta.db_table
        reports = Network._meta.get_field("annual_reports").related_model._meta.db_table
        first, last = _year_bounds(when.year)
        held_from, held_to = ops.year_lookup_bounds_for_datetime_field(when.year)
        # Only table and column names and placeholders are formatted in; every value goes as a parameter.
        return cls(
            held=f"""(SELECT COUNT(*) FROM {meetings} m
              WHERE m.network_id = n.id AND m.status = %s AND m.starts_at BETWEEN %s AND %s)""",  # noqa: S608
            held_params=[_MEETING_HELD, held_from, held_to],
            minimum="""(SELECT md.min_meetings_per_year FROM networks_mandate md
              WHERE md.network_id = n.id AND md.period_start <= %s AND md.period_end >= %s
              ORDER BY md.version DESC LIMIT 1)""",
            minimum_params=[ops.adapt_datefield_value(last), ops.adapt_datefield_value(first)],
            report=f"(SELECT r.status FROM {reports} r WHERE r.network_id = n.id AND r.year = %s)",  # noqa: S608
            report_params=[when.report_year],
        )


def _visible(user: User) -> tuple[list[str], list[Any]]:
    """A hand-written statement's conditions that the network ``n`` is one the person may see (none for a
    superuser), with their parameters."""
    access = access_for(user)
    if access.is_superuser:
        return [], []
    condition, regions = _in_regions(access.regions)
    return [condition], list(regions)


def _in_regions(regions: Iterable[int]) -> tuple[str, list[int]]:
    """A hand-written statement's condition that the network ``n`` is in one of ``regions``, with its parameters
    (a condition nothing meets when there are none)."""
    ids = sorted(regions)
    return (f"n.region_id IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0"), ids


def _list_rows(user: User, filters: NetworkFilters, when: RegionYear) -> list[tuple[Any, ...]]:
    """``network_list``'s networks as plain rows, in its order, each network once per appointed leader (or once
    with None): id, name, field, kind, status, parent id, parent name, region short name, members, meetings held this
    year, the minimum in force this year, the status of the reporting year's annual report, the leader's name."""
    year = _YearColumns.of(when)
    where, params = _visible(user)
    if filters != NetworkFilters():
        # The filters of ``network_list``, as a subquery of ids; the columns' annotations only where a concern
        # needs them.
        if filters.concern:
            chosen = network_list(user=user, filters=filters, when=when)
        else:
            chosen = _filtered(Network.objects.filter(visible_region_filter(user)), filters, when)
        try:
            sql, chosen_params = chosen.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # the ORM knows without asking: nothing matches (no region, an unknown concern)
            return []
        where.append(f"n.id IN ({sql})")
        params += chosen_params
    # Only table and column names and placeholders are formatted in; every value goes as a parameter.
    sql = f"""
        SELECT n.id, n.name, n.field, n.kind, n.status, n.parent_id, parent.name, region.short_name,
            (SELECT COUNT(*) FROM networks_appointment a WHERE a.network_id = n.id AND a.status = %s),
            {year.held}, {year.minimum}, {year.report},
            leader.first_name, leader.last_name, leader.username
        FROM networks_network n
        JOIN organisations_region region ON region.id = n.region_id
        LEFT JOIN networks_network parent ON parent.id = n.parent_id
        LEFT JOIN networks_appointment la ON la.network_id = n.id AND la.role = %s AND la.status = %s
        LEFT JOIN accounts_user leader ON leader.id = la.person_id
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY region.name, n.name, n.id, leader.first_name, leader.last_name
    """  # noqa: S608
    with connection.cursor() as db:
        db.execute(
            sql,
            [
                Appointment.Status.APPOINTED,
                *year.held_params,
                *year.minimum_params,
                *year.report_params,
                AppointmentRole.LEADER,
                Appointment.Status.APPOINTED,
                *params,
            ],
        )
        fetched = db.fetchall()
    # As User.__str__: the full name, or the username when there is none.
    return [(*row[:12], None if row[14] is None else (f"{row[12]} {row[13]}".strip() or row[14])) for row in fetched]


@dataclass(frozen=True)
class NetworkFilterChoices:
    """The network list filter's choices for a person: their regions as ``(id, name)`` and the professional fields
    of their regions' networks."""

    regions: list[tuple[int, str]]
    fields: list[str]


def network_filter_choices(*, user: User) -> NetworkFilterChoices:
    """The choices of the network list's filter form: the person's regions by name (as ``region_list``) and the
    distinct fields of their regions' networks in order, in one hand-written query (through the ORM the two cost
    more than the page's rows)."""
    access = access_for(user)
    regions_where = fields_where = ""
    params: list[Any] = []
    if not access.is_superuser:
        regions = sorted(access.regions)
        placeholders = ", ".join(["%s"] * len(regions))
        regions_where = f"WHERE id IN ({placeholders})" if regions else "WHERE 1 = 0"
        fields_where = f"WHERE region_id IN ({placeholders})" if regions else "WHERE 1 = 0"
        params = regions + regions
    # Only placeholders are formatted in; the region ids go as parameters.
    sql = (
        f"SELECT 0, id, name FROM organisations_region {regions_where} "  # noqa: S608
        f"UNION ALL SELECT DISTINCT 1, 0, field FROM networks_network {fields_where} "
        "ORDER BY 1, 3"
    )
    with connection.cursor() as db:
        db.execute(sql, params)
        rows = db.fetchall()
    return NetworkFilterChoices(
        regions=[(pk, name) for kind, pk, name in rows if kind == 0],
        fields=[name for kind, _, name in rows if kind == 1],
    )


def network_get(*, user: User, network_id: int) -> Network:
    """The network if the person may see it; 404 otherwise (no hint that it exists). Its region, its parent and the
    network it was merged into come along, as ``select_related`` brings them.

    Read by one hand-written statement (``core.statements``): through the ORM, compiling the three joins cost more
    Python than the network page's other reads together (issue 23). A test holds it to the ORM's query."""
    network_id = int(network_id)
    if not statements.pk_in_range(Network, network_id):  # no such id; the ORM finds nothing without asking, as here
        raise Http404
    with connection.cursor() as db:
        db.execute(_network_statement(), [network_id])
        row = db.fetchone()
    if row is None:
        raise Http404
    network, region, parent, merged_into = statements.load_row(row, (Network, Region, Network, Network))
    # Set through the relations' descriptors, which keep each as select_related does (nothing is asked later).
    network.region = region
    network.parent = parent
    network.merged_into = merged_into
    if not user.has_perm("networks.view_network", network):
        raise Http404
    return cast(Network, network)


def _network_statement() -> str:
    """``network_get``'s statement: every concrete field of the network, its region, its parent and the network it
    was merged into, side by side as ``statements.load_row`` reads them."""
    columns = ", ".join(
        statements.select_columns(model, alias)
        for model, alias in ((Network, "n"), (Region, "region"), (Network, "parent"), (Network, "merged"))
    )
    # Only table and column names are formatted in; the network's id goes as a parameter.
    return (
        f"SELECT {columns} FROM networks_network n "  # noqa: S608
        "JOIN organisations_region region ON region.id = n.region_id "
        "LEFT JOIN networks_network parent ON parent.id = n.parent_id "
        "LEFT JOIN networks_network merged ON merged.id = n.merged_into_id "
        "WHERE n.id = %s"
    )


def mandate_current(*, network: Network) -> Mandate | None:
    return (
        network.mandates.select_related("secretariat_trust", "archive_trust", "created_by")
        .prefetch_related("tasks")
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class MandateBody:
    """One mandate version's content as its pages show it (networks/_mandate_body.html): the meeting form as its
    label, the trusts by name ("" for none), the standard tasks by title in the task list's order."""

    version: int
    approved_by: str
    approved_on: datetime.date | None
    period_start: datetime.date
    period_end: datetime.date
    min_meetings_per_year: int
    meeting_form: str
    secretariat: str
    archive: str
    budget_amount: Decimal | None
    budget_note: str
    purpose: str
    tasks: list[str]
    specific_tasks: str

    @classmethod
    def of(cls, mandate: Mandate) -> "MandateBody":
        """``mandate``'s content (its trusts and tasks read as they are loaded: select and prefetch them)."""
        return cls(
            version=mandate.version,
            approved_by=mandate.approved_by,
            approved_on=mandate.approved_on,
            period_start=mandate.period_start,
            period_end=mandate.period_end,
            min_meetings_per_year=mandate.min_meetings_per_year,
            meeting_form=mandate.get_meeting_form_display(),
            secretariat=str(mandate.secretariat_trust or ""),
            archive=str(mandate.archive_trust or ""),
            budget_amount=mandate.budget_amount,
            budget_note=mandate.budget_note,
            purpose=mandate.purpose,
            tasks=[task.title for task in mandate.tasks.all()],
            specific_tasks=mandate.specific_tasks,
        )

    def expires_within(self, today: datetime.date, months: int) -> bool:
        return Mandate.period_ends_within(self.period_end, today, months)

    def has_expired(self, today: datetime.date) -> bool:
        return self.period_end < today


def mandate_current_body(*, network_id: int) -> MandateBody | None:
    """The content of the network's newest mandate version (``mandate_current``), with its trusts' names and its
    tasks, in one hand-written statement: through the ORM, the mandate with its trusts and then its tasks cost two
    queries and more Python to compile than the rest of the network page's reads together (issue 23)."""
    # Only table and column names are formatted in; the network goes as a parameter. The tasks in TaskListItem's
    # order (its region's name, its order, its code), one row each; a mandate without tasks is one row without one.
    sql = """
        SELECT m.version, m.approved_by, m.approved_on, m.period_start, m.period_end, m.min_meetings_per_year,
            m.meeting_form, secretariat.name, archive.name, m.budget_amount, m.budget_note, m.purpose,
            m.specific_tasks, task.title
        FROM networks_mandate m
        LEFT JOIN organisations_healthtrust secretariat ON secretariat.id = m.secretariat_trust_id
        LEFT JOIN organisations_healthtrust archive ON archive.id = m.archive_trust_id
        LEFT JOIN networks_mandate_tasks chosen ON chosen.mandate_id = m.id
        LEFT JOIN networks_tasklistitem task ON task.id = chosen.tasklistitem_id
        LEFT JOIN organisations_region task_region ON task_region.id = task.region_id
        WHERE m.id = (SELECT newest.id FROM networks_mandate newest WHERE newest.network_id = %s
                      ORDER BY newest.version DESC LIMIT 1)
        ORDER BY task_region.name, task."order", task.code
    """
    with connection.cursor() as db:
        db.execute(sql, [network_id])
        fetched = db.fetchall()
    if not fetched:
        return None
    first = fetched[0]
    forms = prepared.labels(Mandate._meta.get_field("meeting_form").flatchoices)
    return MandateBody(
        version=first[0],
        approved_by=first[1],
        approved_on=prepared.raw_date(first[2]),
        period_start=prepared.raw_date(first[3]),
        period_end=prepared.raw_date(first[4]),
        min_meetings_per_year=first[5],
        meeting_form=forms.get(first[6], first[6]),
        secretariat=first[7] or "",
        archive=first[8] or "",
        # SQLite gives a whole number's column as an int; the ORM (and PostgreSQL) a Decimal.
        budget_amount=None if first[9] is None else Decimal(first[9]),
        budget_note=first[10],
        purpose=first[11],
        specific_tasks=first[12],
        tasks=[row[13] for row in fetched if row[13] is not None],
    )


def mandate_list(*, network: Network) -> QuerySet[Mandate]:
    return network.mandates.select_related("created_by").order_by("-version")


def mandate_get(*, user: User, network_id: int, version: int) -> Mandate:
    network = network_get(user=user, network_id=network_id)
    try:
        return (
            network.mandates.select_related("secretariat_trust", "archive_trust", "created_by", "network__region")
            .prefetch_related("tasks")
            .get(version=version)
        )
    except Mandate.DoesNotExist:
        raise Http404 from None


def task_list(*, region_id: int) -> QuerySet[TaskListItem]:
    return TaskListItem.objects.filter(region_id=region_id)


ROLE_ORDER = Case(
    *(When(role=value, then=Value(rank)) for rank, value in enumerate(AppointmentRole.values)),
    output_field=IntegerField(),
)


def appointment_list(
    *, network: Network, statuses: tuple[str, ...] = (Appointment.Status.APPOINTED,)
) -> list[Appointment]:
    """The network's people, leader first, in the order of ``AppointmentRole``."""
    return list(
        network.appointments.filter(status__in=statuses)
        .select_related("person", "trust", "nominated_by")
        .order_by(ROLE_ORDER, "trust__name", "person__first_name")
    )


@dataclass
class MatrixRow:
    """A trust's row (or the RHF's, without a trust): who holds each role, and who is nominated. Appointments in
    ``representation_matrix``; in ``network_people``, names in the cells and the nominations' dicts."""

    label: str
    trust: HealthTrust | None
    cells: list[list[Any]]
    appointed_count: int = 0
    nominated: list[Any] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return self.trust is not None and self.appointed_count == 0


@dataclass
class RepresentationMatrix:
    roles: list[tuple[str, str]]
    rows: list[MatrixRow]

    @property
    def gaps(self) -> list[MatrixRow]:
        return [row for row in self.rows if row.is_gap]


def representation_matrix(*, network: Network, appointments: list[Appointment] | None = None) -> RepresentationMatrix:
    """Trusts of the network's region × roles, with who is appointed in each cell.

    A trust with nobody appointed is a gap. The RHF's own representatives form a row of their own. ``appointments``
    are the network's open ones (``appointment_list`` with ``OPEN_STATUSES``), when the caller has them already.
    """
    roles = [(value, str(label)) for value, label in AppointmentRole.choices]
    role_index = {value: i for i, (value, _) in enumerate(roles)}
    trusts = list(HealthTrust.objects.filter(region_id=network.region_id).order_by("name"))
    rows = {t.pk: MatrixRow(label=t.name, trust=t, cells=[[] for _ in roles]) for t in trusts}
    rhf_row = MatrixRow(label=str(network.region), trust=None, cells=[[] for _ in roles])
    if appointments is None:
        appointments = appointment_list(network=network, statuses=OPEN_STATUSES)
    for appointment in appointments:
        row = rows.get(appointment.trust_id or 0, rhf_row)
        if appointment.status == Appointment.Status.APPOINTED:
            row.cells[role_index[appointment.role]].append(appointment)
            row.appointed_count += 1
        else:
            row.nominated.append(appointment)
    return RepresentationMatrix(roles=roles, rows=[*rows.values(), rhf_row])


@dataclass(frozen=True)
class NetworkPeople:
    """The network page's people, ready to show (issue 23): the appointed members in ``appointment_list``'s order,
    the representation matrix with names in its cells, and the open nominations. Each member and nomination is a
    dict: ``pk``, ``name``, ``title``, ``role`` (label), ``represents`` (the trust, or the region), ``period``,
    ``history_url``, and a member's ``end_url`` or a nomination's ``nominated_by`` and ``decide_url``."""

    members: list[dict[str, Any]]
    matrix: RepresentationMatrix
    nominations: list[dict[str, Any]]


def network_people(*, network: Network) -> NetworkPeople:
    """``representation_matrix`` and the appointed members of ``network`` as plain values: two hand-written queries
    (the trusts, and the open appointments with their people's names), no model instances."""
    roles = [(value, str(label)) for value, label in AppointmentRole.choices]
    role_labels = dict(roles)
    role_index = {value: i for i, (value, _) in enumerate(roles)}
    # The region's trusts by name, written by hand as the appointments below (the ORM's compile cost more than both).
    with connection.cursor() as db:
        db.execute(
            "SELECT id, name FROM organisations_healthtrust WHERE region_id = %s ORDER BY name", [network.region_id]
        )
        trusts = db.fetchall()
    # A trust's row holds a HealthTrust of only its id and name: what the page shows, and what makes it a gap.
    rows = {
        pk: MatrixRow(label=name, trust=HealthTrust(pk=pk, name=name), cells=[[] for _ in roles]) for pk, name in trusts
    }
    rhf_row = MatrixRow(label=str(network.region), trust=None, cells=[[] for _ in roles])
    short_date = prepared.date_formatter("SHORT_DATE_FORMAT", empty="")
    history_url = prepared.url_pattern("audit:history", "appointment")
    end_url = prepared.url_pattern("networks:appointment_end")
    decide_url = prepared.url_pattern("networks:nomination_decide")
    members = []
    # Written by hand: through the ORM, compiling the joins and the role order cost more than the rest of the part.
    # The order is appointment_list's: the role's place in AppointmentRole, the trust's name, the first name.
    role_order = " ".join(f"WHEN %s THEN {rank}" for rank in range(len(roles)))
    sql = f"""
        SELECT a.id, a.role, a.status, a.trust_id, t.name, a.start_date, a.end_date,
            p.first_name, p.last_name, p.username, p.title, n.first_name, n.last_name, n.username
        FROM networks_appointment a
        JOIN accounts_user p ON p.id = a.person_id
        LEFT JOIN organisations_healthtrust t ON t.id = a.trust_id
        LEFT JOIN accounts_user n ON n.id = a.nominated_by_id
        WHERE a.network_id = %s AND a.status IN (%s, %s)
        ORDER BY CASE a.role {role_order} END, t.name, p.first_name
    """  # noqa: S608 (only placeholders and ranks are formatted in)
    with connection.cursor() as db:
        db.execute(sql, [network.pk, *OPEN_STATUSES, *(value for value, _ in roles)])
        fetched = db.fetchall()
    columns = (
        "pk",
        "role",
        "status",
        "trust_id",
        "trust__name",
        "start_date",
        "end_date",
        "person__first_name",
        "person__last_name",
        "person__username",
        "person__title",
        "nominated_by__first_name",
        "nominated_by__last_name",
        "nominated_by__username",
    )
    for v in (dict(zip(columns, row, strict=True)) for row in fetched):
        # As User.__str__: the full name, or the username when there is none.
        name = f"{v['person__first_name']} {v['person__last_name']}".strip() or v["person__username"]
        start, end = short_date(v["start_date"]), v["end_date"]
        person = {
            "pk": v["pk"],
            "name": name,
            "title": v["person__title"],
            "role": role_labels.get(v["role"], v["role"]),
            "represents": v["trust__name"] or rhf_row.label,
            "period": f"{start} – {short_date(end)}" if end else start,
            "history_url": history_url(v["pk"]),
        }
        row = rows.get(v["trust_id"] or 0, rhf_row)
        if v["status"] == Appointment.Status.APPOINTED:
            members.append({**person, "end_url": end_url(v["pk"])})
            row.cells[role_index[v["role"]]].append(name)
            row.appointed_count += 1
        else:
            by = v["nominated_by__username"]
            if by is not None:
                by = f"{v['nominated_by__first_name']} {v['nominated_by__last_name']}".strip() or by
            row.nominated.append({**person, "nominated_by": by, "decide_url": decide_url(v["pk"])})
    matrix = RepresentationMatrix(roles=roles, rows=[*rows.values(), rhf_row])
    # The nominations by the matrix's rows (the trusts by name, the RHF last), as the page has always listed them.
    return NetworkPeople(
        members=members, matrix=matrix, nominations=[nomination for row in matrix.rows for nomination in row.nominated]
    )


class SubgroupRow(NamedTuple):
    pk: int
    name: str
    kind: str
    status: str


def network_subgroups(*, network_id: int) -> list[SubgroupRow]:
    """The network's councils and working groups by name (``network.subgroups.order_by("name")``), written by hand:
    the network page shows only these four values (issue 23)."""
    with connection.cursor() as db:
        db.execute(
            "SELECT id, name, kind, status FROM networks_network WHERE parent_id = %s ORDER BY name", [network_id]
        )
        return [SubgroupRow(*row) for row in db.fetchall()]


@dataclass(frozen=True)
class NominationFilters:
    q: str = ""
    network: int | None = None
    trust: int | None = None
    status: str = ""
    role: str = ""


def nomination_list(*, user: User, filters: NominationFilters | None = None) -> QuerySet[Appointment]:
    """Nominations the person decides (coordinator) or made themselves (fagsjef): those waiting for a decision
    first, then the newest; narrowed by ``filters`` (``q`` matches the person's name, username or e-mail)."""
    filters = filters or NominationFilters()
    access = access_for(user)
    visible = Q(nominated_by=user)
    if access.is_superuser:
        visible = Q()
    elif access.coordinator_regions:
        visible |= Q(network__region__in=access.coordinator_regions)
    nominations = Appointment.objects.filter(visible)
    if filters.network:
        nominations = nominations.filter(network_id=filters.network)
    if filters.trust:
        nominations = nominations.filter(trust_id=filters.trust)
    if filters.status:
        nominations = nominations.filter(status=filters.status)
    if filters.role:
        nominations = nominations.filter(role=filters.role)
    for word in filters.q.lower().split():
        nominations = nominations.filter(
            Q(person__first_name__lower__contains=word)
            | Q(person__last_name__lower__contains=word)
            | Q(person__username__lower__contains=word)
            | Q(person__email__lower__contains=word)
        )
    waiting_first = Case(When(status=Appointment.Status.NOMINATED, then=Value(0)), default=Value(1))
    return nominations.select_related(
        "network", "network__region", "person", "trust", "nominated_by", "decided_by"
    ).order_by(waiting_first, "-nominated_at", "-pk")


def nomination_filter_choices(*, user: User) -> tuple[QuerySet[Network], QuerySet[HealthTrust]]:
    """The networks and trusts the person's nominations can be filtered by: those of their regions."""
    access = access_for(user)
    networks = Network.objects.select_related("region").order_by("name")
    trusts = HealthTrust.objects.order_by("name")
    if not access.is_superuser:
        regions = access.coordinator_regions | frozenset(access.trust_regions.values())
        networks = networks.filter(region__in=regions)
        trusts = trusts.filter(region__in=regions)
    return networks, trusts


def appointment_get(*, user: User, appointment_id: int) -> Appointment:
    try:
        appointment = Appointment.objects.select_related(
            "network", "network__region", "person", "trust", "nominated_by", "decided_by"
        ).get(pk=appointment_id)
    except Appointment.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("networks.view_appointment", appointment):
        raise Http404
    return appointment


def nominable_people(*, user: User, network: Network) -> QuerySet[User]:
    """People the person may nominate: a coordinator anyone in the region, a fagsjef their trusts' staff."""
    access = access_for(user)
    people = User.objects.filter(is_active=True).select_related("trust")
    if access.is_coordinator(network.region_id):
        return people.filter(Q(trust__region_id=network.region_id) | Q(region_employer_id=network.region_id))
    return people.filter(trust_id__in=access.fagsjef_trusts, trust__region_id=network.region_id)


def network_participants(*, network: Network) -> list[User]:
    """Everyone appointed in the network, who is invited to its meetings."""
    return list(
        User.objects.filter(
            appointments__network=network, appointments__status=Appointment.Status.APPOINTED, is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


def network_leaders(*, network: Network) -> list[User]:
    """The network's appointed leader and secretary: who is told when something waits for the network's answer."""
    return list(
        User.objects.filter(
            appointments__network=network,
            appointments__status=Appointment.Status.APPOINTED,
            appointments__role__in=[AppointmentRole.LEADER, AppointmentRole.SECRETARY],
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class ExpiringMandate(NamedTuple):
    """A network's newest mandate version as the start page lists it."""

    network_id: int
    network: str  # the network's name
    network_url: str
    period_end: datetime.date
    version: int


def expiring_mandates(*, user: User, today: datetime.date, months: int) -> list[ExpiringMandate]:
    """The newest mandate version of each active or not yet started network of the person's coordinated regions
    (every region for a superuser), where it ends within ``months`` (or has ended), by the network's name.

    One hand-written statement reads only each network's newest version: through the ORM, every version of every
    network was prefetched as an instance to look at the first (issue 23). The start page asks it as a part of
    ``home_summary``'s statement."""
    statement = _expiring_sql(user, today, months)
    if statement is None:
        return []
    sql, params = statement
    with connection.cursor() as db:
        db.execute(f"{sql} ORDER BY 2, 3", params)
        return _expiring(db.fetchall())


def _expiring_sql(user: User, today: datetime.date, months: int) -> tuple[str, list[Any]] | None:
    """``expiring_mandates``' statement in ``home_summary``'s columns (part 3: the network's name and id, the
    version in ``network_id``, the period's end in ``day``), and its parameters; None for one who coordinates no
    region."""
    access = access_for(user)
    if not access.coordinator_regions and not access.is_superuser:
        return None
    limit = today + datetime.timedelta(days=round(months * 30.44))
    where, params = "", list[int]()
    if not access.is_superuser:
        condition, params = _in_regions(access.coordinator_regions)
        where = f"AND {condition}"
    # The newest version is the one with the highest number (a network's versions are unique). PostgreSQL still
    # hash-joins the region's mandates (~0.2 ms at national scale); reading each network's newest through the
    # (network, version) index instead is the next step. Only placeholders are formatted in; every value goes as a
    # parameter.
    sql = f"""
        SELECT 3, n.name, n.id, m.version, n.name, NULL, NULL, NULL, m.period_end
        FROM networks_network n JOIN networks_mandate m ON m.network_id = n.id
        WHERE n.status IN (%s, %s) {where} AND m.period_end <= %s
          AND m.version = (SELECT MAX(newest.version) FROM networks_mandate newest WHERE newest.network_id = n.id)
    """  # noqa: S608
    return sql, [
        Network.Status.ACTIVE,
        Network.Status.NOT_STARTED,
        *params,
        connection.ops.adapt_datefield_value(limit),
    ]


def _expiring(fetched: Iterable[Sequence[Any]]) -> list[ExpiringMandate]:
    """``_expiring_sql``'s rows as the start page lists them."""
    url = prepared.url_pattern("networks:detail")
    return [
        ExpiringMandate(pk, name, url(pk), prepared.raw_date(period_end), version)
        for _part, name, pk, version, *_rest, period_end in fetched
    ]


@dataclass(frozen=True)
class HomeAppointment:
    """One of the person's open appointments as the start page prints it (labels and address made once)."""

    network_id: int
    network: str
    network_url: str
    role: str
    status: str
    trust: str


@dataclass
class HomeSummary:
    appointments: list[HomeAppointment]
    #: ``(role label, region or trust name)``
    region_roles: list[tuple[str, str]]
    trust_roles: list[tuple[str, str]]
    expiring: list[ExpiringMandate]


def home_summary(*, user: User) -> HomeSummary:
    """The person's open appointments (by network name), region roles and trust roles, and for a coordinator the
    mandates ending within six months (``expiring_mandates``), in one hand-written statement (the same on PostgreSQL
    and SQLite, held to the ORM by a test): three ORM queries of instances cost ~1.5 ms, the mandates' own statement
    ~0.4 ms more."""
    sql = f"""
        SELECT 0 AS part, n.name AS sort_name, a.id, a.network_id, n.name, a.role, a.status, t.short_name,
            CAST(NULL AS DATE)
        FROM {Appointment._meta.db_table} a
        JOIN {Network._meta.db_table} n ON n.id = a.network_id
        LEFT JOIN {HealthTrust._meta.db_table} t ON t.id = a.trust_id
        WHERE a.person_id = %s AND a.status IN (%s, %s)
        UNION ALL
        SELECT 1, '', rr.id, NULL, r.name, rr.role, NULL, NULL, NULL
        FROM {RegionRole._meta.db_table} rr JOIN {Region._meta.db_table} r ON r.id = rr.region_id
        WHERE rr.user_id = %s
        UNION ALL
        SELECT 2, '', tr.id, NULL, t.name, tr.role, NULL, NULL, NULL
        FROM {TrustRole._meta.db_table} tr JOIN {HealthTrust._meta.db_table} t ON t.id = tr.trust_id
        WHERE tr.user_id = %s
    """  # noqa: S608 -- only table names are formatted in
    params: list[Any] = [user.pk, *OPEN_STATUSES, user.pk, user.pk]
    expiring = _expiring_sql(user, timezone.localdate(), 6)
    if expiring is not None:
        sql += f" UNION ALL {expiring[0]}"
        params += expiring[1]
    with connection.cursor() as db:
        db.execute(f"{sql} ORDER BY 1, 2, 3", params)
        fetched = db.fetchall()
    url = prepared.url_pattern("networks:detail")
    role_labels = prepared.labels(AppointmentRole.choices)
    region_labels = prepared.labels(RegionRole.Role.choices)
    trust_labels = prepared.labels(TrustRole.Role.choices)
    appointments, region_roles, trust_roles = [], [], []
    for part, _sort, _id, network_id, name, role, status, trust, _day in fetched:
        if part == 3:
            continue  # the expiring mandates, below
        if part == 0:
            appointments.append(
                HomeAppointment(network_id, name, url(network_id), role_labels.get(role, role), status, trust or "")
            )
        elif part == 1:
            region_roles.append((region_labels.get(role, role), name))
        else:
            trust_roles.append((trust_labels.get(role, role), name))
    return HomeSummary(
        appointments=appointments,
        region_roles=region_roles,
        trust_roles=trust_roles,
        expiring=_expiring(row for row in fetched if row[0] == 3),
    )


# --- What held in a given year ------------------------------------------------------------------------------------
# A year's figures must not move when something changes later: a new mandate that starts next January, a network
# closed next spring. These reads answer "as it was in that year" from the mandates' periods and the networks'
# history, for the annual report's statistics and the year plan's overview alike.


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _in_force(year: int) -> Q:
    first, last = _year_bounds(year)
    return Q(period_start__lte=last, period_end__gte=first)


def minimums_in_force(*, network_ids: list[int], year: int) -> dict[int, int]:
    """Each network's minimum number of meetings in ``year``: from the newest mandate version whose period
    overlaps the year (a version that starts after the year does not count); networks with none are left out."""
    minimums: dict[int, int] = {}
    for network_id, minimum in (
        Mandate.objects.filter(_in_force(year), network_id__in=network_ids)
        .order_by("network_id", "version")
        .values_list("network_id", "min_meetings_per_year")
    ):
        minimums[network_id] = minimum  # the newest version in force wins
    return minimums


def minimum_in_force(year: int) -> Subquery:
    """``minimums_in_force`` as a subquery on a ``Network`` queryset (``annotate(minimum=minimum_in_force(y))``)."""
    return Subquery(
        Mandate.objects.filter(_in_force(year), network=OuterRef("pk"))
        .order_by("-version")
        .values("min_meetings_per_year")[:1],
        output_field=IntegerField(),
    )


def year_end_status_sql(network: str) -> str:
    """A hand-written statement's column: the status of the network ``network`` (a table alias) at a year's end, by
    ``statuses_at_year_end``'s rule on its history — the newest record made by then; for a network entered after the
    year, the record of its creation; else the status it has now. Its parameters: ``year_end_status_params``."""
    history = _network_history_table()
    return f"""COALESCE(
              (SELECT h.status FROM {history} h WHERE h.id = {network}.id AND h.history_date < %s
                ORDER BY h.history_date DESC, h.history_id DESC LIMIT 1),
              (SELECT CASE WHEN h.history_type = %s THEN h.status END FROM {history} h WHERE h.id = {network}.id
                ORDER BY h.history_date, h.history_id LIMIT 1),
              {network}.status)"""  # noqa: S608 -- a table name and an alias


@functools.cache
def _network_history_table() -> str:
    # ``Network.history`` makes a new manager class each time it is read (~0.3 ms: simple_history's descriptor).
    return str(Network.history.model._meta.db_table)


def year_end_status_params(year: int) -> list[Any]:
    """The parameters of ``year_end_status_sql`` for ``year``."""
    ends = datetime.datetime(year + 1, 1, 1, tzinfo=timezone.get_default_timezone())  # as statuses_at_year_end
    return [connection.ops.adapt_datetimefield_value(ends), "+"]  # "+": the history's record of a creation


def statuses_at_year_end(*, networks: Sequence[Network], year: int) -> dict[int, str]:
    """Each network's status on the last day of ``year``, from its history: the newest record made by then; for a
    network entered into Fagnett after the year, the record of its creation (how it was entered). A network whose
    history starts later with a change (rows that predate the history) is taken as it is now. One query."""
    return _statuses_at_year_end({n.pk: n.status for n in networks}, year)


def _statuses_at_year_end(now: dict[int, str], year: int) -> dict[int, str]:
    """``statuses_at_year_end`` of the networks whose ids and present statuses are ``now``."""
    end = datetime.datetime(year + 1, 1, 1, tzinfo=timezone.get_default_timezone())
    statuses = dict(now)
    settled: set[int] = set()
    for network_id, status, at, kind in (
        Network.history.filter(id__in=statuses)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date", "history_type")
    ):
        if at < end:
            statuses[network_id] = status  # the newest by the year's end wins
            settled.add(network_id)
        elif network_id not in settled:
            if kind == "+":
                statuses[network_id] = status
            settled.add(network_id)  # the records after the year say nothing more about it
    return statuses
