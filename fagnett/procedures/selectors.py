"""Reads for procedures and pathways, scoped to the person asking."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fagnett.accounts.models import User
from fagnett.networks.models import Network
from fagnett.procedures.models import Procedure, Status, StatusEvent


@dataclass(frozen=True)
class ProcedureFilters:
    kind: str = ""
    status: str = ""


def procedure_list(*, network: Network, filters: ProcedureFilters | None = None) -> QuerySet[Procedure]:
    """The network's register; the caller has already fetched ``network`` through a scoped selector."""
    filters = filters or ProcedureFilters()
    procedures = Procedure.objects.filter(network=network).select_related("responsible").order_by("title", "pk")
    if filters.kind:
        procedures = procedures.filter(kind=filters.kind)
    if filters.status:
        procedures = procedures.filter(status=filters.status)
    return procedures


def procedure_get(*, user: User, procedure_id: int) -> Procedure:
    """The procedure if the person may see it; 404 otherwise (no hint that it exists)."""
    try:
        procedure = Procedure.objects.select_related("network", "network__region", "responsible").get(pk=procedure_id)
    except Procedure.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("procedures.view_procedure", procedure):
        raise Http404
    return procedure


def event_list(*, procedure: Procedure) -> QuerySet[StatusEvent]:
    return procedure.events.select_related("recorded_by").order_by("happened_on", "pk")


# What counts as what in a year (each procedure counted at most once per column):
# started   – moved to in progress;
# revised   – moved to under revision, or published again after a revision;
# completed – published for the first time (from in progress or registered as published).
STARTED = Q(status=Status.IN_PROGRESS)
REVISED = Q(status=Status.UNDER_REVISION) | Q(status=Status.PUBLISHED, from_status=Status.UNDER_REVISION)
COMPLETED = Q(status=Status.PUBLISHED) & ~Q(from_status=Status.UNDER_REVISION)
WORKED_ON = STARTED | REVISED | COMPLETED


@dataclass
class CountRow:
    network: Network
    started: int = 0
    revised: int = 0
    completed: int = 0
    worked_on: int = 0
    pathways_worked_on: int = 0
    worked_on_last_year: int = 0

    @property
    def change(self) -> int:
        return self.worked_on - self.worked_on_last_year


@dataclass
class ProcedureCounts:
    year: int
    rows: list[CountRow]

    def _sum(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def started(self) -> int:
        return self._sum("started")

    @property
    def revised(self) -> int:
        return self._sum("revised")

    @property
    def completed(self) -> int:
        return self._sum("completed")

    @property
    def worked_on(self) -> int:
        return self._sum("worked_on")

    @property
    def pathways_worked_on(self) -> int:
        return self._sum("pathways_worked_on")

    @property
    def worked_on_last_year(self) -> int:
        return self._sum("worked_on_last_year")

    @property
    def change(self) -> int:
        return self.worked_on - self.worked_on_last_year

    @property
    def networks_with_pathways(self) -> int:
        return sum(1 for row in self.rows if row.pathways_worked_on)


def _two_years(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)


def _count_events(events: QuerySet[StatusEvent], year: int) -> dict[int, dict[str, int]]:
    in_year = Q(happened_on__year=year)
    last_year = Q(happened_on__year=year - 1)
    pathway = Q(procedure__kind=Procedure.Kind.PATHWAY)
    counts = events.values("procedure__network_id").annotate(
        started=Count("procedure", filter=in_year & STARTED, distinct=True),
        revised=Count("procedure", filter=in_year & REVISED, distinct=True),
        completed=Count("procedure", filter=in_year & COMPLETED, distinct=True),
        worked_on=Count("procedure", filter=in_year & WORKED_ON, distinct=True),
        pathways_worked_on=Count("procedure", filter=in_year & WORKED_ON & pathway, distinct=True),
        worked_on_last_year=Count("procedure", filter=last_year & WORKED_ON, distinct=True),
    )
    result: dict[int, dict[str, int]] = {}
    for row in counts:
        values: dict[str, int] = {key: value for key, value in row.items() if key != "procedure__network_id"}  # type: ignore[misc]
        result[row["procedure__network_id"]] = values
    return result


def procedure_counts(*, region_id: int, year: int) -> ProcedureCounts:
    """Started, revised and completed per network of the region in ``year`` (and the year before), in two queries."""
    networks = list(Network.objects.filter(region_id=region_id).select_related("region").order_by("name"))
    events = StatusEvent.objects.filter(procedure__network__region_id=region_id, happened_on__range=_two_years(year))
    counts = _count_events(events, year)
    rows = [CountRow(network=network, **counts.get(network.pk, {})) for network in networks]
    return ProcedureCounts(year=year, rows=rows)


def counts_by_network(*, network_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """Started, revised, completed and worked-on counts of each of ``network_ids`` in ``year``, in one query."""
    events = StatusEvent.objects.filter(procedure__network_id__in=network_ids, happened_on__range=_two_years(year))
    return _count_events(events, year)


def network_counts(*, network: Network, year: int) -> CountRow:
    """The counts of one network for ``year``, in one query."""
    events = StatusEvent.objects.filter(procedure__network=network, happened_on__range=_two_years(year))
    return CountRow(network=network, **_count_events(events, year).get(network.pk, {}))
