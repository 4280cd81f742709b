"""The start page's one statement (``web/start.py``): each of its branches finds what the ORM query it replaced found,
for every role, and the page asks it once."""

import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity.models import Recommendation
from fagnett.capacity.tests.factories import make_round
from fagnett.cases.models import OPEN_STATUSES, Case
from fagnett.cases.selectors import case_home_summary, unrouted_case_count
from fagnett.cases.tests.factories import make_case
from fagnett.meetings import services as meetings
from fagnett.meetings.models import ActionItem, Meeting, Minutes
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import Region
from fagnett.reports.models import NetworkReport, RegionalReport
from fagnett.web import start
from fagnett.web.start import start_reads, start_rows
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db

ROLES = ["leader", "secretary", "member", "other_member", "coordinator", "coordinator_b", "director", "employee"]


def _fresh(person: User) -> User:
    """The person as a new request sees them (no access cached on the object)."""
    return User.objects.get(pk=person.pk)


def _circulated(secretary: User, network: Network, days: int) -> Minutes:
    """Minutes of a meeting ``days`` ago, circulated for comments due a week after the meeting."""
    meeting = make_meeting(network, days=days, status=Meeting.Status.HELD)
    add_items(meeting, "Kapasitet")
    minutes = meetings.minutes_start(user=secretary, meeting=meeting)
    return meetings.minutes_circulate(
        user=secretary, minutes=minutes, comments_due=timezone.localdate() + datetime.timedelta(days=7 + days)
    )


def _busy(world: World) -> None:
    """Some of everything the statement reads, for several people and networks, and things it must leave out."""
    today, last_year = timezone.localdate(), timezone.localdate().year - 1
    leader = world["leader"]
    # The leader is the secretary of a second network and leads a third, founded this year (no report due), a forum
    # (no annual report), a closed network (no report due) and one founded on the last day of last year.
    appoint(world.other_network, leader, AppointmentRole.SECRETARY)
    new = make_network(world.region_a, name="Akuttmedisin", established_on=datetime.date(today.year, 1, 1))
    group = make_network(world.region_a, name="Sekretærforum", kind=Network.Kind.FORUM)
    closed = make_network(world.region_a, name="Nedlagt", status=Network.Status.CLOSED)
    founded = make_network(world.region_a, name="Barn", established_on=datetime.date(last_year, 12, 31))
    for network in (new, group, closed, founded):
        appoint(network, leader, AppointmentRole.LEADER)
    NetworkReport.objects.create(network=world.other_network, year=last_year, status=NetworkReport.Status.SUBMITTED)
    NetworkReport.objects.create(network=founded, year=last_year, status=NetworkReport.Status.DRAFT)
    # Cases in every state, in and out of the leader's networks, routed and not, overdue and not.
    for status in Case.Status:
        make_case(world, status=status, due_date=today - datetime.timedelta(days=2))
        make_case(world, status=status, network=world.other_network, due_date=today + datetime.timedelta(days=2))
        make_case(world, status=status, network=new)
        make_case(world, status=status, network=world.network_b, due_date=today - datetime.timedelta(days=1))
        make_case(world, status=status, network=None, submitted_by=leader, due_date=today - datetime.timedelta(days=5))
        make_case(world, status=status, network=None, region=world.region_b)
    # Recommendations decided in two of the leader's networks, one in the network they are only secretary of, one
    # sent already.
    for n, (network, status) in enumerate(
        [
            (world.network, Recommendation.Status.DECIDED),
            (new, Recommendation.Status.DECIDED),
            (world.other_network, Recommendation.Status.DECIDED),
            (world.network, Recommendation.Status.SENT),
            (world.network, Recommendation.Status.DRAFT),
        ]
    ):
        Recommendation.objects.create(
            round=make_round(world.region_a, name=f"Runde {n}", network=network),
            summary="Fire K3-senger mer.",
            consensus=True,
            status=status,
            decided_at=timezone.now() - datetime.timedelta(days=n) if status != "draft" else None,
        )
    # Minutes: open for comments, answered, written by the person, in another network, past their due date.
    commented, answered, open_ = (_circulated(world["secretary"], world.network, days) for days in (-3, -2, -1))
    _circulated(leader, world.other_network, -4)  # the leader wrote these
    late = _circulated(world["secretary"], world.network, -5)
    Minutes.objects.filter(pk=late.pk).update(comments_due=today - datetime.timedelta(days=1))
    meetings.minutes_comment(user=world["member"], minutes=commented, text="En merknad.")
    meetings.minutes_no_remarks(user=world["member"], minutes=answered)
    Minutes.objects.filter(pk=open_.pk).update(created_by=None)
    # Nominations in both regions, a regional report approved in region B only.
    for network in (world.network, world.network_b, world.other_network):
        Appointment.objects.create(
            network=network,
            person=make_user(trust=world.trusts_a[2]),
            role=AppointmentRole.MEMBER,
            trust=world.trusts_a[2],
        )
    RegionalReport.objects.create(
        region=world.region_b,
        year=last_year,
        status=RegionalReport.Status.APPROVED,
        created_by=world["coordinator_b"],
        approved_on=today,
    )
    # Action items: overdue, due today, within a week, later, done.
    for role in ROLES:
        for days in (-3, -1, 0, 7, 8):
            meetings.action_item_create(
                user=world["leader"],
                network=world.network,
                title=f"Punkt {days}",
                owner=world[role],
                due_date=today + datetime.timedelta(days=days),
            )
    ActionItem.objects.filter(title="Punkt -3", owner=world["member"]).update(status=ActionItem.Status.DONE)


