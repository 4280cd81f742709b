"""The coordinator's view of the region on the start page (web/region_state.py): each number links to the list that
shows exactly those items."""

import datetime
from urllib.parse import urljoin

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases.models import Case, CommonCase
from fagnett.cases.selectors import CaseFilters, case_list, unrouted_case_count
from fagnett.cases.tests.factories import make_case
from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks import selectors
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network
from fagnett.reports.models import NetworkReport
from fagnett.web.region_state import region_state
from tests.factories import (
    ROLES,
    World,
    appoint,
    make_mandate,
    make_network,
    make_network_history,
    make_trust,
    make_user,
)

pytestmark = pytest.mark.django_db


def panel_links(html: str) -> dict[str, tuple[int, str]]:
    """The region panel's numbers: its list item's text (without the number) → (the number, where it links)."""
    tree = lxml.html.fromstring(html)
    links = {}
    for item in tree.xpath('//*[@data-testid="region-state"]/li'):
        (link,) = item.xpath(".//a")
        sentence = " ".join(item.text_content().split()).removeprefix(link.text_content().strip()).strip()
        links[sentence] = (int(link.text_content()), link.get("href"))
    return links


def rows_of_list(client: Client, url: str) -> int:
    """The rows of a filtered list, over all its pages."""
    rows = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        tree = lxml.html.fromstring(response.content.decode())
        (results,) = tree.xpath('//*[@id="network-results" or @id="case-results"]')
        rows += len(results.xpath(".//tbody/tr"))
        following = results.xpath('.//nav[contains(@class, "pagination")]//a[normalize-space()="Neste"]')
        url = urljoin(url, following[0].get("href")) if following else ""
    return rows


@pytest.mark.parametrize(("username", "numbers"), [("koordinator", 6), ("fagdirektor", 5)])
def test_demo_each_start_page_number_is_the_rows_of_the_list_it_links_to(
    demo: None, client: Client, username: str, numbers: int
) -> None:
    client.force_login(User.objects.get(username=username))
    links = panel_links(client.get(reverse("home")).content.decode())
    assert len(links) == numbers  # the medical director does not route cases, so that number is not theirs
    for sentence, (number, url) in links.items():
        assert rows_of_list(client, url) == number, sentence
    # The demo has something to show in most of them: the comparison is not of empty lists only.
    assert sum(1 for number, _ in links.values() if number) >= 2, links


def test_demo_panel_says_what_it_counts(demo: None, client: Client) -> None:
    client.force_login(User.objects.get(username="koordinator"))
    html = client.get(reverse("home")).content.decode()
    assert "Regionen nå" in html
    assert "i forhold til hvor mye av året som er gått" in html
    assert str(timezone.localdate().year - 1) in html  # the reporting year is named


@pytest.mark.parametrize("role", ["member", "leader", "fagsjef", "employee"])
def test_others_do_not_see_the_panel(world: World, login_as, role: str) -> None:
    html = login_as(role).get(reverse("home")).content.decode()
    assert 'data-testid="region-state"' not in html
    assert region_state(user=world[role]) is None


def test_director_sees_the_numbers_of_the_lists_they_may_open(world: World) -> None:
    state = region_state(user=world["director"])
    assert state is not None
    assert "unrouted" not in state.concerns  # the list of cases to route is the coordinator's (403 for them)
    assert set(state.concerns) == set(selectors.CONCERNS)
    coordinator = region_state(user=world["coordinator"])
    assert coordinator is not None and "unrouted" in coordinator.concerns


def test_query_count_of_the_region_state_is_pinned_and_flat(world: World, django_assert_num_queries) -> None:
    user = world["coordinator"]
    region_state(user=user)  # the person's access, computed once per request

    def grow() -> None:
        trust = make_trust(world.region_a)
        for _ in range(15):
            network = make_network(world.region_a)
            make_mandate(network, period_start=datetime.date(timezone.localdate().year, 1, 1))
            appoint(network, make_user(trust=trust), AppointmentRole.LEADER)
            make_meeting(network, days=-1, status=Meeting.Status.HELD)

    # A report begun but not submitted: the networks' statuses at the reporting year's end are read (in the same
    # statement as their concerns).
    NetworkReport.objects.create(
        network=world.other_network, year=timezone.localdate().year - 1, status=NetworkReport.Status.DRAFT
    )
    # the networks' concerns with their statuses at the reporting year's end, and the cases to route
    with django_assert_num_queries(2):
        region_state(user=user)
    grow()
    with django_assert_num_queries(2):
        region_state(user=user)


