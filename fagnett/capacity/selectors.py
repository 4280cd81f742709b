"""Reads for ICU capacity, always scoped to the person asking.

Dashboard and dimensioning figures are computed from one query of the round's current entries, so
the number of queries of a page does not grow with units, trusts or rounds.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.access import access_for, visible_region_filter
from fagnett.accounts.models import User
from fagnett.capacity import calculations
from fagnett.capacity.freshness import CAPACITY
from fagnett.capacity.models import (
    CATEGORIES,
    NUMBER_FIELDS,
    SCENARIOS,
    ApiToken,
    Assessment,
    CapacityEntry,
    Category,
    Recommendation,
    ReportRound,
    Scenario,
    UnitProfile,
)
from fagnett.core import formatting
from fagnett.core.freshness import Kept
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit

CELLS_PER_UNIT = len(CATEGORIES) * len(SCENARIOS)

#: The patient groups a capacity view can show. The mandate's bed categories are defined for adults, so a regional
#: view shows adult units unless the person chooses another group, or explicitly "all groups" (then summed, and the
#: page says so): neonatal and paediatric beds are never added to adult beds otherwise.
ALL_GROUPS = "all"
DEFAULT_GROUP: str = Unit.AgeGroup.ADULT
GROUPS = (*Unit.AgeGroup.values, ALL_GROUPS)


def patient_group(value: str | None) -> str:
    """The group asked for, or the default (adult) for a missing or unknown value."""
    return value if value in GROUPS else DEFAULT_GROUP


def patient_group_label(group: str) -> str:
    if group == ALL_GROUPS:
        return _("All patient groups (summed)")
    return str(Unit.AgeGroup(group).label)


def region_list(*, user: User) -> QuerySet[Region]:
    access = access_for(user)
    regions = Region.objects.all()
    return regions if access.is_superuser else regions.filter(pk__in=access.regions)


def managed_regions(*, user: User) -> QuerySet[Region]:
    access = access_for(user)
    regions = Region.objects.all()
    return regions if access.is_superuser else regions.filter(pk__in=access.coordinator_regions)


def round_list(*, user: User) -> QuerySet[ReportRound]:
    """Rounds of the person's regions, newest first, with the number of reported entries."""
    return (
        ReportRound.objects.filter(visible_region_filter(user))
        .select_related("region", "network")
        .annotate(entry_count=Count("entries", filter=Q(entries__is_current=True)))
        .order_by("region__name", "-period_start", "-pk")
    )


def round_get(*, user: User, round_id: int) -> ReportRound:
    """The round if the person may see it; 404 otherwise."""
    try:
        round_ = ReportRound.objects.select_related("region", "network").get(pk=round_id)
    except ReportRound.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("capacity.view_round", round_):
        raise Http404
    return round_


def previous_round(*, round_: ReportRound) -> ReportRound | None:
    return (
        ReportRound.objects.filter(region_id=round_.region_id, period_start__lt=round_.period_start)
        .order_by("-period_start")
        .first()
    )


def _units(region_id: int, group: str = ALL_GROUPS, *, active_only: bool = True) -> QuerySet[Unit]:
    units = Unit.objects.filter(hospital__trust__region_id=region_id, kind=Unit.Kind.ICU)
    if active_only:
        units = units.filter(active=True)
    if group != ALL_GROUPS:
        units = units.filter(age_group=group)
    return units.select_related("hospital", "hospital__trust").order_by(
        "hospital__trust__name", "hospital__name", "name"
    )


def reportable_units(*, user: User, round_: ReportRound) -> list[Unit]:
    """Units of the round's region the person reports for (a coordinator: all of them)."""
    access = access_for(user)
    units = _units(round_.region_id)
    if not access.is_coordinator(round_.region_id):
        units = units.filter(hospital__trust_id__in=access.reporter_trusts)
    return list(units)


def unit_for_report(*, user: User, round_: ReportRound, unit_id: int) -> Unit:
    """A unit of the round's region that the person reports for; 404 for any other."""
    for unit in reportable_units(user=user, round_=round_):
        if unit.pk == unit_id:
            return unit
    raise Http404


def unit_profile(*, unit: Unit) -> UnitProfile | None:
    return UnitProfile.objects.filter(unit=unit).first()


def current_entries(*, round_: ReportRound, units: Iterable[Unit] | None = None) -> QuerySet[CapacityEntry]:
    entries = CapacityEntry.objects.filter(round=round_, is_current=True).select_related(
        "unit", "unit__hospital", "unit__hospital__trust", "reported_by"
    )
    if units is not None:
        entries = entries.filter(unit__in=list(units))
    return entries.order_by("unit__hospital__trust__name", "unit__hospital__name", "unit__name", "category")


def entry_history(*, entry: CapacityEntry, limit: int = 20) -> list[Any]:
    """Who changed the entry when, newest first (django-simple-history)."""
    return list(entry.history.select_related("history_user").order_by("-history_date")[:limit])


def entry_versions(*, round_: ReportRound, unit: Unit) -> QuerySet[CapacityEntry]:
    return (
        CapacityEntry.objects.filter(round=round_, unit=unit, version__gt=1)
        .select_related("reported_by")
        .order_by("category", "scenario", "-version")
    )


Cell = tuple[int, str, str]  # unit id, category, scenario


def entries_by_cell(entries: Iterable[CapacityEntry]) -> dict[Cell, CapacityEntry]:
    return {(e.unit_id, e.category, e.scenario): e for e in entries}