def _parts(person: User, today: datetime.date) -> dict[int, list[tuple[Any, ...]]]:
    parts: dict[int, list[tuple[Any, ...]]] = {}
    for row in start_rows(user=person, today=today):
        parts.setdefault(row[0], []).append(row)
    return parts


def _orm(person: User, today: datetime.date) -> dict[int, list[tuple[Any, ...]]]:
    """What the ORM queries the statement replaced found (For you's before issue 23), in the statement's columns."""
    access = access_for(person)
    led = [n for n, roles in access.network_roles.items() if roles & LEADERSHIP_ROLES]
    leading = [n for n, roles in access.network_roles.items() if AppointmentRole.LEADER in roles]
    regions = access.coordinator_regions
    year = today.year - 1
    minutes = (
        Minutes.objects.filter(
            status=Minutes.Status.CIRCULATED, comments_due__gte=today, meeting__network__in=list(access.network_roles)
        )
        .exclude(created_by=person)
        .exclude(comments__author=person)
        .exclude(no_remarks__person=person)
        .select_related("meeting__network")
        .order_by("comments_due", "pk")
    )
    cases = (
        Case.objects.filter(network__in=led, status__in=OPEN_STATUSES)
        .values("network_id", "network__name")
        .annotate(count=Count("pk"))
        .order_by("network__name")
    )
    done = NetworkReport.objects.filter(
        year=year, status__in=[NetworkReport.Status.SUBMITTED, NetworkReport.Status.ACCEPTED]
    ).values("network_id")
    reports = (
        Network.objects.filter(pk__in=led, kind=Network.Kind.NETWORK, status=Network.Status.ACTIVE)
        .filter(Q(established_on__isnull=True) | Q(established_on__year__lte=year))
        .exclude(pk__in=done)
        .order_by("name")
    )
    decided = (
        Recommendation.objects.filter(status=Recommendation.Status.DECIDED, round__network__in=leading)
        .select_related("round")
        .order_by("decided_at", "pk")
    )
    approved = RegionalReport.objects.filter(year=year, status=RegionalReport.Status.APPROVED).values("region_id")
    regional = Region.objects.filter(pk__in=regions).exclude(pk__in=approved).order_by("name")
    nominations = Appointment.objects.filter(status=Appointment.Status.NOMINATED, network__region__in=regions)
    items = ActionItem.objects.filter(
        owner=person, status=ActionItem.Status.OPEN, due_date__lte=today + start.DUE_WITHIN
    )
    found = {
        start.MINUTES: [
            (m.meeting_id, m.version, m.comments_due, m.meeting.starts_at, m.meeting.network.name) for m in minutes
        ],
        start.CASES_TO_ANSWER: [(c["network_id"], c["count"], c["network__name"]) for c in cases],
        start.NETWORK_REPORTS: [(n.pk, n.name) for n in reports],
        start.RECOMMENDATIONS: [(r.round_id, r.round.name) for r in decided],
        start.REGIONAL_REPORTS: [(r.pk, r.name) for r in regional],
        start.NOMINATIONS: [nominations.count()] if regions else [],
        start.ACTION_ITEMS: [items.filter(due_date__lt=today).count(), items.filter(due_date__gte=today).count()],
    }
    return found


def _statement(person: User, today: datetime.date) -> dict[int, list[tuple[Any, ...]]]:
    """The statement's rows in the ORM's shapes (the dates and timestamps as ``start_reads`` converts them)."""
    parts = _parts(person, today)
    rows = {part: parts.get(part, []) for part in range(start.EMPLOYER + 1)}
    return {
        start.MINUTES: [
            (r[2], r[3], start.raw_date(r[5]), start.raw_datetime(r[6]), r[4]) for r in rows[start.MINUTES]
        ],
        start.CASES_TO_ANSWER: [(r[2], r[3], r[4]) for r in rows[start.CASES_TO_ANSWER]],
        start.NETWORK_REPORTS: [(r[2], r[4]) for r in rows[start.NETWORK_REPORTS]],
        start.RECOMMENDATIONS: [(r[2], r[4]) for r in rows[start.RECOMMENDATIONS]],
        start.REGIONAL_REPORTS: [(r[2], r[4]) for r in rows[start.REGIONAL_REPORTS]],
        start.NOMINATIONS: [r[3] for r in rows[start.NOMINATIONS]],
        start.ACTION_ITEMS: [r[3] for r in rows[start.ACTION_ITEMS]],
    }