# --- What each concern counts -------------------------------------------------------------------------------------


def concern(world: World, key: str, today: datetime.date) -> set[str]:
    filters = selectors.NetworkFilters(concern=key)
    return {
        n.name
        for n in selectors.network_list(
            user=world["coordinator"], filters=filters, when=selectors.RegionYear(today=today)
        )
    }


def test_below_the_minimum_so_far_is_pro_rata_and_uses_the_minimum_of_the_year(world: World) -> None:
    today = datetime.date(2026, 7, 1)  # day 182 of 365
    behind = make_network(world.region_a, name="Bak")
    on_track = make_network(world.region_a, name="I rute")
    for network in (behind, on_track):
        make_mandate(network, period_start=datetime.date(2026, 1, 1), min_meetings_per_year=6)
    # A mandate that starts next year does not set this year's minimum.
    make_mandate(on_track, period_start=datetime.date(2027, 1, 1), min_meetings_per_year=12)
    held = datetime.datetime(2026, 3, 1, 12, tzinfo=timezone.get_default_timezone())
    for start in (held, held + datetime.timedelta(days=30), held + datetime.timedelta(days=60)):
        Meeting.objects.create(
            network=on_track, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status=Meeting.Status.HELD
        )
    # A meeting planned, or held last year, does not count.
    last_year = held.replace(year=2025)
    Meeting.objects.create(
        network=behind, starts_at=last_year, ends_at=last_year + datetime.timedelta(hours=2), status="held"
    )
    Meeting.objects.create(network=behind, starts_at=held, ends_at=held + datetime.timedelta(hours=2))
    found = concern(world, selectors.CONCERN_BELOW_MINIMUM, today)
    # 6 × 182 // 365 = 2 expected: "Bak" has none held in 2026, "I rute" three; the world's "Anestesi og intensiv"
    # has a mandate from 2025 (4 a year: 1 expected) and no meetings.
    assert found == {"Bak", "Anestesi og intensiv"}
    # On the first of January nobody is behind yet.
    assert concern(world, selectors.CONCERN_BELOW_MINIMUM, datetime.date(2026, 1, 1)) == set()


def test_annual_report_missing_counts_networks_expected_to_report(world: World) -> None:
    today = datetime.date(2026, 3, 1)
    NetworkReport.objects.create(network=world.network, year=2025, status=NetworkReport.Status.SUBMITTED)
    NetworkReport.objects.create(network=world.other_network, year=2025, status=NetworkReport.Status.DRAFT)
    make_network(world.region_a, name="Ny i år", established_on=datetime.date(2026, 2, 1))
    make_network(world.region_a, name="Planlagt", status=Network.Status.PLANNED)
    make_network(world.region_a, name="Fagråd", kind=Network.Kind.COUNCIL, parent=world.network)
    make_network(world.region_a, name="Uten rapport", established_on=datetime.date(2024, 5, 1))
    # A draft is not submitted, and a network with no report at all has not submitted one either.
    assert concern(world, selectors.CONCERN_REPORT_MISSING, today) == {"Øye", "Uten rapport"}


