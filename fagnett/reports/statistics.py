"""The numbers of the annual reports, computed from the records.

Both functions return plain, JSON-ready dictionaries: a draft shows them live, and a submitted network
report or an approved regional report stores them (``NetworkReport.facts``, ``RegionalReport.statistics``)
so that it keeps saying the same thing. Codes are stored, never translated labels: a stored report reads in
the reader's language. Every query is grouped, so the number of queries does not grow with the networks.
"""

import datetime
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from fagnett.budget.models import Expense, Grant
from fagnett.cases.models import Case, CaseEvent
from fagnett.meetings.models import ActionItem, AgendaItem, Attendance, Meeting
from fagnett.networks.models import Network, TaskListItem
from fagnett.networks.selectors import minimums_in_force, statuses_at_year_end
from fagnett.organisations.models import HealthTrust, Region
from fagnett.procedures.selectors import counts_by_network
from fagnett.reports.models import COUNTED_REPORT_STATUSES, NetworkReport, ReflectionPoint, TaskRanking
from fagnett.topics.selectors import topic_list

#: the network reports that count: the leader has submitted them (and perhaps the coordinator accepted)
COUNTED = COUNTED_REPORT_STATUSES
#: how many years figure 1 shows
FIGURE_1_YEARS = 3
PROCEDURE_KEYS = ("started", "revised", "completed", "worked_on", "pathways_worked_on")


