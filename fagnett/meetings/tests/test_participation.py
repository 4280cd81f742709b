"""Participation by trust (issue 23): the hand-written statement behind ``participation_by_trust`` gives what the ORM
version gives — for the region and for one network, across the year's edges, statuses, trusts and other regions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fagnett.core.calendar import OSLO
from fagnett.meetings import selectors
from fagnett.meetings.models import Attendance, Meeting
from fagnett.meetings.selectors import TrustParticipation
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Network
from fagnett.networks.selectors import statuses_at_year_end
from fagnett.organisations.models import Region
from tests.factories import World, make_mandate, make_network, make_network_history, make_user

pytestmark = pytest.mark.django_db

YEAR = 2024


def _meeting(network: Network, when: datetime.datetime, status: str = Meeting.Status.HELD) -> Meeting:
    meeting = make_meeting(network, status=status)
    meeting.starts_at, meeting.ends_at = when, when + datetime.timedelta(hours=2)
    meeting.save()
    return meeting


def _rows(rows: list[TrustParticipation]) -> list[tuple[int, str, str, int, int, int]]:
    return [
        (r.trust.pk, r.trust.name, r.trust.short_name, r.meetings_held, r.meetings_attended, r.people_present)
        for r in rows
    ]


@pytest.fixture
def attended(world: World) -> World:
    a1, a2, a3 = world.trusts_a
    first = _meeting(world.network, datetime.datetime(YEAR, 1, 1, 0, 30, tzinfo=OSLO))  # the year's first hour
    last = _meeting(world.network, datetime.datetime(YEAR, 12, 31, 23, 30, tzinfo=OSLO))  # and its last
    other = _meeting(world.other_network, datetime.datetime(YEAR, 6, 1, 12, tzinfo=OSLO))
    before = _meeting(world.network, datetime.datetime(YEAR - 1, 12, 31, 23, 30, tzinfo=OSLO))  # Oslo's last year
    cancelled = _meeting(world.network, datetime.datetime(YEAR, 5, 1, 12, tzinfo=OSLO), Meeting.Status.CANCELLED)
    region_b = _meeting(world.network_b, datetime.datetime(YEAR, 5, 1, 12, tzinfo=OSLO))
    colleague = make_user("colleague", trust=a2)
    present, absent = Attendance.Status.PRESENT, Attendance.Status.ABSENT
    for meeting, person, trust, status in [
        (first, world["member"], a2, present),
        (first, colleague, a2, present),  # two of A2 in one meeting: one meeting, two attendances
        (first, world["leader"], a1, absent),
        (last, world["leader"], a1, present),
        (last, world["rhf_rep"], None, present),  # no trust: not counted for any
        (other, world["other_member"], a1, present),
        (other, world["fagsjef"], a3, absent),
        (before, world["fagsjef"], a3, present),
        (cancelled, world["fagsjef"], a3, present),
        (region_b, world["fagsjef_b"], world.trust_b, present),
    ]:
        Attendance.objects.create(meeting=meeting, person=person, trust=trust, status=status)
    return world


def test_the_statement_gives_the_orm_answer(attended: World) -> None:
    world = attended
    a1, a2, a3 = world.trusts_a
    for region_id in (world.region_a.pk, world.region_b.pk):
        for network in (None, world.network, world.other_network, world.network_b):
            for year in (YEAR - 1, YEAR, YEAR + 1):
                rows = selectors.participation_by_trust(region_id=region_id, year=year, network=network)
                orm = selectors.participation_by_trust_orm(region_id=region_id, year=year, network=network)
                assert _rows(rows) == _rows(orm), (region_id, network, year)
    # What the answer is, so the comparison above compares something.
    rows = selectors.participation_by_trust(region_id=world.region_a.pk, year=YEAR)
    assert [(r.trust.short_name, r.meetings_held, r.meetings_attended, r.people_present) for r in rows] == [
        (a1.short_name, 3, 2, 2),
        (a2.short_name, 3, 1, 2),
        (a3.short_name, 3, 0, 0),
    ]
    rows = selectors.participation_by_trust(region_id=world.region_a.pk, year=YEAR, network=world.network)
    assert [(r.meetings_held, r.meetings_attended, r.people_present) for r in rows] == [(2, 1, 1), (2, 1, 2), (2, 0, 0)]


def test_one_query(attended: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.participation_by_trust(region_id=attended.region_a.pk, year=YEAR)
        names = [row.trust.name for row in rows]
    assert names == sorted(names) and len(names) == 3
    assert len(queries) == 1


def _plan(rows: list[selectors.PlanRow]) -> list[tuple[int, str, str, int, int, int, int | None]]:
    return [(r.network.pk, r.network.name, r.network.status, r.planned, r.held, r.cancelled, r.minimum) for r in rows]


def test_the_plan_statement_gives_the_orm_answer(attended: World) -> None:
    """``region_plan``'s hand-written rows against ``_plan_rows`` over the region's networks (kind network)."""
    world = attended
    _meeting(world.network, datetime.datetime(YEAR, 3, 1, 12, tzinfo=OSLO), Meeting.Status.PLANNED)
    _meeting(world.network, datetime.datetime(YEAR, 12, 31, 23, 0, tzinfo=OSLO), Meeting.Status.INVITED)
    _meeting(world.network, datetime.datetime(YEAR + 1, 1, 1, 0, 30, tzinfo=OSLO), Meeting.Status.PLANNED)
    _meeting(world.other_network, datetime.datetime(YEAR, 9, 1, 12, tzinfo=OSLO), Meeting.Status.CANCELLED)
    # Mandates: the newest version overlapping the year counts; one starting after the year does not.
    make_mandate(world.other_network, period_start=datetime.date(YEAR - 2, 1, 1), min_meetings_per_year=2)
    make_mandate(world.other_network, period_start=datetime.date(YEAR, 12, 31), min_meetings_per_year=5)
    make_mandate(world.other_network, period_start=datetime.date(YEAR + 1, 1, 1), min_meetings_per_year=9)
    make_network(
        world.region_a, name="Arbeidsgruppe", kind=Network.Kind.WORKING_GROUP, parent=world.network
    )  # not a network: left out
    make_network(world.region_a, name="Barn")  # no meetings, no mandate
    for region in (world.region_a, world.region_b):
        for year in (YEAR - 2, YEAR - 1, YEAR, YEAR + 1, YEAR + 3):
            expected = selectors._plan_rows(Network.objects.filter(region=region, kind=Network.Kind.NETWORK), year)
            rows = [row for row, _status in selectors._region_plan_rows(region_id=region.pk, year=year)]
            assert _plan(rows) == _plan(expected), (region, year)
    rows = [row for row, _status in selectors._region_plan_rows(region_id=world.region_a.pk, year=YEAR)]
    assert [(r.network.name, r.planned, r.held, r.cancelled, r.minimum) for r in rows] == [
        ("Anestesi og intensiv", 2, 2, 1, None),  # its mandate starts after the year
        ("Barn", 0, 0, 0, None),
        ("Øye", 0, 1, 1, 5),
    ]


def test_the_overviews_regions_are_the_orms(world: World) -> None:
    """``overview_regions``' hand-written statement against ``Region.objects.filter(pk__in=…)``, in its order."""
    both = [world.region_b.pk, world.region_a.pk]
    for ids in ([world.region_a.pk], both, [world.region_b.pk, 999_999], []):
        regions = selectors.overview_regions(ids)
        orm = list(Region.objects.filter(pk__in=ids))
        assert [(r.pk, r.name, r.short_name) for r in regions] == [(r.pk, r.name, r.short_name) for r in orm], ids
    assert len(selectors.overview_regions(both)) == 2


