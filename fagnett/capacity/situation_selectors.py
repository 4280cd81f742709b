"""Reads for situation reports, scoped to the person asking.

Each page reads a fixed number of queries however many units, reports or rounds there are: the latest report of
every unit is found with one correlated subquery, and its lines with one more.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity.models import CATEGORIES, CapacityEntry, Scenario
from fagnett.capacity.selectors import ALL_GROUPS, DEFAULT_GROUP, patient_group_label
from fagnett.capacity.situation_models import STALE_AFTER_HOURS, SituationLine, SituationReport
from fagnett.organisations.models import HealthTrust, Region, Unit

STALE_AFTER = datetime.timedelta(hours=STALE_AFTER_HOURS)


def is_stale(filed_at: datetime.datetime, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) - filed_at > STALE_AFTER


def _icu_units() -> QuerySet[Unit]:
    return (
        Unit.objects.filter(kind=Unit.Kind.ICU, active=True)
        .select_related("hospital", "hospital__trust", "hospital__trust__region")
        .order_by("hospital__trust__region__name", "hospital__trust__name", "hospital__name", "name")
    )


def situation_units(*, user: User, group: str = ALL_GROUPS) -> list[Unit]:
    """The ICU units the person files situation reports for: their trusts' as reporter, their regions' as
    coordinator (the same people as ``capacity.report_unit``)."""
    access = access_for(user)
    units = _icu_units()
    if not access.is_superuser:
        units = units.filter(
            Q(hospital__trust_id__in=access.reporter_trusts)
            | Q(hospital__trust__region_id__in=access.coordinator_regions)
        )
    if group != ALL_GROUPS:
        units = units.filter(age_group=group)
    return list(units)


def situation_unit_get(*, user: User, unit_id: int) -> Unit:
    """A unit the person files for; 404 for any other (its existence is not revealed)."""
    for unit in situation_units(user=user):
        if unit.pk == unit_id:
            return unit
    raise Http404


def latest_reports(*, unit_ids: Iterable[int]) -> dict[int, SituationReport]:
    """Each unit's latest situation report with its lines (two queries), by unit id; units without one are left
    out."""
    ids = list(unit_ids)
    if not ids:
        return {}
    newest = SituationReport.objects.filter(unit_id=OuterRef("unit_id")).order_by("-filed_at", "-pk").values("pk")[:1]
    reports = (
        SituationReport.objects.filter(unit_id__in=ids, pk=Subquery(newest))
        .select_related("filed_by")
        .prefetch_related(Prefetch("lines", queryset=SituationLine.objects.order_by("category")))
    )
    return {report.unit_id: report for report in reports}


def unit_categories(*, units: Iterable[Unit], latest: dict[int, SituationReport]) -> dict[int, list[str]]:
    """The bed categories each unit's form asks for: those of its latest situation report, else those with staffed
    beds in normal operation in the latest round it reported, else all three (one query)."""
    units = list(units)
    result: dict[int, list[str]] = {}
    need = []
    for unit in units:
        report = latest.get(unit.pk)
        if report is not None and report.lines.all():
            result[unit.pk] = [line.category for line in report.lines.all()]
        else:
            need.append(unit.pk)
    if need:
        rows = (
            CapacityEntry.objects.filter(
                unit_id__in=need, is_current=True, scenario=Scenario.NORMAL, staffed_beds__gt=0
            )
            .order_by("unit_id", "-round__period_start", "-round_id")
            .values_list("unit_id", "round_id", "category")
        )
        first_round: dict[int, int] = {}
        found: dict[int, set[str]] = defaultdict(set)
        for unit_id, round_id, category in rows:
            if first_round.setdefault(unit_id, round_id) == round_id:
                found[unit_id].add(category)
        for unit_id in need:
            result[unit_id] = [c for c in CATEGORIES if c in found[unit_id]] or list(CATEGORIES)
    return result


# --- the region's situation now -----------------------------------------------------------------------------------


@dataclass
class NowTotals:
    """Staffed and occupied beds of one category added up over the units that reported it."""

    staffed: int | None = None
    occupied: int | None = None

    def add(self, line: SituationLine) -> None:
        self.staffed = (self.staffed or 0) + line.staffed_beds
        self.occupied = (self.occupied or 0) + line.occupied_beds

    @property
    def available(self) -> int | None:
        return None if self.staffed is None or self.occupied is None else self.staffed - self.occupied


@dataclass
class NowUnit:
    unit: Unit
    report: SituationReport | None
    stale: bool = False

    @property
    def lines(self) -> list[SituationLine | None]:
        """The report's line per category, in category order (None where the unit reported none)."""
        by_category = {line.category: line for line in self.report.lines.all()} if self.report else {}
        return [by_category.get(c) for c in CATEGORIES]