def previous_values(*, round_: ReportRound, units: Iterable[Unit]) -> dict[Cell, dict[str, Any]]:
    """The trust's values from the last round before this one, by cell, to prefill and to compare with."""
    previous = previous_round(round_=round_)
    if previous is None:
        return {}
    return {
        cell: {name: getattr(entry, name) for name in ("physical_beds", "staffed_beds", "ventilated_beds")}
        | {"entry": entry}
        for cell, entry in entries_by_cell(current_entries(round_=previous, units=units)).items()
    }


@dataclass
class GridRow:
    category: str
    label: str
    cells: list[tuple[str, CapacityEntry | None]]


def entry_grid(*, round_: ReportRound, unit: Unit) -> list[GridRow]:
    """The unit's entries as a grid: a row per category, a cell per scenario."""
    cells = entries_by_cell(current_entries(round_=round_, units=[unit]))
    return [
        GridRow(category, str(label), [(s, cells.get((unit.pk, category, s))) for s in SCENARIOS])
        for category, label in Category.choices
    ]


@dataclass
class ComplianceRow:
    trust: HealthTrust
    units: int
    expected: int
    reported: int = 0
    last_reported: datetime.datetime | None = None

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.reported >= self.expected

    @property
    def percent(self) -> int:
        return int(formatting.round_half_up(Fraction(100 * self.reported, self.expected))) if self.expected else 0


@dataclass
class Compliance:
    rows: list[ComplianceRow]
    is_past_deadline: bool

    @property
    def late(self) -> list[ComplianceRow]:
        return [r for r in self.rows if not r.complete] if self.is_past_deadline else []


def compliance(*, round_: ReportRound, today: datetime.date | None = None, group: str = DEFAULT_GROUP) -> Compliance:
    """Per trust: how many of its cells (unit × category × scenario) of the patient group have staffed beds."""
    today = today or timezone.localdate()
    trusts = {
        t.pk: ComplianceRow(trust=t, units=0, expected=0)
        for t in HealthTrust.objects.filter(region_id=round_.region_id).order_by("name")
    }
    unit_counts = (
        _units(round_.region_id, group)
        .values("hospital__trust_id")
        .annotate(n=Count("pk"))
        .order_by("hospital__trust_id")
    )
    for row in unit_counts:
        trusts[row["hospital__trust_id"]].units = row["n"]
        trusts[row["hospital__trust_id"]].expected = row["n"] * CELLS_PER_UNIT
    counted_entries = CapacityEntry.objects.filter(
        round=round_, is_current=True, staffed_beds__isnull=False, unit__kind=Unit.Kind.ICU, unit__active=True
    )
    if group != ALL_GROUPS:
        counted_entries = counted_entries.filter(unit__age_group=group)
    reported = (
        counted_entries.values("unit__hospital__trust_id")
        .annotate(n=Count("pk"), last=Max("reported_at"))
        .order_by("unit__hospital__trust_id")
    )
    for counted in reported:
        target = trusts.get(counted["unit__hospital__trust_id"])
        if target is not None:
            target.reported = counted["n"]
            target.last_reported = counted["last"]
    return Compliance(rows=list(trusts.values()), is_past_deadline=today > round_.deadline)


# --- completeness: the latest report of every unit ------------------------------------------------------------------


@dataclass(frozen=True)
class EarlierReport:
    """The report of an earlier round used for a unit that has not reported in this one ("siste oppdaterte
    rapport legges til grunn", the mandate's section 3): which round, and the day it was last changed."""

    round: ReportRound
    reported_on: datetime.date


@dataclass
class UnitCompleteness:
    unit: Unit
    reported: bool  # in the round itself
    earlier: EarlierReport | None = None  # used when it has not

    @property
    def known(self) -> bool:
        return self.reported or self.earlier is not None


@dataclass
class GroupCompleteness:
    """How complete a trust's (or hospital's, or the region's) figures are: units reported / expected."""

    units: list[UnitCompleteness] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.units)

    @property
    def reported(self) -> int:
        return sum(1 for u in self.units if u.reported)

    @property
    def carried(self) -> list[UnitCompleteness]:
        """Units shown with an earlier report."""
        return [u for u in self.units if not u.reported and u.earlier is not None]

    @property
    def missing(self) -> list[UnitCompleteness]:
        """Units with no report at all: shown as "–", never as 0."""
        return [u for u in self.units if not u.known]

    @property
    def complete(self) -> bool:
        """Every unit reported in this round."""
        return self.reported == self.expected

    @property
    def all_known(self) -> bool:
        """Every unit has figures, from this round or an earlier one: per-100 000 figures are computed only then."""
        return self.expected > 0 and not self.missing


@dataclass
class TrustCompleteness(GroupCompleteness):
    trust: HealthTrust | None = None


@dataclass(slots=True)
class FigureEntry:
    """A current entry as the figures read it: its numbers, status and report, with its unit and round set.

    Read with ``values_list`` (``FIGURE_FIELDS``, in this order) rather than as model instances: building a model
    instance per entry cost the dashboard more than all its figures (issue 23). Every surface that stands on
    ``round_figures`` (pages, charts, documents, the CSV and Excel export) reads these attributes only.
    """

    unit_id: int
    round_id: int
    category: str
    scenario: str
    version: int
    physical_beds: int | None
    staffed_beds: int | None
    ventilated_beds: int | None
    ventilators: int | None
    ecmo_devices: int | None
    nurses_fte: Decimal | None
    nurses_day: int | None
    nurses_night: int | None
    vacancies_fte: Decimal | None
    hours_to_activate: int | None
    occupancy_mean: Decimal | None
    occupancy_p90: Decimal | None
    admissions: int | None
    mean_length_of_stay: Decimal | None
    refused: int | None
    transferred_out: int | None
    status: str
    restrictions: list[str]
    comment: str
    reported_at: datetime.datetime
    unit: Unit
    round: ReportRound


