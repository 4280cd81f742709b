"""Every list page, dashboard and report page runs the same number of queries on a small and a larger world.

Both worlds come from the national-scale generator (``bench/generate.py``): the small one at scale 0.01, the
large one at 0.04 — four times the meetings, cases, action items, procedures and capacity rounds, and twice the
networks in every region. Each page is opened by the same generated login in both worlds, once to warm the
session and once counted. A count that grows with the data is an N+1 query to fix in the page's selector.

The apps' own tests pin the pages they cover (network list and nominations, the case lists and common cases,
progress, events, budget, funding, procedures, the capacity round pages); this file covers the ten busiest pages
of issue 9 and the rest.
"""

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.generate import generate, targets
from fagnett.accounts.models import User
from fagnett.capacity import selectors
from fagnett.capacity.models import ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases.models import Case
from fagnett.events import selectors as event_selectors
from fagnett.events.models import Event, Registration
from fagnett.meetings.models import Minutes
from fagnett.organisations.models import Unit
from tests.factories import World

SMALL, LARGE = 0.01, 0.04

# The test database is set up only for tests that ask for it; the worlds themselves are rolled back.
pytestmark = pytest.mark.django_db

#: (key, the generated login of region 1 that opens the page, the page's address)
PAGES = [
    # The ten busiest pages of issue 9.
    ("start", "leder", "/"),
    ("start_coordinator", "koordinator", "/"),
    ("network_list", "koordinator", "/networks/"),
    ("network_detail", "leder", "/networks/{network}/"),
    ("meeting_detail", "leder", "/meetings/{meeting}/"),
    ("case_list_filtered", "koordinator", "/cases/?status=closed&year={last_year}"),
    ("my_action_items", "medlem", "/action-items/"),
    ("regional_overview", "koordinator", "/meetings/overview/"),
    ("capacity_dashboard", "koordinator", "/capacity/rounds/{round}/dashboard/"),
    ("dimensioning", "koordinator", "/capacity/rounds/{round}/dimensioning/"),
    ("dimensioning_all_groups", "koordinator", "/capacity/rounds/{round}/dimensioning/?group=all&level=unit"),
    ("capacity_compliance_neonatal", "koordinator", "/capacity/rounds/{round}/compliance/?group=neonatal"),
    ("annual_report_preview", "koordinator", "/regions/{region}/annual-report/{last_year}/"),
    ("annual_report_appendix", "koordinator", "/regions/{region}/annual-report/{last_year}/appendices/1/"),
    # The rest.
    ("case_search", "koordinator", "/cases/?q=prosedyre"),
    ("case_detail", "leder", "/cases/{case}/"),
    ("minutes", "leder", "/meetings/{meeting}/minutes/{minutes_version}/"),
    ("attendance", "sekretar", "/meetings/{meeting}/attendance/"),
    ("network_meetings_year", "leder", "/networks/{network}/meetings/?year={last_year}"),
    ("mandate_history", "koordinator", "/networks/{network}/mandates/"),
    ("calendar_feeds", "leder", "/calendar/"),
    ("annual_reports", "koordinator", "/annual-reports/"),
    ("network_report_frozen", "leder", "/networks/{network}/annual-report/{two_years_ago}/"),
    ("network_report_live", "leder", "/networks/{network}/annual-report/{this_year}/"),
    ("regional_report_approved", "fagdirektor", "/regions/{region}/annual-report/{two_years_ago}/"),
    ("topics", "koordinator", "/regions/{region}/topics/"),
    ("capacity_assessment", "koordinator", "/capacity/rounds/{assessed_round}/assessment/"),
    ("capacity_unit", "rapportor", "/capacity/rounds/{round}/units/{unit}/"),
    ("capacity_rounds", "rapportor", "/capacity/"),
    # Situation reports (issue 21, item 7): the region's "now" view, the reporter's units and one unit's form.
    ("capacity_now", "koordinator", "/capacity/regions/{region}/now/"),
    ("capacity_now_all_groups", "koordinator", "/capacity/regions/{region}/now/?group=all"),
    ("situation_list", "rapportor", "/capacity/situation/"),
    ("situation_form", "rapportor", "/capacity/situation/units/{unit}/"),
    # The region's people (issue 18): the list, filtered, one busy person, and the deactivated people's open work.
    ("people", "koordinator", "/regions/{region}/people/"),
    ("people_filtered", "koordinator", "/regions/{region}/people/?role=appointed&login=ever&q=e"),
    ("person", "koordinator", "/regions/{region}/people/{leader}/"),
    ("people_open_work", "koordinator", "/regions/{region}/people/open-work/"),
]


def _places() -> dict[str, Any]:
    """Where the pages are in the world just generated."""
    found = targets()
    leader = User.objects.get(username="bench-leder-1")
    case = (
        Case.objects.filter(network_id=found["network"])
        .annotate(steps=Count("events"))
        .order_by("-steps", "pk")
        .first()
    )
    minutes = Minutes.objects.filter(meeting_id=found["meeting"]).order_by("-version").first()
    reporter = User.objects.get(username="bench-rapportor-1")
    unit = Unit.objects.filter(hospital__trust=reporter.trust).order_by("pk").first()
    assert case is not None and minutes is not None and unit is not None and leader is not None
    assert ReportRound.objects.filter(pk=found["round"]).exists()
    return {
        **found,
        "leader": leader.pk,
        "case": case.pk,
        "minutes_version": minutes.version,
        "unit": unit.pk,
        "two_years_ago": found["last_year"] - 1,
    }