@dataclass
class NowGroup:
    """A trust's (or the region's) units: each with its latest report, totals over those with one."""

    label: str
    units: list[NowUnit] = field(default_factory=list)
    totals: list[NowTotals] = field(default_factory=lambda: [NowTotals() for _ in CATEGORIES])

    @property
    def expected(self) -> int:
        return len(self.units)

    @property
    def reported(self) -> int:
        return sum(1 for u in self.units if u.report is not None)

    @property
    def stale(self) -> int:
        return sum(1 for u in self.units if u.stale)

    @property
    def missing(self) -> list[NowUnit]:
        return [u for u in self.units if u.report is None]

    @property
    def oldest(self) -> datetime.datetime | None:
        """When the oldest report counted in the totals was filed."""
        times = [u.report.filed_at for u in self.units if u.report is not None]
        return min(times) if times else None

    def add(self, unit: NowUnit) -> None:
        self.units.append(unit)
        for totals, line in zip(self.totals, unit.lines, strict=True):
            if line is not None:
                totals.add(line)


@dataclass
class SituationNow:
    region: Region
    group: str
    trusts: list[NowGroup]
    total: NowGroup
    now: datetime.datetime

    @property
    def group_label(self) -> str:
        return patient_group_label(self.group)

    @property
    def all_groups(self) -> bool:
        return self.group == ALL_GROUPS


def region_get(*, user: User, region_id: int) -> Region:
    """The region if the person may see its capacity figures; 404 otherwise."""
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not user.has_perm("capacity.view_round", region):
        raise Http404
    return region


def situation_now(*, region: Region, group: str = DEFAULT_GROUP, now: datetime.datetime | None = None) -> SituationNow:
    """Every active ICU unit of the region's patient group with its latest situation report; totals per trust and
    for the region over the units that have one (four queries)."""
    now = now or timezone.now()
    units = Unit.objects.filter(hospital__trust__region=region, kind=Unit.Kind.ICU, active=True)
    if group != ALL_GROUPS:
        units = units.filter(age_group=group)
    unit_list = list(
        units.select_related("hospital", "hospital__trust").order_by("hospital__trust__name", "hospital__name", "name")
    )
    latest = latest_reports(unit_ids=[u.pk for u in unit_list])
    trusts = {t.pk: NowGroup(t.name) for t in HealthTrust.objects.filter(region=region).order_by("name")}
    total = NowGroup(region.name)
    for unit in unit_list:
        report = latest.get(unit.pk)
        row = NowUnit(unit, report, stale=report is not None and is_stale(report.filed_at, now))
        trusts[unit.hospital.trust_id].add(row)
        total.add(row)
    return SituationNow(region=region, group=group, trusts=list(trusts.values()), total=total, now=now)


def situation_regions(*, units: Iterable[Unit]) -> list[Region]:
    """The regions of the units, for links to their "now" view (no queries: the units carry their region)."""
    seen: dict[int, Region] = {}
    for unit in units:
        seen.setdefault(unit.hospital.trust.region_id, unit.hospital.trust.region)
    return sorted(seen.values(), key=lambda r: r.name)


# --- measured occupancy for dimensioning ---------------------------------------------------------------------------


@dataclass
class DailyOccupied:
    """Occupied beds per (day, unit, category), and when each unit's latest report of those days was filed."""

    occupied: dict[tuple[datetime.date, int, str], int] = field(default_factory=dict)
    latest: dict[int, datetime.datetime] = field(default_factory=dict)


def daily_occupied(*, unit_ids: Iterable[int], start: datetime.date, end: datetime.date) -> DailyOccupied:
    """Occupied beds per (day, unit, category) from the situation reports filed from ``start`` to ``end`` (local
    days, both included): the day's latest report of the unit counts. One query."""
    ids = list(unit_ids)
    result = DailyOccupied()
    if not ids:
        return result
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    rows = (
        SituationLine.objects.filter(report__unit_id__in=ids, report__filed_at__gte=since, report__filed_at__lt=until)
        .order_by("report__filed_at", "report_id")
        .values_list("report__unit_id", "report__filed_at", "category", "occupied_beds")
    )
    for unit_id, filed_at, category, occupied in rows:
        result.occupied[(timezone.localdate(filed_at), unit_id, category)] = occupied  # later ones overwrite
        result.latest[unit_id] = filed_at
    return result