def facts_for_networks(*, networks: list[Network], year: int) -> dict[int, dict[str, Any]]:
    """What the records say about each network's ``year``; a fixed number of queries for any number of networks."""
    ids = [n.pk for n in networks]
    region_ids = {n.region_id for n in networks}
    facts: dict[int, dict[str, Any]] = {
        n.pk: {
            "network": {"id": n.pk, "name": n.name},
            "year": year,
            "meetings": {"held": 0, "cancelled": 0, "minimum": None, "below_minimum": False, "by_form": {}},
            "attendance": [],
            "cases": {"received": 0, "answered": 0, "closed": 0, "common_received": 0, "common_answered": 0},
            "procedures": dict.fromkeys(PROCEDURE_KEYS, 0),
            "action_items": {"due": 0, "done_on_time": 0, "done_late": 0, "open": 0},
            "funds": {"rows": [], "spent": 0, "granted": 0},
        }
        for n in networks
    }

    meetings = (
        Meeting.objects.filter(network_id__in=ids, starts_at__year=year)
        .values("network_id", "status", "form")
        .annotate(n=Count("id"))
        .order_by()
    )
    for meeting_row in meetings:
        m = facts[meeting_row["network_id"]]["meetings"]
        if meeting_row["status"] == Meeting.Status.HELD:
            m["held"] += meeting_row["n"]
            m["by_form"][meeting_row["form"]] = m["by_form"].get(meeting_row["form"], 0) + meeting_row["n"]
        elif meeting_row["status"] == Meeting.Status.CANCELLED:
            m["cancelled"] += meeting_row["n"]
    for network_id, minimum in minimums_in_force(network_ids=ids, year=year).items():
        m = facts[network_id]["meetings"]
        m["minimum"] = minimum
        m["below_minimum"] = m["held"] < minimum

    trusts = list(HealthTrust.objects.filter(region_id__in=region_ids).order_by("name").values("pk", "short_name"))
    present: dict[tuple[int, int], int] = {
        (row["meeting__network_id"], row["trust_id"]): row["meetings"]
        for row in Attendance.objects.filter(
            meeting__network_id__in=ids,
            meeting__status=Meeting.Status.HELD,
            meeting__starts_at__year=year,
            status=Attendance.Status.PRESENT,
            trust__isnull=False,
        )
        .values("meeting__network_id", "trust_id")
        .annotate(meetings=Count("meeting_id", distinct=True))
        .order_by()
    }
    for network_id, f in facts.items():
        f["attendance"] = [
            {"trust": t["short_name"], "meetings": present.get((network_id, t["pk"]), 0)} for t in trusts
        ]

    for case_row in (
        Case.objects.filter(network_id__in=ids, submitted_at__year=year)
        .values("network_id")
        .annotate(received=Count("id"), common=Count("id", filter=Q(common_case__isnull=False)))
        .order_by()
    ):
        facts[case_row["network_id"]]["cases"].update(received=case_row["received"], common_received=case_row["common"])
    answered = Q(kind=CaseEvent.Kind.RECOMMENDED)
    for event_row in (
        CaseEvent.objects.filter(case__network_id__in=ids, at__year=year)
        .values("case__network_id")
        .annotate(
            answered=Count("case_id", filter=answered, distinct=True),
            closed=Count("case_id", filter=Q(kind__in=[CaseEvent.Kind.CLOSED, CaseEvent.Kind.DECLINED]), distinct=True),
            common_answered=Count("case_id", filter=answered & Q(case__common_case__isnull=False), distinct=True),
        )
        .order_by()
    ):
        facts[event_row["case__network_id"]]["cases"].update(
            answered=event_row["answered"], closed=event_row["closed"], common_answered=event_row["common_answered"]
        )

    for network_id, counts in counts_by_network(network_ids=ids, year=year).items():
        facts[network_id]["procedures"].update({k: counts[k] for k in PROCEDURE_KEYS})

    done = Q(status=ActionItem.Status.DONE)
    for item_row in (
        ActionItem.objects.filter(network_id__in=ids, due_date__year=year)
        .values("network_id")
        .annotate(
            due=Count("id"),
            done_on_time=Count("id", filter=done & Q(done_at__date__lte=F("due_date"))),
            done_late=Count("id", filter=done & Q(done_at__date__gt=F("due_date"))),
            open=Count("id", filter=~done),
        )
        .order_by()
    ):
        facts[item_row["network_id"]]["action_items"].update(
            due=item_row["due"],
            done_on_time=item_row["done_on_time"],
            done_late=item_row["done_late"],
            open=item_row["open"],
        )

    spent: dict[int, dict[str, int]] = defaultdict(dict)
    for network_id, kind, total in (
        Expense.objects.filter(network_id__in=ids, spent_on__year=year)
        .values_list("network_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        spent[network_id][kind] = int(total)
    granted = dict(
        Grant.objects.filter(
            network_id__in=ids,
            period_start__lte=datetime.date(year, 12, 31),
            period_end__gte=datetime.date(year, 1, 1),
        )
        .values_list("network_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for network_id, f in facts.items():
        by_kind = spent.get(network_id, {})
        f["funds"] = {
            "rows": [{"kind": kind, "amount": by_kind.get(kind, 0)} for kind in Expense.Kind.values],
            "spent": sum(by_kind.values()),
            "granted": int(granted.get(network_id, 0)),
        }
    return facts


def network_facts(*, network: Network, year: int) -> dict[str, Any]:
    return facts_for_networks(networks=[network], year=year)[network.pk]


def reporting_networks(*, region: Region, year: int) -> list[Network]:
    """The networks expected to report on ``year``: top-level networks active at the year's end (as they were
    then: a network closed or started later does not change an earlier year's list)."""
    networks = list(
        Network.objects.filter(region=region, kind=Network.Kind.NETWORK)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=datetime.date(year, 12, 31)))
        .order_by("name")
    )
    statuses = statuses_at_year_end(networks=networks, year=year)
    return [n for n in networks if statuses[n.pk] == Network.Status.ACTIVE]


def _network_changes(region: Region, year: int) -> dict[str, Any]:
    networks = list(
        Network.objects.filter(region=region, kind=Network.Kind.NETWORK)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=datetime.date(year, 12, 31)))
        .select_related("merged_into")
        .annotate(n_subgroups=Count("subgroups", filter=~Q(subgroups__status__in=["closed", "merged"])))
        .order_by("name")
    )
    ended_statuses = [Network.Status.MERGED, Network.Status.CLOSED]
    # When a network was merged or closed: the first history record with that status.
    ended_on = {
        row["id"]: timezone.localtime(row["first"]).year
        for row in Network.history.filter(region=region, status__in=ended_statuses)
        .values("id")
        .annotate(first=Min("history_date"))
        .order_by()
    }
    # Each network as it was at the year's end: a network closed or started later keeps its place in this year.
    status = statuses_at_year_end(networks=networks, year=year)
    ended = [n for n in networks if status[n.pk] in ended_statuses and ended_on.get(n.pk, year) == year]
    existing = [n for n in networks if status[n.pk] not in ended_statuses]
    return {
        "count": len(existing),
        "list": [
            {"name": n.name, "field": n.field, "status": status[n.pk], "subgroups": n.n_subgroups} for n in existing
        ],
        "new": [n.name for n in existing if n.established_on and n.established_on.year == year],
        "not_started": [n.name for n in existing if status[n.pk] == Network.Status.NOT_STARTED],
        "ended": [
            {"name": n.name, "merged_into": n.merged_into.name if n.merged_into else "", "status": status[n.pk]}
            for n in ended
        ],
        "subgroups": sum(n.n_subgroups for n in existing),
    }