def test_the_plan_statement_reads_each_networks_status_at_the_years_end_as_its_history_says(world: World) -> None:
    """The statement's status at the year's end against ``networks.selectors.statuses_at_year_end``: a network
    closed after the year, one closed within it, one entered after the year (its creation record says active), one
    whose history starts after the year with a change (taken as it is now), one with no history."""
    closed_later, closed_within, entered_later, changed_later = (
        make_network(world.region_a, name=name) for name in ("Lukket senere", "Lukket i året", "Ført inn", "Endret")
    )
    no_history = make_network(world.region_a, name="Uten historikk")
    Network.history.model.objects.all().delete()  # only the records each case below says
    edge = datetime.datetime(YEAR + 1, 1, 1, tzinfo=OSLO)  # the year's end, in Oslo
    make_network_history(closed_later, datetime.datetime(YEAR - 2, 3, 1, tzinfo=OSLO), "active", "+")
    make_network_history(closed_later, edge, "closed")  # at midnight: after the year
    make_network_history(closed_within, datetime.datetime(YEAR - 2, 3, 1, tzinfo=OSLO), "active", "+")
    make_network_history(closed_within, edge - datetime.timedelta(seconds=1), "closed")
    make_network_history(entered_later, datetime.datetime(YEAR + 1, 2, 1, tzinfo=OSLO), "active", "+")
    make_network_history(entered_later, datetime.datetime(YEAR + 1, 3, 1, tzinfo=OSLO), "closed")
    make_network_history(changed_later, datetime.datetime(YEAR + 1, 2, 1, tzinfo=OSLO), "active")
    for network in (closed_later, closed_within, entered_later, changed_later):
        Network.objects.filter(pk=network.pk).update(status="closed")
    Network.objects.filter(pk=no_history.pk).update(status="closed")
    for year in (YEAR - 1, YEAR, YEAR + 1):
        rows = selectors._region_plan_rows(region_id=world.region_a.pk, year=year)
        orm = statuses_at_year_end(networks=[row.network for row, _status in rows], year=year)
        assert {row.network.pk: status for row, status in rows} == orm, year
    statuses = {
        row.network.name: status for row, status in selectors._region_plan_rows(region_id=world.region_a.pk, year=YEAR)
    }
    assert [statuses[n] for n in ("Lukket senere", "Lukket i året", "Ført inn", "Endret", "Uten historikk")] == [
        "active",
        "closed",
        "active",
        "closed",
        "closed",
    ]