#: The columns of a ``FigureEntry``, in its order (a test compares them with the class and the model).
FIGURE_FIELDS = (
    "unit_id",
    "round_id",
    "category",
    "scenario",
    "version",
    *NUMBER_FIELDS,
    "status",
    "restrictions",
    "comment",
    "reported_at",
)


@dataclass
class RoundFigures:
    """The figures a round stands on: each unit's entries of this round, or else of its latest earlier report."""

    round: ReportRound
    entries: list[FigureEntry]
    units: dict[int, UnitCompleteness]
    trusts: list[TrustCompleteness]
    group: str = DEFAULT_GROUP
    #: (id, name, trust's name) of the hospitals with an ICU unit of the group, active or not, by trust and name
    hospitals: list[tuple[int, str, str]] = field(default_factory=list)
    #: the capacity key (``capacity.freshness``) the figures were read under; None: computed where nothing is kept
    version: int | None = None

    @property
    def group_label(self) -> str:
        return patient_group_label(self.group)

    @property
    def all_groups(self) -> bool:
        return self.group == ALL_GROUPS

    @property
    def region(self) -> GroupCompleteness:
        return GroupCompleteness([u for t in self.trusts for u in t.units])

    def earlier(self, entry: FigureEntry) -> EarlierReport | None:
        """The earlier report an entry comes from (None for an entry of the round itself)."""
        unit = self.units.get(entry.unit_id)
        return unit.earlier if unit is not None and entry.round_id != self.round.pk else None


def earlier_report_text(unit: UnitCompleteness) -> str:
    """ "ICU 3: report for Q3 2026, dated 3 October 2026", in the reader's language; "" for a unit without one."""
    if unit.earlier is None:
        return ""
    return _("%(unit)s: report for %(round)s, dated %(date)s") % {
        "unit": unit.unit.name,
        "round": unit.earlier.round.name,
        "date": formatting.date(unit.earlier.reported_on),
    }


