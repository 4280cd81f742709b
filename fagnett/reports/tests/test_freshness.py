"""A draft annual report's statistics are computed once and cached per (region, year), and any change that alters
them shows at once (issue 23.3): ``reports.freshness``.

Each change below touches one statistic of the region of seed 000 (``build_known_region``) — through a model's
``save()``, ``QuerySet.update()``, ``bulk_create``, a delete, a many-to-many change or hand-written SQL. The cached
statistics after it must be exactly what computing them afresh gives, and must differ from the cached ones before
it where the change shows (so each case can fail: the change is one the statistic sees)."""

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.budget.models import Expense, Grant
from fagnett.meetings.models import Meeting
from fagnett.networks.models import Network
from fagnett.organisations.models import Region
from fagnett.procedures.models import Status
from fagnett.reports import freshness, statistics
from fagnett.reports.models import (
    NetworkReport,
    ReflectionPoint,
    RegionalReport,
    StatisticsChange,
    StatisticsSnapshot,
    TaskRanking,
)
from fagnett.reports.tests.factories import (
    COUNTED_2025,
    DRAFTS_2025,
    Known,
    at,
    make_report,
    meetings_in,
    procedure_rows,
    save_procedures,
)
from fagnett.topics.models import Topic
from tests.factories import make_mandate

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def known(known_region: Known) -> Known:
    freshness.forget()
    return known_region


def cached(known: Known, year: int = YEAR) -> dict[str, Any]:
    return freshness.region_statistics_cached(region=Region.objects.get(pk=known.region.pk), year=year)


def fresh(known: Known, year: int = YEAR) -> dict[str, Any]:
    computed = statistics.region_statistics(region=Region.objects.get(pk=known.region.pk), year=year)
    return json.loads(json.dumps(computed, cls=DjangoJSONEncoder))


def key() -> int:
    return freshness._key_and_snapshot(0, 0)[0]


# --- The changes ----------------------------------------------------------------------------------------------------


def _a_meeting_held(known: Known) -> None:
    network = known.networks[5]
    Meeting.objects.create(network=network, starts_at=at(YEAR, 9, 2), ends_at=at(YEAR, 9, 2, 14), status="held")


def _meetings_bulk_created(known: Known) -> None:
    Meeting.objects.bulk_create(meetings_in(known.networks[6], YEAR, 2))


def _a_meeting_cancelled_with_update(known: Known) -> None:
    held = Meeting.objects.filter(network=known.networks[7], starts_at__year=YEAR, status=Meeting.Status.HELD)
    Meeting.objects.filter(pk=held.order_by("pk").values_list("pk", flat=True)[:1]).update(
        status=Meeting.Status.CANCELLED
    )


def _a_meeting_deleted(known: Known) -> None:
    Meeting.objects.filter(network=known.networks[9], starts_at__year=YEAR).order_by("pk").first().delete()  # type: ignore[union-attr]


def _a_meeting_cancelled_in_hand_written_sql(known: Known) -> None:
    meeting = Meeting.objects.filter(network=known.networks[10], starts_at__year=YEAR, status="held").first()
    assert meeting is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Meeting._meta.db_table} SET status = %s WHERE id = %s",  # noqa: S608 — the model's table
            [Meeting.Status.CANCELLED, meeting.pk],
        )


def _a_network_report_submitted(known: Known) -> None:
    # A draft of 2025 submitted the way the workflow's queryset writes it.
    NetworkReport.objects.filter(network=known.networks[DRAFTS_2025[0]], year=YEAR).update(
        status=NetworkReport.Status.SUBMITTED, submitted_at=timezone.now(), facts={"meetings": {}}
    )


def _a_network_report_made(known: Known) -> None:
    make_report(known.networks[32], YEAR, registry=True, submitted_by=known.people["leader"])


def _a_procedure_started(known: Known) -> None:
    save_procedures([procedure_rows(known.networks[4], (Status.IN_PROGRESS, datetime.date(YEAR, 10, 1)))])


