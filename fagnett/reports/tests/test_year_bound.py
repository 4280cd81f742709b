"""A year's figures belong to that year: what happens later must not move them (issue 22.1).

Each case makes one change dated after 2025 to the region of seed 000 (``build_known_region``), then checks that
2025's statistics — the whole dictionary the overview, the draft and the report's document are built from — are
what they were, while the statistic the change touches does move for the year the change belongs to (so each test
can fail: the change is one the statistic sees)."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from fagnett.accounts.models import User
from fagnett.budget.models import Expense, Grant
from fagnett.meetings.models import Attendance, Meeting
from fagnett.meetings.selectors import region_plan
from fagnett.networks.models import Network
from fagnett.procedures.models import Status, StatusEvent
from fagnett.reports import statistics
from fagnett.reports.tests.factories import Known, at, make_report
from tests.factories import make_mandate

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(known_region: Known) -> Known:
    return known_region


def _new_mandates_from_next_january(known: Known) -> None:
    for network in known.networks:
        make_mandate(network, min_meetings_per_year=12, period_start=datetime.date(2026, 1, 1))


def _a_network_closed_the_next_year(known: Known) -> None:
    network = known.networks[1]
    network.status = Network.Status.CLOSED
    network.save()


def _a_procedure_revised_the_next_year(known: Known) -> None:
    event = StatusEvent.objects.filter(procedure__network__in=known.networks).order_by("pk").first()
    assert event is not None
    StatusEvent.objects.create(
        procedure=event.procedure,
        from_status=event.procedure.status,
        status=Status.UNDER_REVISION,
        happened_on=datetime.date(2026, 3, 1),
    )


def _reports_for_the_next_year(known: Known) -> None:
    task = next(iter(known.tasks.values()))
    for network in known.networks[:3]:
        make_report(network, 2026, ranking=[task], registry=True, submitted_by=known.people["leader"])


def _money_the_next_year(known: Known) -> None:
    network = known.networks[0]
    grant = Grant.objects.create(
        network=network,
        amount=50_000,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        source="Fagmidler",
    )
    Expense.objects.create(
        network=network, grant=grant, kind=Expense.Kind.CATERING, spent_on=datetime.date(2026, 2, 1), amount=3_000
    )


def _a_meeting_attended_the_next_year(known: Known) -> None:
    network = known.networks[0]
    held = Meeting.objects.create(
        network=network, starts_at=at(2026, 3, 4), ends_at=at(2026, 3, 4, 14), status=Meeting.Status.HELD
    )
    person: User = known.people["member"]
    trust = network.region.trusts.order_by("pk").first()
    Attendance.objects.create(meeting=held, person=person, trust=trust, status=Attendance.Status.PRESENT)


def _moved(stats_2026: dict[str, Any], after_2026: dict[str, Any], *path: str) -> bool:
    before, after = stats_2026, after_2026
    for key in path:
        before, after = before[key], after[key]
    return before != after


CHANGES: dict[str, tuple[Callable[[Known], None], tuple[str, ...]]] = {
    # name: (the change, where it shows in 2026's statistics)
    "minimum meetings: a new mandate from next January": (
        _new_mandates_from_next_january,
        ("meetings", "below_minimum"),
    ),
    "networks and reporting: a network closed the next year": (_a_network_closed_the_next_year, ("networks", "count")),
    "procedures: one revised the next year": (_a_procedure_revised_the_next_year, ("procedures",)),
    "rankings and registry use: the next year's reports": (_reports_for_the_next_year, ("tasks",)),
    "budget: a grant and an expense the next year": (_money_the_next_year, ("funds",)),
    "participation: a meeting attended the next year": (_a_meeting_attended_the_next_year, ("meetings", "totals")),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_later_change_leaves_2025_as_it_was(name: str, known: Known) -> None:
    change, shows_in = CHANGES[name]
    before_2025 = statistics.region_statistics(region=known.region, year=2025)
    before_2026 = statistics.region_statistics(region=known.region, year=2026)

    change(known)

    assert statistics.region_statistics(region=known.region, year=2025) == before_2025
    assert _moved(before_2026, statistics.region_statistics(region=known.region, year=2026), *shows_in)


def test_the_year_plan_overview_counts_an_earlier_year_against_the_mandate_then_in_force(known: Known) -> None:
    coordinator = known.people["coordinator"]

    def below(year: int) -> int:
        plan = region_plan(user=coordinator, region_id=known.region.pk, year=year)
        return sum(1 for row in plan.rows if row.below_minimum)

    before = below(2025)
    rows_before = len(region_plan(user=coordinator, region_id=known.region.pk, year=2025).rows)
    _new_mandates_from_next_january(known)
    _a_network_closed_the_next_year(known)

    assert below(2025) == before
    assert len(region_plan(user=coordinator, region_id=known.region.pk, year=2025).rows) == rows_before
    assert below(2026) == len(known.networks) - 1  # none held in 2026 yet, every open network below twelve


def test_a_network_closed_in_the_year_is_not_expected_to_report_on_it(known: Known) -> None:
    network = known.networks[1]
    network.status = Network.Status.CLOSED
    network.save()
    created, closed = network.history.order_by("history_id")
    type(created).objects.filter(pk=created.pk).update(history_date=at(2023, 1, 10))
    type(closed).objects.filter(pk=closed.pk).update(history_date=at(2025, 9, 1))

    expected = statistics.reporting_networks(region=known.region, year=2025)
    assert network not in expected
    assert network in statistics.reporting_networks(region=known.region, year=2024)