def _reported_rounds(round_: ReportRound, unit_ids: list[int], limit: str) -> list[tuple[int, Any, int]]:
    """(unit, its round's start, round) for each of ``unit_ids``' earlier rounds before ``round_`` with staffed
    beds among the region's earlier rounds (``limit``: all of them, or an ORDER BY and LIMIT on them).

    Written as SQL (the same on PostgreSQL and SQLite; a test holds it to the ORM's version): the ORM's statement,
    with its subquery, join and DISTINCT, cost more Python to compile than PostgreSQL took to run it (issue 23)."""
    entries, rounds = CapacityEntry._meta.db_table, ReportRound._meta.db_table
    sql = (
        f"SELECT DISTINCT e.unit_id, r.period_start, e.round_id FROM {entries} e "  # noqa: S608
        f"JOIN {rounds} r ON r.id = e.round_id "
        f"WHERE e.round_id IN (SELECT id FROM {rounds} WHERE region_id = %s AND period_start < %s{limit}) "
        f"AND e.unit_id IN ({', '.join(['%s'] * len(unit_ids))}) AND e.is_current = %s "
        "AND e.staffed_beds IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_.region_id, round_.period_start, *unit_ids, True])
        return [tuple(row) for row in cursor.fetchall()]


def _latest_earlier_rounds(round_: ReportRound, unit_ids: Iterable[int]) -> dict[int, int]:
    """The id of each of ``unit_ids``' latest round before ``round_`` in which it reported staffed beds (units that
    never did are left out).

    The region's last four earlier rounds are searched first, so the usual case (a unit that reported lately) costs
    one small query however many years of rounds the region has; the rest of the rounds only for units not found
    there (a unit that never reported, or not for a month). As one correlated subquery, PostgreSQL joined each
    unit's entries of every earlier round (50 ms on the national data; correlated with the entries, minutes)."""
    wanted, latest = set(unit_ids), dict[int, tuple[Any, int]]()
    # The last four rounds, then (for units not found there) all of them: the latest of all is then the same.
    for limit in (" ORDER BY period_start DESC, id DESC LIMIT 4", ""):
        if not wanted:
            break
        for unit_id, period_start, round_id in _reported_rounds(round_, sorted(wanted), limit):
            latest[unit_id] = max(latest.get(unit_id, (period_start, round_id)), (period_start, round_id))
        wanted -= latest.keys()
    return {unit_id: round_id for unit_id, (_start, round_id) in latest.items()}


#: What each worker keeps, per round (``capacity.freshness``): its figures per patient group, its trend per scenario
#: and group, its dimensioning per group, level, scenario, target and day (a few regions × the rounds people open).
_FIGURES: Kept["RoundFigures"] = Kept(64)
_TRENDS: Kept[list["TrendPoint"]] = Kept(256)
_DIMENSIONING: Kept[list["DimensionResult"]] = Kept(256)


def forget_kept() -> None:
    """Empty this worker's kept figures (tests: another worker)."""
    for kept in (_FIGURES, _TRENDS, _DIMENSIONING):
        kept.forget()


def round_figures(*, round_: ReportRound, group: str = DEFAULT_GROUP) -> RoundFigures:
    """Every active ICU unit of the region's patient ``group`` with the entries it stands on, in five or six queries
    however many rounds; completeness counts the units of that group only.

    A unit has reported in the round when one of its current entries gives staffed beds. A unit that has not is
    shown with its latest earlier report, marked with that report's round and date; a unit with none is "–".

    The units (with their hospital and trust) are read once and set on their entries, not joined into every entry
    row: the page then builds a model instance per entry instead of five (issue 23).

    Kept in the worker per round and group while no capacity write has committed since (``capacity.freshness``):
    then the key is the only query. Read-only: the same lists are handed to every request that asks.
    """
    version = CAPACITY.key()
    figures = _FIGURES.get(version, (round_.pk, group), lambda: _read_round_figures(round_, group))
    return replace(figures, round=round_, version=version)


def _read_round_figures(round_: ReportRound, group: str) -> RoundFigures:
    # The inactive units too, read in the same query: the dashboard lists their hospitals (with "–").
    every_unit = list(_units(round_.region_id, group, active_only=False))
    units = [u for u in every_unit if u.active]
    hospitals = {u.hospital_id: (u.hospital_id, u.hospital.name, u.hospital.trust.name) for u in every_unit}
    position = {u.pk: i for i, u in enumerate(units)}

    def read(rounds: dict[int, ReportRound], **where: Any) -> list[FigureEntry]:
        # The order the pages and exports list them in: trust, hospital and unit by name (as ``_units``), category.
        rows = CapacityEntry.objects.filter(is_current=True, **where).order_by("pk").values_list(*FIGURE_FIELDS)
        entries = [
            FigureEntry(*row, unit=units[position[row[0]]], round=rounds[row[1]])  # type: ignore[misc]
            for row in rows
            if row[1] in rounds
        ]
        return sorted(entries, key=lambda e: (position[e.unit_id], e.category))

    entries = read({round_.pk: round_}, round=round_, unit_id__in=list(position))
    reported = {e.unit_id for e in entries if e.staffed_beds is not None}
    entries = [e for e in entries if e.unit_id in reported]
    by_unit = {u.pk: UnitCompleteness(u, reported=u.pk in reported) for u in units}
    latest = _latest_earlier_rounds(round_, [u.pk for u in units if u.pk not in reported])
    if latest:
        rounds = ReportRound.objects.in_bulk(set(latest.values()))
        earlier = [
            e
            for e in read(rounds, round_id__in=list(rounds), unit_id__in=list(latest))
            if latest[e.unit_id] == e.round_id
        ]
        for entry in earlier:
            day = timezone.localdate(entry.reported_at)
            known = by_unit[entry.unit_id].earlier
            if known is None or day > known.reported_on:
                by_unit[entry.unit_id].earlier = EarlierReport(entry.round, day)
        entries += earlier
    in_region = HealthTrust.objects.filter(region_id=round_.region_id).order_by("name")
    trusts = {t.pk: TrustCompleteness(trust=t) for t in in_region}
    for unit in units:
        trusts[unit.hospital.trust_id].units.append(by_unit[unit.pk])
    return RoundFigures(
        round=round_,
        entries=entries,
        units=by_unit,
        trusts=list(trusts.values()),
        group=group,
        hospitals=list(hospitals.values()),
    )


# --- dashboards --------------------------------------------------------------------------------------------------


def _add(a: int | None, b: int | None) -> int | None:
    if b is None:
        return a
    return (a or 0) + b


@dataclass
class Totals:
    physical: int | None = None
    staffed: int | None = None
    ventilated: int | None = None
    nurses_fte: Decimal | None = None

    def add(self, entry: FigureEntry) -> None:
        self.physical = _add(self.physical, entry.physical_beds)
        self.staffed = _add(self.staffed, entry.staffed_beds)
        self.ventilated = _add(self.ventilated, entry.ventilated_beds)
        if entry.nurses_fte is not None:
            self.nurses_fte = (self.nurses_fte or Decimal(0)) + entry.nurses_fte


@dataclass
class GroupRow:
    """One trust or hospital (or the region): its totals per category in the chosen scenario.

    ``by_category`` sums every unit's figures, from this round or its latest earlier report. The per-100 000
    figures use ``rate_staffed`` and ``rate_population``: only the trusts whose every unit has figures, so a trust
    that has not reported does not lower the region's rate.
    """

    label: str
    trust: str
    population: int | None
    by_category: dict[str, Totals] = field(default_factory=lambda: {c: Totals() for c in CATEGORIES})
    statuses: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    completeness: GroupCompleteness = field(default_factory=GroupCompleteness)
    rate_staffed: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(CATEGORIES))
    rate_population: int | None = None
    #: the trusts counted in the per-100 000 figures, and all of them (for the region's row)
    rate_trusts: int = 0
    all_trusts: int = 0

    @property
    def staffed_total(self) -> int | None:
        """None when nothing is known: a unit that has not reported is not zero beds."""
        known = [s for s in self.staffed_list() if s is not None]
        return sum(known) if known else None

    def staffed_list(self) -> list[int | None]:
        return [self.by_category[c].staffed for c in CATEGORIES]

    def per_100k(self) -> list[Decimal | None]:
        if not self.rate_population:
            return [None for _ in CATEGORIES]
        population = self.rate_population
        # Exact: rounded once, half-up, where it is written (``capacity.display``), the same on every surface.
        return [None if s is None else Decimal(s * 100_000) / population for s in self.rate_staffed.values()]

    @property
    def total_per_100k(self) -> Decimal | None:
        known = [s for s in self.rate_staffed.values() if s is not None]
        if not self.rate_population or not known:
            return None
        return Decimal(sum(known) * 100_000) / self.rate_population

    @property
    def has_earlier(self) -> bool:
        return bool(self.completeness.carried)

    def composition_exact(self) -> list[float]:
        total = self.staffed_total
        return [100 * (s or 0) / total if total else 0.0 for s in self.staffed_list()]

    def composition(self) -> list[int]:
        return [int(formatting.round_half_up(share)) for share in self.composition_exact()]

    @property
    def nurses_per_staffed_bed(self) -> float | None:
        nurses = sum((t.nurses_fte or Decimal(0)) for t in self.by_category.values())
        staffed = self.staffed_total
        return round(float(nurses) / staffed, 2) if staffed and nurses else None

    def worst_status(self, category: str) -> str:
        statuses = self.statuses[category]
        for status in (CapacityEntry.Status.FULL, CapacityEntry.Status.LIMITED, CapacityEntry.Status.AVAILABLE):
            if status in statuses:
                return status
        return ""