def _deactivate_some() -> None:
    """Every tenth appointed person who is not one of the logins leaves, with their open work (more in the large
    world), so the deactivated people's open work has rows to list."""
    leaving = (
        User.objects.filter(appointments__isnull=False)
        .exclude(username__startswith="bench-")
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    User.objects.filter(pk__in=list(leaving)[::10]).update(is_active=False)


def _measure(scale: float) -> dict[str, Any]:
    """Generate a world at ``scale``, count each page's queries, and roll the world back."""
    cache.clear()
    with transaction.atomic():
        result = generate(seed=9, scale=scale)
        _deactivate_some()
        places = _places()
        client = Client()
        pages: dict[str, tuple[int, int]] = {}
        for key, login, path in PAGES:
            client.force_login(User.objects.get(username=f"bench-{login}-1"))
            url = path.format(**places)
            client.get(url)  # the session's first save
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            pages[key] = (response.status_code, len(queries))
        invitations = _invitations_both_ways() if scale == LARGE else []
        transaction.set_rollback(True)
    cache.clear()
    return {"rows": result.counts, "pages": pages, "invitations": invitations}


def _invitations_both_ways() -> list[tuple[list[Any], list[Any]]]:
    """Each person's upcoming events for the start page, and the same found with the events app's ``_invited``."""
    found = []
    for user in User.objects.order_by("pk"):
        active = Exists(
            Registration.objects.filter(event=OuterRef("pk"), person=user, status__in=event_selectors.ACTIVE)
        )
        invited = event_selectors._invited(user)
        reference = (
            Event.objects.filter(status=Event.Status.INVITED, ends_at__gt=timezone.now())
            .filter(invited | active)
            .annotate(my_status=event_selectors._my_status(user), is_invited=invited)
            .order_by("starts_at", "pk")
        )
        shown = event_selectors.upcoming_events(user=user, limit=100)
        found.append(
            ([(e.pk, e.my_status, e.is_invited) for e in shown], [(e.pk, e.my_status, e.is_invited) for e in reference])
        )
    return found


@pytest.fixture(scope="module")
def worlds(django_db_setup: None, django_db_blocker: Any) -> dict[str, dict[str, Any]]:
    with django_db_blocker.unblock():
        return {"small": _measure(SMALL), "large": _measure(LARGE)}


@pytest.mark.parametrize(
    "model",
    ["meetings.Meeting", "cases.Case", "meetings.ActionItem", "capacity.CapacityEntry", "capacity.SituationReport"],
)
def test_the_large_world_is_several_times_the_small_one(worlds: dict[str, dict[str, Any]], model: str) -> None:
    ratio = worlds["large"]["rows"][model] / worlds["small"]["rows"][model]
    assert 3 <= ratio <= 5


@pytest.mark.parametrize("key", [key for key, _, _ in PAGES])
def test_a_page_runs_as_many_queries_on_the_large_world_as_on_the_small(
    worlds: dict[str, dict[str, Any]], key: str
) -> None:
    small_status, small = worlds["small"]["pages"][key]
    large_status, large = worlds["large"]["pages"][key]
    assert (small_status, large_status) == (200, 200)
    assert large == small, f"{key}: {small} queries on the small world, {large} on the large one"


# --- What the national data showed ----------------------------------------------------------------------------------


def test_the_start_pages_invitations_come_from_the_appointments_as_before(worlds: dict[str, dict[str, Any]]) -> None:
    """The start page finds invitations from the person's appointments (one semi-join per audience) instead of the
    events app's correlated subquery, which took PostgreSQL about 9 ms to plan; both must find the same events."""
    pairs = worlds["large"]["invitations"]
    assert sum(1 for shown, _ in pairs if any(invited for _, _, invited in shown)) >= 8
    assert [shown for shown, _ in pairs] == [reference for _, reference in pairs]


def test_the_capacity_trend_shows_the_last_year_of_rounds_up_to_the_one_shown(world: World) -> None:
    """Ten years of weekly rounds made the dashboard sum 90 000 entries and list 520 rows; it shows 52 now."""
    unit = units_of(world)[0]
    monday = datetime.date(2025, 1, 6)
    rounds = [
        make_round(world.region_a, name=f"Uke {k}", period_start=monday + datetime.timedelta(weeks=k),
                   period_end=monday + datetime.timedelta(weeks=k, days=6))
        for k in range(60)
    ]  # fmt: skip
    for k, round_ in enumerate(rounds):
        make_entry(round_, unit, "K3", "normal", physical_beds=20, staffed_beds=k % 20)
    newest = selectors.dashboard(round_=rounds[-1]).trend
    assert [point.round for point in newest] == rounds[-52:]
    assert [point.staffed["K3"] for point in newest[-3:]] == [17, 18, 19]
    older = selectors.dashboard(round_=rounds[9]).trend
    assert [point.round for point in older] == rounds[:10]