def _meetings_by_year(networks: list[Network], year: int) -> dict[str, Any]:
    years = list(range(year - FIGURE_1_YEARS + 1, year + 1))
    counts: dict[tuple[int, int], int] = {
        (row["network_id"], row["year"]): row["n"]
        for row in Meeting.objects.filter(
            network__in=networks, status=Meeting.Status.HELD, starts_at__year__gte=years[0], starts_at__year__lte=year
        )
        .annotate(year=ExtractYear("starts_at"))
        .values("network_id", "year")
        .annotate(n=Count("id"))
        .order_by()
    }
    minimums = minimums_in_force(network_ids=[n.pk for n in networks], year=year)
    rows: list[dict[str, Any]] = []
    for network in networks:
        values = [counts.get((network.pk, y), 0) for y in years]
        minimum = minimums.get(network.pk)
        rows.append(
            {
                "network": network.name,
                "counts": values,
                "minimum": minimum,
                "below": minimum is not None and values[-1] < minimum,
            }
        )
    return {
        "years": years,
        "rows": rows,
        "totals": [sum(row["counts"][i] for row in rows) for i in range(len(years))],
        "reporting": len(rows),
        "below_minimum": sum(1 for row in rows if row["below"]),
        "below_names": [row["network"] for row in rows if row["below"]],
    }