@dataclass
class TrendPoint:
    round: ReportRound
    staffed: dict[str, int | None]
    #: units that reported in the round, units shown with an earlier report, units expected
    reported: int = 0
    carried: int = 0
    expected: int = 0

    @property
    def has_earlier(self) -> bool:
        return self.carried > 0


@dataclass
class Dashboard:
    round: ReportRound
    scenario: str
    region_totals: list[tuple[str, str, list[Totals]]]  # scenario, label, totals per category
    trusts: list[GroupRow]
    hospitals: list[GroupRow]
    region_row: GroupRow
    trend: list[TrendPoint]
    figures: RoundFigures

    @property
    def scenario_label(self) -> str:
        return str(Scenario(self.scenario).label)

    @property
    def group(self) -> str:
        return self.figures.group

    @property
    def completeness(self) -> GroupCompleteness:
        return self.region_row.completeness


def _add_status(row: GroupRow, entry: FigureEntry) -> None:
    # A status belongs to beds: a cell without staffed beds has none (older entries may still carry one).
    if entry.status and entry.staffed_beds:
        row.statuses[entry.category].append(entry.status)


def dashboard(*, round_: ReportRound, scenario: str = Scenario.NORMAL, group: str = DEFAULT_GROUP) -> Dashboard:
    """The round's figures of one patient group for the dashboard, each unit from its latest report: a fixed
    number of queries."""
    figures = round_figures(round_=round_, group=group)
    totals = {(s, c): Totals() for s in SCENARIOS for c in CATEGORIES}
    trust_rows: dict[int, GroupRow] = {}
    hospital_rows: dict[int, GroupRow] = {}
    for tc in figures.trusts:
        trust = tc.trust
        assert trust is not None
        trust_rows[trust.pk] = GroupRow(trust.short_name or trust.name, trust.name, trust.population, completeness=tc)
    # Read with the units (``round_figures``), in their order: by trust and hospital name.
    for pk, name, trust_name in figures.hospitals:
        hospital_rows[pk] = GroupRow(name, trust_name, None)
    for unit in figures.units.values():
        if unit.unit.hospital_id in hospital_rows:
            hospital_rows[unit.unit.hospital_id].completeness.units.append(unit)
    region_row = GroupRow(round_.region.name, "", None, completeness=figures.region)
    for entry in figures.entries:
        totals[(entry.scenario, entry.category)].add(entry)
        if entry.scenario != scenario:
            continue
        hospital = entry.unit.hospital
        for row in (trust_rows.get(hospital.trust_id), hospital_rows.get(hospital.pk), region_row):
            if row is not None:
                row.by_category[entry.category].add(entry)
                _add_status(row, entry)
    region_row.population = sum(r.population or 0 for r in trust_rows.values()) or None
    region_row.all_trusts = len(trust_rows)
    for row in trust_rows.values():
        if row.completeness.all_known and row.population:
            row.rate_population = row.population
            row.rate_staffed = {c: row.by_category[c].staffed for c in CATEGORIES}
            region_row.rate_population = (region_row.rate_population or 0) + row.population
            region_row.rate_trusts += 1
            for c in CATEGORIES:
                region_row.rate_staffed[c] = _add(region_row.rate_staffed[c], row.by_category[c].staffed)
    return Dashboard(
        round=round_,
        scenario=scenario,
        region_totals=[(s, str(label), [totals[(s, c)] for c in CATEGORIES]) for s, label in Scenario.choices],
        trusts=list(trust_rows.values()),
        hospitals=list(hospital_rows.values()),
        region_row=region_row,
        # Kept with the figures' key: the points depend on the rounds and entries up to this round only.
        trend=_TRENDS.get(
            figures.version,
            (round_.pk, scenario, group),
            lambda: trend(
                region_id=round_.region_id, scenario=scenario, until=round_, group=group, unit_ids=figures.units
            ),
        ),
        figures=figures,
    )


#: How many rounds the trend shows: a year of weekly rounds, thirteen years of quarterly ones.
TREND_ROUNDS = 52