def _a_higher_minimum_in_force(known: Known) -> None:
    make_mandate(known.networks[12], min_meetings_per_year=12, period_start=datetime.date(YEAR, 1, 1))


def _a_ranking_changed(known: Known) -> None:
    ranking = TaskRanking.objects.filter(report__network__in=known.networks, report__year=YEAR, rank=1).first()
    assert ranking is not None
    other = next(task for task in known.tasks.values() if task.pk != ranking.task_id)
    TaskRanking.objects.filter(report=ranking.report).delete()
    TaskRanking.objects.create(report=ranking.report, rank=1, task=other)


def _registry_answers_changed(known: Known) -> None:
    NetworkReport.objects.filter(network__in=known.networks[:COUNTED_2025], year=YEAR).update(
        registry_data_reviewed=False
    )


def _a_standard_answer_renamed(known: Known) -> None:
    point = ReflectionPoint.objects.filter(region=known.region).order_by("pk").first()
    assert point is not None
    point.title = "Godt samarbeid på tvers"
    point.save()


def _a_topic_on_a_report(known: Known) -> None:
    topic = Topic.objects.create(region=known.region, name="Smertebehandling")
    NetworkReport.objects.get(network=known.networks[0], year=YEAR).topics.add(topic)


def _money_spent_and_granted(known: Known) -> None:
    network = known.networks[3]
    grant = Grant.objects.create(
        network=network,
        amount=80_000,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        source="Fagmidler",
    )
    Expense.objects.create(
        network=network, grant=grant, kind=Expense.Kind.CATERING, spent_on=datetime.date(YEAR, 5, 1), amount=4_000
    )


def _a_network_renamed(known: Known) -> None:
    network = Network.objects.get(pk=known.networks[2].pk)
    network.name = "Nettverk for smerte"
    network.save()


def _the_region_renamed(known: Known) -> None:
    Region.objects.filter(pk=known.region.pk).update(name="Helse Midt RHF")


def _the_leader_renamed(known: Known) -> None:
    leader = known.people["leader"]
    leader.last_name = "Nyttnavn"
    leader.save()


CHANGES: dict[str, tuple[Callable[[Known], None], tuple[str, ...]]] = {
    # name: (the change, where it shows in 2025's statistics)
    "a meeting held (save)": (_a_meeting_held, ("meetings", "totals")),
    "meetings held (bulk_create)": (_meetings_bulk_created, ("meetings", "totals")),
    "a meeting cancelled (QuerySet.update)": (_a_meeting_cancelled_with_update, ("meetings", "totals")),
    "a meeting deleted": (_a_meeting_deleted, ("meetings", "totals")),
    "a meeting cancelled (hand-written SQL)": (_a_meeting_cancelled_in_hand_written_sql, ("meetings", "totals")),
    "a network report submitted (QuerySet.update)": (_a_network_report_submitted, ("submissions",)),
    "a network report made": (_a_network_report_made, ("submissions",)),
    "a procedure revised": (_a_procedure_started, ("procedures",)),
    "a higher minimum in force": (_a_higher_minimum_in_force, ("meetings", "below_minimum")),
    "a ranking changed": (_a_ranking_changed, ("tasks",)),
    "registry answers changed (QuerySet.update)": (_registry_answers_changed, ("registry",)),
    "a standard answer renamed": (_a_standard_answer_renamed, ("reflections",)),
    "a topic put on a report (many-to-many)": (_a_topic_on_a_report, ("topics",)),
    "money spent and granted": (_money_spent_and_granted, ("funds",)),
    "a network renamed": (_a_network_renamed, ("networks", "list")),
    "the region renamed (QuerySet.update)": (_the_region_renamed, ("region",)),
    "the leader who submitted renamed": (_the_leader_renamed, ("appendices",)),
}