def test_mandate_expiring_no_secretary_and_trust_gap(world: World) -> None:
    today = datetime.date(2026, 3, 1)
    # The world's network: mandate 2025–2027; leader and secretary from A1, a member from A2, nobody from A3.
    # "Øye": no mandate, one member from A1.
    soon = make_network(world.region_a, name="Snart slutt")
    make_mandate(soon, period_start=datetime.date(2023, 6, 1), period_end=datetime.date(2026, 5, 1))
    make_mandate(world.network, period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2026, 3, 31))
    assert concern(world, selectors.CONCERN_MANDATE_EXPIRING, today) == {"Snart slutt", "Anestesi og intensiv"}
    make_mandate(world.network, period_start=datetime.date(2026, 4, 1))  # renewed: the newest version counts
    assert concern(world, selectors.CONCERN_MANDATE_EXPIRING, today) == {"Snart slutt"}

    assert concern(world, selectors.CONCERN_NO_SECRETARY, today) == {"Øye", "Snart slutt"}
    assert concern(world, selectors.CONCERN_TRUST_GAP, today) == {"Anestesi og intensiv", "Øye", "Snart slutt"}
    full = make_network(world.region_a, name="Alle med")
    for trust in world.trusts_a:
        appoint(full, make_user(trust=trust))
    nominated_only = make_network(world.region_a, name="Bare nominert")
    for trust in world.trusts_a:
        appoint(nominated_only, make_user(trust=trust), status=Appointment.Status.NOMINATED)
    assert "Alle med" not in concern(world, selectors.CONCERN_TRUST_GAP, today)
    assert "Bare nominert" in concern(world, selectors.CONCERN_TRUST_GAP, today)


def test_unrouted_count_is_the_cases_received_without_a_network(world: World, login_as) -> None:
    from fagnett.cases.tests.factories import make_case

    make_case(world, network=None)
    routed = make_case(world)
    assert routed.network_id is not None
    state = region_state(user=world["coordinator"])
    assert state is not None
    assert state.concerns["unrouted"].count == Case.objects.filter(network=None, status="received").count() == 1
    client = login_as("coordinator")
    assert rows_of_list(client, state.concerns["unrouted"].url) == 1


# --- The network list's columns (here: they read meetings and reports, above networks in the layers) ----------