def test_each_branch_finds_what_the_orm_query_it_replaced_found(world: World) -> None:
    _busy(world)
    today = timezone.localdate()
    for role in ROLES:
        person = _fresh(world[role])
        assert _statement(person, today) == _orm(person, today), role


def test_the_busy_world_gives_every_branch_something_to_find(world: World) -> None:
    """The comparison above is worth something only if the branches find rows (and leave some out)."""
    _busy(world)
    today = timezone.localdate()
    leader, coordinator = _orm(_fresh(world["leader"]), today), _orm(_fresh(world["coordinator"]), today)
    assert len(leader[start.MINUTES]) == 3  # not those they wrote, nor those past their due date
    assert [name for _id, _count, name in leader[start.CASES_TO_ANSWER]] == [
        "Akuttmedisin",
        "Anestesi og intensiv",
        "Øye",
    ]
    assert [name for _id, name in leader[start.NETWORK_REPORTS]] == ["Anestesi og intensiv", "Barn"]
    assert [name for _id, name in leader[start.RECOMMENDATIONS]] == ["Runde 1", "Runde 0"]
    assert [name for _id, name in coordinator[start.REGIONAL_REPORTS]] == ["Region A RHF"]
    assert coordinator[start.NOMINATIONS] == [2]
    assert leader[start.ACTION_ITEMS] == [2, 2]
    assert len(_orm(_fresh(world["member"]), today)[start.MINUTES]) == 1  # not those they answered


def test_the_case_counts_are_case_home_summarys(world: World) -> None:
    """The case card's counts: ``case_home_summary`` (the ORM's one aggregate) is what the branches replaced."""
    _busy(world)
    for role in ROLES:
        person = _fresh(world[role])
        assert start_reads(user=person).case_summary == case_home_summary(user=person), role
    leader, coordinator = (start_reads(user=_fresh(world[role])).case_summary for role in ("leader", "coordinator"))
    assert (leader.my_open, leader.to_respond, leader.overdue) == (4, 3, 4)
    assert (coordinator.to_route, coordinator.to_decide, coordinator.overdue) == (1, 4, 8)


def test_the_cases_to_route_are_unrouted_case_counts_for_a_coordinator_only(world: World) -> None:
    """The region panel's cases to route, asked in the statement: ``unrouted_case_count`` (which a test holds to the
    list it links to) for a coordinator and a superuser, not asked for anyone else."""
    _busy(world)
    make_case(world, network=None)
    superuser = make_user("root", is_superuser=True)
    counts = {}
    for person in [*(world[role] for role in ROLES), superuser]:
        counts[person.username] = start_reads(user=_fresh(person)).unrouted
        expected = unrouted_case_count(user=person) if access_for(person).is_coordinator_anywhere else None
        assert counts[person.username] == expected, person
    # received and not routed in region A: the leader's own case of the busy world and the one made here
    assert counts["coordinator"] == 2
    assert counts["root"] == 2 + 1  # and the busy world's one in region B
    assert counts["leader"] is None


def test_the_employer_is_the_persons_trust_or_regional_health_authority(world: World) -> None:
    for role in ("leader", "coordinator", "employee"):
        person = _fresh(world[role])
        assert start_reads(user=person).employer == person.employer_name != ""
    nobody = make_user()
    assert start_reads(user=_fresh(nobody)).employer == ""


def test_it_is_one_query_for_every_role_however_much_there_is(world: World) -> None:
    for busy in (False, True):
        if busy:
            _busy(world)
        for role in ROLES:
            person = _fresh(world[role])
            access_for(person)  # kept between requests (fagnett.access)
            with CaptureQueriesContext(connection) as queries:
                start_reads(user=person)
            assert len(queries) == 1, (role, busy)


def test_the_case_counts_can_be_read_from_their_indexes(world: World) -> None:
    """Migration cases.0008's indexes: the person's open cases through (submitted_by, status), the region's overdue
    ones through (region, status, due_date), and no count reads the rows of all cases. With scans that read every
    row made too dear to choose, the coordinator's statement must find its counts through indexes. (Which index
    serves the escalated count on a table this small is the planner's toss-up, so it is not named here.)"""
    if connection.vendor != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    _busy(world)
    person = _fresh(world["coordinator"])
    access_for(person)
    with CaptureQueriesContext(connection) as queries:
        start_rows(user=person, today=timezone.localdate())
    (statement,) = queries.captured_queries
    with transaction.atomic(), connection.cursor() as db:
        db.execute("SET LOCAL enable_seqscan = off")
        db.execute(f"EXPLAIN {statement['sql']}")
        plan = "\n".join(row[0] for row in db.fetchall())
    assert "case_submitter_status" in plan, plan
    assert "case_region_status_due" in plan, plan
    assert "Seq Scan on cases_case" not in plan, plan