def _task_ranking(region: Region, year: int) -> dict[str, Any]:
    tasks = list(TaskListItem.objects.filter(region=region).order_by("order", "code"))
    counts = Counter(
        {
            (row["task_id"], row["rank"]): row["n"]
            for row in TaskRanking.objects.filter(
                report__network__region=region, report__year=year, report__status__in=COUNTED
            )
            .values("task_id", "rank")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    rows: list[dict[str, Any]] = [
        {
            "code": task.code,
            "title": task.title,
            "first": counts[(task.pk, 1)],
            "second": counts[(task.pk, 2)],
            "third": counts[(task.pk, 3)],
        }
        for task in tasks
    ]
    # Most often ranked highest first; ties by how often ranked at all, then the task list's order.
    rows.sort(key=lambda r: (-r["first"], -(r["first"] + r["second"] + r["third"])))
    return {"rows": rows, "reports": sum(r["first"] for r in rows)}


def _registry(region: Region, year: int) -> dict[str, int]:
    by_year = {
        row["year"]: row
        for row in NetworkReport.objects.filter(network__region=region, year__in=[year - 1, year], status__in=COUNTED)
        .values("year")
        .annotate(reviewed=Count("id", filter=Q(registry_data_reviewed=True)), reports=Count("id"))
        .order_by()
    }
    empty = {"reviewed": 0, "reports": 0}
    this, last = by_year.get(year, empty), by_year.get(year - 1, empty)
    return {
        "this_year": this["reviewed"],
        "reports_this_year": this["reports"],
        "last_year": last["reviewed"],
        "reports_last_year": last["reports"],
    }


def _reflections(region: Region, year: int) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {}
    for kind, relation in (
        (ReflectionPoint.Kind.WORKED_WELL, NetworkReport.worked_well_points.through),
        (ReflectionPoint.Kind.IMPROVE, NetworkReport.improve_points.through),
    ):
        rows = (
            relation.objects.filter(
                networkreport__network__region=region,
                networkreport__year=year,
                networkreport__status__in=COUNTED_REPORT_STATUSES,
            )
            .values("reflectionpoint__title", "reflectionpoint__order")
            .annotate(n=Count("networkreport_id", distinct=True))
            .order_by("-n", "reflectionpoint__order", "reflectionpoint__title")
        )
        result[str(kind)] = [{"title": row["reflectionpoint__title"], "count": row["n"]} for row in rows]
    return result


def _appendices(networks: list[Network], year: int) -> list[dict[str, Any]]:
    """One appendix per network that reported: its stored facts and what the leader wrote."""
    reports = (
        NetworkReport.objects.filter(network__in=networks, year=year, status__in=COUNTED)
        .select_related("network", "submitted_by")
        .prefetch_related("rankings__task", "worked_well_points", "improve_points", "topics")
        .order_by("network__name")
    )
    return [network_report_appendix(report) for report in reports]


def network_report_appendix(report: NetworkReport) -> dict[str, Any]:
    """What the leader wrote and the stored facts of one network report, as the regional report's appendix and the
    network's own document show it (a draft's facts are counted now)."""
    return {
        "network": report.network.name,
        "status": report.status,
        "submitted_by": report.submitted_by.get_full_name() if report.submitted_by else "",
        "submitted_on": timezone.localdate(report.submitted_at).isoformat() if report.submitted_at else "",
        "facts": report.facts or network_facts(network=report.network, year=report.year),
        "rankings": [{"rank": r.rank, "code": r.task.code, "title": r.task.title} for r in report.rankings.all()],
        "registry_data_reviewed": report.registry_data_reviewed,
        "registry_data_note": report.registry_data_note,
        "central_work": report.central_work,
        "worked_well_points": [p.title for p in report.worked_well_points.all()],
        "worked_well": report.worked_well,
        "improve_points": [p.title for p in report.improve_points.all()],
        "improve": report.improve,
        "priorities": report.priorities,
        "topics": [t.name for t in report.topics.all()],
    }


def _submissions(networks: list[Network], year: int) -> dict[str, Any]:
    statuses = dict(NetworkReport.objects.filter(network__in=networks, year=year).values_list("network_id", "status"))
    rows = [{"network": n.name, "network_id": n.pk, "status": statuses.get(n.pk, "")} for n in networks]
    return {
        "rows": rows,
        "expected": len(rows),
        "submitted": sum(1 for r in rows if r["status"] in COUNTED),
        "missing": [r["network"] for r in rows if r["status"] not in COUNTED],
    }


def _funds(networks: list[Network], year: int) -> dict[str, Any]:
    spent = dict(
        Expense.objects.filter(network__in=networks, spent_on__year=year)
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    granted = Grant.objects.filter(
        network__in=networks,
        period_start__lte=datetime.date(year, 12, 31),
        period_end__gte=datetime.date(year, 1, 1),
    ).aggregate(total=Sum("amount"), networks=Count("network_id", distinct=True))
    rows = [{"kind": kind, "amount": int(spent.get(kind, 0))} for kind in Expense.Kind.values]
    return {
        "rows": rows,
        "spent": sum(r["amount"] for r in rows),
        "granted": int(granted["total"] or 0),
        "networks_with_grants": granted["networks"],
    }


def _networks_by_topic_and_year(region_id: int, years: list[int]) -> dict[tuple[int, int], set[int]]:
    """For each (topic, year): the networks that worked on it — a case the network received that year, an
    agenda item of a meeting it held that year, or its annual report for the year. Three grouped queries.

    The dates are filtered as one range from the first year to the last (``__year__gte``/``__year__lte`` compare the
    column with two instants) rather than with ``__year__in``, which makes the database compute the year of every
    case and meeting in the region: on ten years of cases that was most of the annual report's time."""
    worked: dict[tuple[int, int], set[int]] = defaultdict(set)
    first, last = min(years), max(years)
    cases = (
        Case.topics.through.objects.filter(
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
        AgendaItem.topics.through.objects.filter(
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
        NetworkReport.topics.through.objects.filter(
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


def region_statistics(*, region: Region, year: int) -> dict[str, Any]:
    """Everything the regional annual report computes, for ``region`` and ``year``."""
    networks = reporting_networks(region=region, year=year)
    procedure_rows = counts_by_network(network_ids=[n.pk for n in networks], year=year)

    def total(key: str) -> int:
        return sum(row.get(key, 0) for row in procedure_rows.values())

    worked_on, last_year = total("worked_on"), total("worked_on_last_year")
    meetings_by_form = Counter(
        dict(
            Meeting.objects.filter(network__in=networks, status=Meeting.Status.HELD, starts_at__year=year)
            .values_list("form")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    return {
        "region": {"id": region.pk, "name": region.name, "short_name": region.short_name},
        "year": year,
        "networks": _network_changes(region, year),
        "submissions": _submissions(networks, year),
        "meetings": {**_meetings_by_year(networks, year), "by_form": dict(meetings_by_form)},
        "tasks": _task_ranking(region, year),
        "procedures": {
            "worked_on": worked_on,
            "last_year": last_year,
            "change": worked_on - last_year,
            "started": total("started"),
            "revised": total("revised"),
            "completed": total("completed"),
            "pathways_worked_on": total("pathways_worked_on"),
            "pathway_networks": sum(1 for row in procedure_rows.values() if row.get("pathways_worked_on")),
            "procedures_only": worked_on - total("pathways_worked_on"),
        },
        "registry": _registry(region, year),
        "topics": topic_shift(region_id=region.pk, year=year),
        "reflections": _reflections(region, year),
        "funds": _funds(networks, year),
        "appendices": _appendices(networks, year),
    }