def test_leader_meetings_against_the_minimum_and_report_status(world: World, login_as) -> None:
    today = timezone.localdate()
    make_mandate(world.network, period_start=datetime.date(today.year, 1, 1), min_meetings_per_year=5)
    make_meeting(world.network, days=-(today.timetuple().tm_yday - 1), status=Meeting.Status.HELD)
    NetworkReport.objects.create(network=world.network, year=today.year - 1, status=NetworkReport.Status.SUBMITTED)
    html = login_as("coordinator").get(reverse("networks:list")).content.decode()
    rows = {
        row[0]: row
        for row in (
            [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
            for tr in lxml.html.fromstring(html).xpath("//tbody/tr")
        )
    }
    # network, field, region, status, leader, members, meetings held / minimum, annual report
    expected = selectors.RegionYear(today=today).expected_so_far(5) or 0
    behind = f" Bak: {expected} møte{'r' if expected != 1 else ''} innen nå" if expected > 1 else ""
    assert rows["Anestesi og intensiv"][4:] == ["Leader Testesen", "4", f"1 / 5{behind}", "Meldt inn"]
    assert rows["Øye"][4:] == ["–", "1", "0 / –", "Ikke påbegynt"]


# --- The counts, held to the lists' selectors -------------------------------------------------------------------


def test_concern_counts_are_the_network_lists_counts(world: World) -> None:
    """``network_concern_counts`` against ``network_list`` with each concern, for people of either region, a
    superuser and people without the role, on several days: networks without a mandate, with an ended one, with
    several versions, behind and on track (also on the boundary of the rounding), with reports of every status and
    none, inactive, councils, and networks of the other region."""
    a = world.region_a
    tz = timezone.get_default_timezone()
    # Mandates: renewed (the newest counts), ended, several versions, none ("Øye"), in the other region.
    make_mandate(world.network, period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2026, 3, 31))
    make_mandate(world.network, period_start=datetime.date(2026, 4, 1), min_meetings_per_year=6)
    ended = make_network(a, name="Utløpt")
    make_mandate(ended, period_start=datetime.date(2020, 1, 1))
    shortened = make_network(a, name="Forkortet")
    make_mandate(shortened, period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2030, 1, 1))
    make_mandate(shortened, period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2026, 8, 1))
    make_mandate(world.network_b, period_start=datetime.date(2023, 6, 1), period_end=datetime.date(2026, 5, 1))
    # Meetings: on the rounding's boundary (6 a year, day 182: 2 expected; 2 held is not behind), behind, ahead.
    for network, held in ((shortened, 2), (ended, 1), (world.network, 4)):
        for i in range(held):
            start = datetime.datetime(2026, 2, 1 + i, 12, tzinfo=tz)
            Meeting.objects.create(
                network=network, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status="held"
            )
    Mandate.objects.filter(network=shortened).update(min_meetings_per_year=6)
    behind = make_network(a, name="Bak")
    make_mandate(behind, period_start=datetime.date(2026, 1, 1), min_meetings_per_year=6)
    # Reports of the reporting year: submitted, accepted, a draft, none; a network established after the year.
    NetworkReport.objects.create(network=world.network, year=2025, status=NetworkReport.Status.SUBMITTED)
    NetworkReport.objects.create(network=ended, year=2025, status=NetworkReport.Status.ACCEPTED)
    NetworkReport.objects.create(network=world.other_network, year=2025, status=NetworkReport.Status.DRAFT)
    NetworkReport.objects.create(network=shortened, year=2025, status=NetworkReport.Status.DRAFT)
    late = make_network(a, name="Ny i år", established_on=datetime.date(2026, 2, 1))
    NetworkReport.objects.create(network=late, year=2025, status=NetworkReport.Status.DRAFT)
    NetworkReport.objects.create(network=world.network_b, year=2025, status=NetworkReport.Status.DRAFT)
    # Inactive networks and councils are not counted (a paused one that was active at the reporting year's end is
    # for the annual report: its history says so).
    paused = make_network(a, name="Pause")
    make_mandate(paused, period_start=datetime.date(2020, 1, 1))
    NetworkReport.objects.create(network=paused, year=2025, status=NetworkReport.Status.DRAFT)
    paused.status = Network.Status.PAUSED
    paused.save()
    council = make_network(a, name="Fagråd", kind=Network.Kind.COUNCIL, parent=world.network)
    make_mandate(council, period_start=datetime.date(2020, 1, 1))
    NetworkReport.objects.create(network=council, year=2025, status=NetworkReport.Status.DRAFT)
    # Secretaries and trusts: a nominated secretary is none; a network with every trust of its region appointed.
    appoint(ended, make_user(trust=world.trusts_a[0]), AppointmentRole.SECRETARY, status=Appointment.Status.NOMINATED)
    for trust in world.trusts_a:
        appoint(shortened, make_user(trust=trust), AppointmentRole.SECRETARY)
    superuser = make_user("root", is_superuser=True)
    people = [world[role] for role in ("coordinator", "director", "coordinator_b", "member", "fagsjef_b")] + [superuser]
    for today in (datetime.date(2026, 1, 1), datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)):
        when = selectors.RegionYear(today=today)
        for user in people:
            expected = {
                key: selectors.network_list(user=user, filters=selectors.NetworkFilters(concern=key), when=when).count()
                for key in selectors.CONCERNS
            }
            assert selectors.network_concern_counts(user=user, when=when) == expected, (user, today)
    # The comparison is not of zeros: the coordinator of region A on 1 July sees something in every concern.
    counts = selectors.network_concern_counts(
        user=world["coordinator"], when=selectors.RegionYear(datetime.date(2026, 7, 1))
    )
    assert all(counts.values()), counts