def _at(stats: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        stats = stats[part]
    return stats


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_shows_at_once(name: str, known: Known) -> None:
    change, shows_in = CHANGES[name]
    before = cached(known)
    assert cached(known) is before  # kept: the second opening computes nothing

    change(known)

    after = cached(known)
    assert after == fresh(known)
    assert _at(after, shows_in) != _at(before, shows_in)


def test_the_cached_statistics_are_the_computed_ones_and_a_second_opening_reads_no_source_table(known: Known) -> None:
    first = cached(known)
    assert first == fresh(known)
    freshness.forget()  # another worker: reads the snapshot from the database, computes nothing
    region = Region.objects.get(pk=known.region.pk)
    with CaptureQueriesContext(connection) as queries:
        assert freshness.region_statistics_cached(region=region, year=YEAR) == first
    tables = {t for q in queries.captured_queries for t in re.findall(r'FROM "(\w+)"', q["sql"])}
    assert tables == {StatisticsChange._meta.db_table, StatisticsSnapshot._meta.db_table}, tables
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        freshness.region_statistics_cached(region=region, year=YEAR)  # this worker has it parsed: the key alone
    assert len(queries) == 1


def test_a_login_does_not_make_the_statistics_stale(known: Known) -> None:
    cached(known)
    before = key()
    Client().force_login(known.people["leader"])  # writes last_login
    known.people["leader"].refresh_from_db()
    assert known.people["leader"].last_login is not None
    assert key() == before


def test_writes_elsewhere_do_not_move_the_key(known: Known) -> None:
    before = key()
    RegionalReport.objects.create(region=known.region, year=YEAR, created_by=known.people["coordinator"])
    assert key() == before


def test_the_key_never_goes_back_when_the_changes_are_folded(known: Known) -> None:
    _a_meeting_held(known)
    _a_meeting_held(known)
    before = key()
    assert StatisticsChange.objects.count() > 1
    freshness.fold()
    assert StatisticsChange.objects.count() == 1
    assert key() == before
    _a_meeting_held(known)
    assert key() == before + 1


def test_statistics_cached_inside_a_rolled_back_transaction_are_not_used_again(known: Known) -> None:
    """The key can take the same value again after a rollback; the worker's copy is named by a random token."""
    cached(known)
    with transaction.atomic():
        _a_meeting_held(known)
        inside = cached(known)
        transaction.set_rollback(True)
    _a_network_report_made(known)  # another change: the key is where it was inside the rolled-back transaction
    after = cached(known)
    assert after == fresh(known)
    assert after["submissions"] != inside["submissions"]


# --- Through the preview ------------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(known: Known, client: Client) -> Client:
    client.force_login(known.people["coordinator"])
    return client


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (_a_meeting_held, r"In all they held (\d+) meetings in 2025"),
        (_a_network_report_made, r"(\d+) of 33 networks have submitted their report"),
        (_a_procedure_started, r"(\d+) in all, "),
    ],
    ids=["a new meeting", "a network report", "a procedure"],
)
def test_the_preview_shows_a_change_at_once(
    known: Known, coordinator: Client, change: Callable[[Known], None], pattern: str
) -> None:
    url = reverse("reports:regional_report", args=[known.region.pk, YEAR])
    before = re.search(pattern, _text(coordinator, url))
    assert before is not None
    _text(coordinator, url)  # from the cache
    change(known)
    after = re.search(pattern, _text(coordinator, url))
    assert after is not None
    assert int(after.group(1)) == int(before.group(1)) + 1


def test_every_table_the_statistics_read_is_watched(known: Known) -> None:
    """If the statistics come to read another table, it must be one whose writes move the key."""
    _a_topic_on_a_report(known)
    region = Region.objects.get(pk=known.region.pk)
    with CaptureQueriesContext(connection) as queries:
        statistics.region_statistics(region=region, year=YEAR)
        statistics.facts_for_networks(networks=known.networks, year=YEAR)  # a draft's appendix counts its facts
    read = {t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
    assert read, "no query seen"
    assert read <= set(freshness.source_tables()), read - set(freshness.source_tables())