def _staffed_per_round_and_unit(
    scenario: str, unit_ids: list[int], round_ids: list[int]
) -> list[tuple[int, int, int, int | None, int | None, int | None]]:
    """(round, unit, cells with staffed beds, staffed beds of K1, K2 and K3 in ``scenario``) for the current entries
    of ``unit_ids`` in ``round_ids``: one row per round and unit, the categories side by side.

    Written as SQL (the same on PostgreSQL and SQLite): the ORM's version of this one aggregate, with a filtered sum
    per category, cost 2.4 ms of Python to compile and read against 0.5 ms for the same statement (issue 23)."""
    if not unit_ids or not round_ids:
        return []
    staffed = ", ".join("SUM(staffed_beds) FILTER (WHERE scenario = %s AND category = %s)" for _ in CATEGORIES)
    sql = (
        f"SELECT round_id, unit_id, COUNT(*) FILTER (WHERE staffed_beds IS NOT NULL), {staffed} "  # noqa: S608
        f"FROM {CapacityEntry._meta.db_table} WHERE is_current = %s "
        f"AND unit_id IN ({', '.join(['%s'] * len(unit_ids))}) AND round_id IN ({', '.join(['%s'] * len(round_ids))}) "
        "GROUP BY round_id, unit_id"
    )
    params = [value for c in CATEGORIES for value in (scenario, c)] + [True, *unit_ids, *round_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def trend(
    *,
    region_id: int,
    scenario: str = Scenario.NORMAL,
    until: ReportRound | None = None,
    limit: int = TREND_ROUNDS,
    group: str = DEFAULT_GROUP,
    unit_ids: Iterable[int] | None = None,
) -> list[TrendPoint]:
    """Staffed beds per category in the region's last ``limit`` rounds up to ``until``, oldest first (four queries;
    three when the caller knows the group's ``unit_ids``, the active ICU units of the region's patient group).

    As on the dashboard, a unit that has not reported in a round counts with its latest earlier report; the point
    says how many units did so. Only those rounds' entries (and each unit's latest one before them) are summed per
    unit, so the cost does not grow with the region's years of weekly rounds.
    """
    rounds = ReportRound.objects.filter(region_id=region_id)
    if until is not None:
        rounds = rounds.filter(period_start__lte=until.period_start)
    # A point shows its round's name; the rest of the round is not read.
    chosen = list(rounds.order_by("-period_start", "-pk").only("region_id", "name", "period_start")[:limit])[::-1]
    if not chosen:
        return []
    units = list(_units(region_id, group).values_list("pk", flat=True) if unit_ids is None else unit_ids)
    before = _latest_earlier_rounds(chosen[0], units)  # each unit's state when the first round opens
    in_chosen = {r.pk for r in chosen}
    per_unit = _staffed_per_round_and_unit(scenario, units, [*in_chosen, *set(before.values())])
    # Each unit's state: its staffed beds per category and whether they come from the round itself.
    state: dict[int, tuple[int | None, ...]] = {}
    by_round: dict[int, dict[int, tuple[int | None, ...]]] = defaultdict(dict)
    for round_id, unit_id, reported, *staffed_beds in per_unit:
        if round_id in in_chosen:
            if reported:
                by_round[round_id][unit_id] = tuple(staffed_beds)
        elif before.get(unit_id) == round_id:
            state[unit_id] = tuple(staffed_beds)
    points = []
    for round_ in chosen:
        reported_now = by_round.get(round_.pk, {})
        state.update(reported_now)
        carried = len(state) - len(reported_now)
        staffed: dict[str, int | None] = dict.fromkeys(CATEGORIES)
        for values in state.values():
            for c, value in zip(CATEGORIES, values, strict=True):
                staffed[c] = _add(staffed[c], value)
        points.append(TrendPoint(round_, staffed, len(reported_now), carried, len(units)))
    return points


# --- dimensioning ------------------------------------------------------------------------------------------------

LEVELS = ("unit", "hospital", "trust", "region")


@dataclass
class DimensionRow:
    label: str
    category: str
    staffed: int = 0
    physical: int = 0
    load: float = 0.0
    refused: int = 0
    #: (beds, offered load) per unit, by hospital: pooling is weighed within one hospital only
    sites: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    has_load: bool = False
    load_from_normal: bool = False
    #: admissions per day and the load-weighted mean length of stay behind the offered load
    arrivals: float = 0.0
    #: units counted with their latest earlier report (they have not reported in this round)
    earlier_reports: set[int] = field(default_factory=set)
    unit_ids: set[int] = field(default_factory=set)
    measured: calculations.Measured | None = None
    #: where ``measured`` comes from: MEASURED_FROM_SITUATION (days of situation reports) or MEASURED_FROM_ROUNDS
    measured_source: str = ""
    #: the newest situation report behind ``measured`` (its age is shown beside it)
    measured_latest: datetime.datetime | None = None

    @property
    def units(self) -> list[tuple[int, float]]:
        return [unit for site in self.sites.values() for unit in site]

    @property
    def mean_stay(self) -> float | None:
        return self.load / self.arrivals if self.arrivals else None

    def compute(self, target: float) -> "DimensionResult":
        blocking = calculations.erlang_b(self.staffed, self.load) if self.has_load else None
        poolable = any(len(site) > 1 for site in self.sites.values())
        pooled = calculations.pooling_within_sites(list(self.sites.values()), target) if poolable else None
        needed = calculations.beds_needed(self.load, target) if self.has_load else None
        return DimensionResult(
            row=self,
            blocking=blocking,
            occupancy=calculations.occupancy(self.staffed, self.load) if self.has_load else None,
            beds_needed=needed,
            difference=None if needed is None else self.staffed - needed,
            pooling=pooled,
        )


@dataclass
class DimensionResult:
    #: The colour of each comparison's tag (components/status_tag.html): only a need above the staffed beds is
    #: flagged; more beds than the loss model needs is a fact to weigh (preparedness, distance), not a fault.
    VERDICT_COLORS: ClassVar[dict[str, str]] = {"below_need": "warning", "above_need": "neutral", "at_need": "neutral"}

    row: DimensionRow
    blocking: float | None
    occupancy: float | None
    beds_needed: int | None
    difference: int | None
    pooling: calculations.Pooling | None

    @property
    def verdict(self) -> str:
        """Where the staffed beds lie against the calculated need (a code for the tag's colour)."""
        if self.difference is None:
            return ""
        if self.difference < 0:
            return "below_need"
        return "above_need" if self.difference > 0 else "at_need"

    @property
    def verdict_label(self) -> str:
        """In neutral words: "calculated need 11, has 19" — the loss model alone cannot say a unit has too many."""
        if self.beds_needed is None:
            return ""
        return _("calculated need %(needed)d, has %(staffed)d") % {
            "needed": self.beds_needed,
            "staffed": self.row.staffed,
        }


def _days(round_: ReportRound, scenario: str) -> int:
    if scenario == Scenario.LOW_ACTIVITY and round_.low_activity_start and round_.low_activity_end:
        return (round_.low_activity_end - round_.low_activity_start).days + 1
    return round_.period_days


def _entry_load(entry: FigureEntry, days: int) -> float | None:
    if entry.admissions is None or entry.mean_length_of_stay is None or days <= 0:
        return None
    return calculations.offered_load(entry.admissions / days, float(entry.mean_length_of_stay))


MEASURED_FROM_SITUATION = "situation"
MEASURED_FROM_ROUNDS = "rounds"


def _measure_from_situation(rows: list[DimensionRow], *, round_: ReportRound, unit_ids: set[int]) -> None:
    """Measured occupancy from the situation reports filed in the round's period (issue 21, item 7): per day, the
    occupied beds of the row's units (each unit's latest report that day), summed over the days on which every unit
    of the row reported the category — the mean and 90th percentile of those days. One query for all rows."""
    from fagnett.capacity.situation_selectors import daily_occupied  # situation_selectors imports this module

    end = min(round_.period_end, timezone.localdate())
    daily = daily_occupied(unit_ids=unit_ids, start=round_.period_start, end=end)
    occupied = daily.occupied
    days = sorted({day for day, _unit, _category in occupied})
    for row in rows:
        samples = []
        for day in days:
            values = [occupied.get((day, unit_id, row.category)) for unit_id in row.unit_ids]
            if values and all(v is not None for v in values):
                samples.append(float(sum(v for v in values if v is not None)))
        if samples:
            row.measured = calculations.measured_occupancy(samples)
            row.measured_source = MEASURED_FROM_SITUATION
            row.measured_latest = max(daily.latest[u] for u in row.unit_ids if u in daily.latest)


def _measure(rows: Iterable[DimensionRow], *, round_: ReportRound, scenario: str) -> None:
    """Set each row's measured occupancy. In normal operation, from the situation reports of the round's period
    where every unit of the row filed some (``_measure_from_situation``). Otherwise, and for the other scenarios:
    occupied staffed beds (staffed beds × reported mean occupancy) summed over the row's units, one value per round
    up to this one in which every unit of the row reported both — the mean and 90th percentile of those values.
    Two queries for all rows."""
    rows = list(rows)
    unit_ids = {u for row in rows for u in row.unit_ids}
    if not unit_ids:
        return
    if scenario == Scenario.NORMAL:
        _measure_from_situation(rows, round_=round_, unit_ids=unit_ids)
    # Written as SQL, as the trend's aggregate: the ORM compiled and read these ~1 500 rows in 1.9 ms, the same
    # statement costs 0.7 ms. The region's last TREND_ROUNDS rounds up to this one; no order (rows go to a dict).
    table, rounds_table = CapacityEntry._meta.db_table, ReportRound._meta.db_table
    sql = (
        f"SELECT round_id, unit_id, category, staffed_beds, occupancy_mean FROM {table} "  # noqa: S608
        f"WHERE is_current = %s AND scenario = %s AND unit_id IN ({', '.join(['%s'] * len(unit_ids))}) "
        "AND staffed_beds IS NOT NULL AND occupancy_mean IS NOT NULL "
        f"AND round_id IN (SELECT id FROM {rounds_table} WHERE region_id = %s AND period_start <= %s "
        "ORDER BY period_start DESC, id DESC LIMIT %s)"
    )
    params = [
        True,
        scenario,
        *unit_ids,
        round_.region_id,
        connection.ops.adapt_datefield_value(round_.period_start),
        TREND_ROUNDS,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        observed = cursor.fetchall()
    occupied: dict[tuple[int, int, str], float] = {}
    rounds_seen: set[int] = set()
    for round_id, unit_id, category, staffed, mean in observed:
        occupied[(round_id, unit_id, category)] = staffed * float(mean) / 100
        rounds_seen.add(round_id)
    for row in rows:
        if row.measured_source == MEASURED_FROM_SITUATION:
            continue
        samples = []
        for round_id in sorted(rounds_seen):
            values = [occupied.get((round_id, unit_id, row.category)) for unit_id in row.unit_ids]
            if values and all(v is not None for v in values):
                samples.append(sum(v for v in values if v is not None))
        row.measured = calculations.measured_occupancy(samples)
        row.measured_source = MEASURED_FROM_ROUNDS if row.measured is not None else ""


def _dimension_rows(
    figures: RoundFigures, *, level: str, scenario: str, hospital_ids: Iterable[int] | None = None
) -> list[DimensionRow]:
    round_ = figures.round
    wanted = None if hospital_ids is None else set(hospital_ids)
    entries = [
        e
        for e in figures.entries
        if e.scenario in {scenario, Scenario.NORMAL} and (wanted is None or e.unit.hospital_id in wanted)
    ]

    def entry_round(entry: FigureEntry) -> ReportRound:
        # A unit's earlier report counts its admissions over that round's period, not this one's.
        return round_ if entry.round_id == round_.pk else entry.round

    normal = {(e.unit_id, e.category): e for e in entries if e.scenario == Scenario.NORMAL}
    rows: dict[tuple[Any, str], DimensionRow] = {}
    for entry in entries:
        if entry.scenario != scenario:
            continue
        days = _days(entry_round(entry), scenario)
        unit = entry.unit
        key, label = {
            "unit": (unit.pk, f"{unit.name}"),
            "hospital": (unit.hospital_id, unit.hospital.name),
            "trust": (unit.hospital.trust_id, unit.hospital.trust.name),
            "region": (0, round_.region.name),
        }[level if level in LEVELS else "trust"]
        row = rows.setdefault((key, entry.category), DimensionRow(label, entry.category))
        row.unit_ids.add(entry.unit_id)
        if figures.earlier(entry) is not None:
            row.earlier_reports.add(entry.unit_id)
        basis: FigureEntry | None = entry
        load = _entry_load(entry, days)
        if load is None and scenario != Scenario.NORMAL:
            basis = normal.get((entry.unit_id, entry.category))
            load = None if basis is None else _entry_load(basis, entry_round(basis).period_days)
            row.load_from_normal = row.load_from_normal or load is not None
            days = entry_round(basis).period_days if basis is not None else days
        staffed = entry.staffed_beds or 0
        row.staffed += staffed
        row.physical += entry.physical_beds or 0
        row.refused += (entry.refused or 0) + (entry.transferred_out or 0)
        if load is not None and basis is not None and basis.admissions is not None:
            row.load += load
            row.arrivals += basis.admissions / days
            row.has_load = True
            row.sites.setdefault(unit.hospital_id, []).append((staffed, load))
    return sorted(rows.values(), key=lambda r: (r.label, r.category))


def dimensioning(
    *,
    round_: ReportRound,
    level: str = "trust",
    scenario: str = Scenario.NORMAL,
    target: float = 0.05,
    group: str = DEFAULT_GROUP,
    figures: RoundFigures | None = None,
) -> list[DimensionResult]:
    """Erlang loss dimensioning per group (unit, hospital, trust or region) and category, beside the occupancy
    measured in the reported rounds.

    The offered load of a unit is its admissions per day × mean length of stay. Surge scenarios rarely
    report their own admissions; they then use the load of normal operation (marked on the row).
    A row's beds and load are added up; ``pooling`` compares units run apart with the units of each hospital
    run as one — never across hospitals (``site_pooling`` does that for sites the person chooses).

    Kept in the worker with the figures (``round_figures``) while no capacity write has committed since.
    """
    figures = figures or round_figures(round_=round_, group=group)

    def compute() -> list[DimensionResult]:
        rows = _dimension_rows(figures, level=level, scenario=scenario)
        _measure(rows, round_=round_, scenario=scenario)
        return [row.compute(target) for row in rows]

    # Kept with the figures' key; the day too: the situation reports are measured up to today.
    key = (round_.pk, figures.group, level, scenario, target, timezone.localdate())
    return _DIMENSIONING.get(figures.version, key, compute)


@dataclass
class SitePooling:
    """The chosen hospitals' units of one category run as one unit: a what-if, not a proposal."""

    category: str
    staffed: int
    load: float
    pooling: calculations.Pooling


def site_pooling(
    *, figures: RoundFigures, scenario: str, target: float, hospital_ids: Iterable[int]
) -> list[SitePooling]:
    """Per category: the chosen hospitals' units apart against all of them pooled as one unit (no queries)."""
    chosen = set(hospital_ids)
    result = []
    for row in _dimension_rows(figures, level="region", scenario=scenario, hospital_ids=chosen):
        units = row.units
        if len(row.sites) < 2:
            continue
        result.append(SitePooling(row.category, row.staffed, row.load, calculations.pooling(units, target)))
    return result


def dimensioning_hospitals(*, figures: RoundFigures) -> list[Hospital]:
    """The hospitals of the figures' units, for choosing sites to pool."""
    seen: dict[int, Hospital] = {}
    for unit in figures.units.values():
        seen.setdefault(unit.unit.hospital_id, unit.unit.hospital)
    return sorted(seen.values(), key=lambda h: (h.trust.name, h.name))


# --- assessments -------------------------------------------------------------------------------------------------


def assessment_list(*, round_: ReportRound) -> QuerySet[Assessment]:
    """The verdicts for the region, each trust and each hospital; the region's first, a trust's before its
    hospitals'."""
    return (
        Assessment.objects.filter(round=round_)
        .select_related("trust", "hospital", "assessed_by", "round__region")
        .order_by(
            "category", "scenario", F("trust__name").asc(nulls_first=True), F("hospital__name").asc(nulls_first=True)
        )
    )


def region_trusts(*, round_: ReportRound) -> QuerySet[HealthTrust]:
    return HealthTrust.objects.filter(region_id=round_.region_id).order_by("name")


def region_hospitals(*, round_: ReportRound) -> QuerySet[Hospital]:
    return (
        Hospital.objects.filter(trust__region_id=round_.region_id)
        .select_related("trust")
        .order_by("trust__name", "name")
    )


# --- the network's recommendation ----------------------------------------------------------------------------------


def recommendation_round(*, user: User, round_id: int) -> ReportRound:
    """The round whose recommendation the person may read: 404 outside the region (as ``round_get``), 403 for
    someone in the region who is neither in the assessing network nor the region's coordinator or director."""
    round_ = round_get(user=user, round_id=round_id)
    if not user.has_perm("capacity.view_recommendation", round_):
        raise PermissionDenied
    return round_


def recommendation_for(*, round_: ReportRound) -> Recommendation | None:
    """The round's recommendation with what its page shows of the meeting and the case, or None before it is
    written. The meeting and the case are read through the relations declared by name (capacity imports neither)."""
    return (
        Recommendation.objects.select_related(
            "round__region",
            "round__network",
            "written_by",
            "sent_by",
            "agenda_item__meeting",
            "decided_in__meeting",
            "case__decided_by",
        )
        .filter(round=round_)
        .first()
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """Keys of the trusts in the regions the person coordinates."""
    access = access_for(user)
    tokens = ApiToken.objects.select_related("trust").order_by("trust__name", "-created_at")
    return tokens if access.is_superuser else tokens.filter(trust__region_id__in=access.coordinator_regions)


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    token = api_token_list(user=user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token


def coordinated_trusts(*, user: User) -> QuerySet[HealthTrust]:
    access = access_for(user)
    trusts = HealthTrust.objects.order_by("name")
    return trusts if access.is_superuser else trusts.filter(region_id__in=access.coordinator_regions)