def test_missing_reports_count_each_networks_status_at_the_years_end_as_its_history_says(world: World) -> None:
    """The count of networks missing their annual report reads each network's status at the reporting year's end
    from its history in its own statement: held to ``network_list`` with the concern (``statuses_at_year_end``) for
    a network closed after the year (counted), one closed within it (not), one entered after the year (its creation
    record says active: counted), one whose history starts after the year with a change (taken as it is now,
    closed: not), one with no history and closed (not), one with no history and active (counted), each with a
    draft report, and the year's end on both sides of midnight in Oslo."""
    oslo = timezone.get_default_timezone()
    names = ("Lukket senere", "Lukket i året", "Ført inn", "Endret", "Uten historikk", "Aktiv uten historikk")
    closed_later, closed_within, entered_later, changed_later, no_history, active = (
        make_network(world.region_a, name=name) for name in names
    )
    Network.history.model.objects.all().delete()  # only the records each case below says
    edge = datetime.datetime(2026, 1, 1, tzinfo=oslo)  # the end of the reporting year 2025, in Oslo
    make_network_history(closed_later, datetime.datetime(2023, 3, 1, tzinfo=oslo), "active", "+")
    make_network_history(closed_later, edge, "closed")  # at midnight: after the year
    make_network_history(closed_within, datetime.datetime(2023, 3, 1, tzinfo=oslo), "active", "+")
    make_network_history(closed_within, edge - datetime.timedelta(seconds=1), "closed")
    make_network_history(entered_later, datetime.datetime(2026, 2, 1, tzinfo=oslo), "active", "+")
    make_network_history(entered_later, datetime.datetime(2026, 3, 1, tzinfo=oslo), "closed")
    make_network_history(changed_later, datetime.datetime(2026, 2, 1, tzinfo=oslo), "active")
    Network.objects.filter(pk__in=[n.pk for n in (closed_later, closed_within, entered_later, changed_later)]).update(
        status=Network.Status.CLOSED
    )
    Network.objects.filter(pk=no_history.pk).update(status=Network.Status.CLOSED)
    for network in (closed_later, closed_within, entered_later, changed_later, no_history, active):
        NetworkReport.objects.create(network=network, year=2025, status=NetworkReport.Status.DRAFT)
    key = selectors.CONCERN_REPORT_MISSING
    for user in (world["coordinator"], world["coordinator_b"], make_user("root", is_superuser=True)):
        for today in (datetime.date(2026, 3, 1), datetime.date(2027, 3, 1)):  # the reporting years 2025 and 2026
            when = selectors.RegionYear(today=today)
            expected = selectors.network_list(user=user, filters=selectors.NetworkFilters(concern=key), when=when)
            assert selectors.network_concern_counts(user=user, when=when)[key] == expected.count(), (user, today)
    missing = selectors.network_list(
        user=world["coordinator"],
        filters=selectors.NetworkFilters(concern=key),
        when=selectors.RegionYear(datetime.date(2026, 3, 1)),
    )
    assert {"Lukket senere", "Ført inn", "Aktiv uten historikk"} <= {n.name for n in missing}
    assert not {"Lukket i året", "Endret", "Uten historikk"} & {n.name for n in missing}


def test_unrouted_count_is_the_rows_of_the_list_of_cases_to_route(world: World) -> None:
    """``unrouted_case_count`` against ``case_list``'s count, for every kind of person: cases received and not,
    routed and not, in either region, submitted by the person, and a common case's cases counted once."""
    make_case(world, network=None)
    make_case(world, network=None, status=Case.Status.DECLINED)
    make_case(world)
    make_case(world, network=None, region=world.region_b, submitted_by=world["fagsjef_b"])
    make_case(world, network=None, region=world.region_b, submitted_by=world["coordinator"])
    common = CommonCase.objects.create(region=world.region_a, title="Felles", created_by=world["coordinator"])
    for _ in range(3):
        make_case(world, network=None, common_case=common)
    common_b = CommonCase.objects.create(region=world.region_b, title="Felles B", created_by=world["coordinator_b"])
    for _ in range(2):
        make_case(world, network=None, region=world.region_b, common_case=common_b, submitted_by=world["coordinator"])
    superuser = make_user("root", is_superuser=True)
    filters = CaseFilters(unrouted=True, status=Case.Status.RECEIVED)
    counts = {}
    for role in [*ROLES, "candidate"]:
        for user in (world[role], superuser):
            counts[user.username] = unrouted_case_count(user=user)
            assert counts[user.username] == case_list(user=user, filters=filters).count(), user
    # region A's own case and its common case once; the two cases the coordinator sent to region B, one common
    assert counts["coordinator"] == 2 + 1 + 2
    assert counts["root"] == 1 + 1 + 1 + 1 + 1
