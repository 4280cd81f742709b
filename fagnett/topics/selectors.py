"""Reads for topics: the region's list, and how many networks worked on each topic in a year."""

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import ExtractYear

from fagnett.meetings.models import Meeting
from fagnett.reports.models import COUNTED_REPORT_STATUSES
from fagnett.topics.models import Topic


def topic_list(*, region_id: int) -> QuerySet[Topic]:
    return Topic.objects.filter(region_id=region_id).order_by("order", "name")


def topic_choices(*, region_id: int, chosen: Any = None) -> QuerySet[Topic]:
    """Topics that can be put on something: the region's topics in use, and those already on it."""
    current = Q(pk__in=chosen.values("pk")) if chosen is not None else Q(pk__in=[])
    return Topic.objects.filter(region_id=region_id).filter(Q(active=True) | current).order_by("order", "name")


def _networks_by_topic_and_year(region_id: int, years: list[int]) -> dict[tuple[int, int], set[int]]:
    """For each (topic, year): the networks that worked on it — a case the network received that year, an
    agenda item of a meeting it held that year, or its annual report for the year. Three grouped queries.

    The dates are filtered as one range from the first year to the last (``__year__gte``/``__year__lte`` compare the
    column with two instants) rather than with ``__year__in``, which makes the database compute the year of every
    case and meeting in the region: on ten years of cases that was most of the annual report's time."""
    worked: dict[tuple[int, int], set[int]] = defaultdict(set)
    first, last = min(years), max(years)
    cases = (
        Topic.cases.through.objects.filter(
            topic__region_id=region_id,
            case__network__isnull=False,
            case__submitted_at__year__gte=first,
            case__submitted_at__year__lte=last,
        )
        .annotate(year=ExtractYear("case__submitted_at"))
        .values_list("topic_id", "year", "case__network_id")  # type: ignore[misc]
        .distinct()
    )
    items = (
        Topic.agenda_items.through.objects.filter(
            topic__region_id=region_id,
            agendaitem__meeting__status=Meeting.Status.HELD,
            agendaitem__meeting__starts_at__year__gte=first,
            agendaitem__meeting__starts_at__year__lte=last,
        )
        .annotate(year=ExtractYear("agendaitem__meeting__starts_at"))
        .values_list("topic_id", "year", "agendaitem__meeting__network_id")  # type: ignore[misc]
        .distinct()
    )
    reports = (
        Topic.network_reports.through.objects.filter(
            topic__region_id=region_id,
            networkreport__year__in=years,
            networkreport__status__in=COUNTED_REPORT_STATUSES,
        )
        .values_list("topic_id", "networkreport__year", "networkreport__network_id")
        .distinct()
    )
    wanted = set(years)
    for rows in (cases, items, reports):
        for topic_id, year, network_id in rows:
            if year in wanted:
                worked[(topic_id, year)].add(network_id)
    return worked


def topic_shift(*, region_id: int, year: int) -> dict[str, Any]:
    """How many networks worked on each topic last year and this year, most worked-on first (JSON-ready)."""
    years = [year - 1, year]
    worked = _networks_by_topic_and_year(region_id, years)
    rows: list[dict[str, Any]] = []
    for topic in topic_list(region_id=region_id):
        last, this = len(worked[(topic.pk, year - 1)]), len(worked[(topic.pk, year)])
        if last or this:
            rows.append({"topic": topic.name, "last_year": last, "this_year": this, "change": this - last})
    rows.sort(key=lambda r: (-r["this_year"], -r["last_year"], r["topic"]))
    return {"years": years, "rows": rows}
