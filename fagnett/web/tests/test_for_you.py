""" "Til deg" on the start page (``web/for_you.py``, read by ``web/start.py``): for every role, what waits for the
person, each with a count and a link to where it is, in one query however much there is."""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity.models import Recommendation
from fagnett.capacity.tests.factories import make_round
from fagnett.cases import services as cases
from fagnett.meetings import services as meetings
from fagnett.meetings.models import Meeting, Minutes
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.networks.models import Appointment, AppointmentRole
from fagnett.reports.models import NetworkReport, RegionalReport
from fagnett.web.for_you import ForYou
from fagnett.web.start import start_reads
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

DATA = {"title": "Lik praksis", "description": "Ulik praksis.", "wanted": "En anbefaling."}


def _fresh(person: User) -> User:
    """The person as a new request sees them (no access cached on the object)."""
    return User.objects.get(pk=person.pk)


def _items(person: User) -> dict[str, list[ForYou]]:
    found: dict[str, list[ForYou]] = {}
    for item in start_reads(user=_fresh(person)).for_you:
        found.setdefault(item.kind, []).append(item)
    return found


def _circulated(world: World, days: int = -1) -> Minutes:
    meeting = make_meeting(world.network, days=days, status=Meeting.Status.HELD)
    add_items(meeting, "Kapasitet")
    minutes = meetings.minutes_start(user=world["secretary"], meeting=meeting)
    return meetings.minutes_circulate(
        user=world["secretary"], minutes=minutes, comments_due=timezone.localdate() + datetime.timedelta(days=7)
    )


def _action_item(world: World, owner: User, days: int) -> None:
    meetings.action_item_create(
        user=world["leader"],
        network=world.network,
        title=f"Punkt {days}",
        owner=owner,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
    )


def _nominate(world: World) -> None:
    Appointment.objects.create(
        network=world.network,
        person=make_user(trust=world.trusts_a[2]),
        role=AppointmentRole.MEMBER,
        trust=world.trusts_a[2],
        nominated_by=world["fagsjef"],
    )


def _opens(person: User, url: str) -> str:
    client = Client()
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_member_sees_minutes_waiting_for_their_comments_until_they_comment(world: World) -> None:
    minutes = _circulated(world)

    (item,) = _items(world["member"])["minutes"]
    assert item.url == minutes.get_absolute_url()
    assert item.text.startswith("Referat fra Anestesi og intensiv, ")
    assert "til din kommentar innen" in item.text
    _opens(world["member"], item.url)
    assert "minutes" not in _items(world["secretary"])  # who wrote and circulated them
    assert "minutes" not in _items(world["other_member"])  # another network's member

    meetings.minutes_comment(user=world["member"], minutes=minutes, text="Ingen merknader.")

    assert "minutes" not in _items(world["member"])


def test_no_remarks_is_an_answer_too(world: World) -> None:
    minutes = _circulated(world)
    assert "minutes" in _items(world["member"])

    meetings.minutes_no_remarks(user=world["member"], minutes=minutes)

    assert "minutes" not in _items(world["member"])


def test_a_leader_and_secretary_see_the_cases_waiting_for_their_networks_answer(world: World) -> None:
    for _ in range(2):
        cases.case_submit(user=world["employee"], data=DATA, network=world.network)
    accepted = cases.case_submit(user=world["employee"], data=DATA, network=world.network)
    cases.case_accept(user=world["leader"], case=accepted)
    declined = cases.case_submit(user=world["employee"], data=DATA, network=world.network)
    cases.case_decline(user=world["leader"], case=declined, reason="Hører ikke hjemme her.")

    for role in ("leader", "secretary"):
        (item,) = _items(world[role])["cases"]
        assert item.count == 3  # received or being worked on; the declined one has its answer
        assert item.text == "3 saker venter på svar fra Anestesi og intensiv"
        assert item.url == f"/cases/network/{world.network.pk}/?status=open"
        page = _opens(world[role], item.url)
        assert len(re.findall(r'href="/cases/\d+/"', page)) == 3  # the list the number links to shows those three
    assert "cases" not in _items(world["member"])


def test_leaders_see_the_annual_report_to_write_until_it_is_submitted(world: World) -> None:
    last_year = timezone.localdate().year - 1

    (item,) = _items(world["leader"])["network_report"]
    assert item.text == f"Årsrapporten {last_year} for Anestesi og intensiv, ikke levert ennå"
    assert item.url == f"/networks/{world.network.pk}/annual-report/{last_year}/"
    _opens(world["leader"], item.url)
    assert "network_report" in _items(world["secretary"])
    assert "network_report" not in _items(world["member"])

    NetworkReport.objects.create(network=world.network, year=last_year, status=NetworkReport.Status.SUBMITTED)

    assert "network_report" not in _items(world["leader"])


def test_the_coordinator_sees_nominations_to_decide_and_the_regional_report(world: World) -> None:
    last_year = timezone.localdate().year - 1
    for _ in range(2):
        _nominate(world)

    found = _items(world["coordinator"])
    (nominations,) = found["nominations"]
    assert (nominations.count, nominations.text) == (2, "2 nominasjoner venter på din avgjørelse")
    assert nominations.url == "/nominations/"
    _opens(world["coordinator"], nominations.url)
    (report,) = found["regional_report"]
    assert report.text == f"Den regionale årsrapporten {last_year} for Region A RHF, ikke godkjent ennå"
    _opens(world["coordinator"], report.url)
    assert "nominations" not in _items(world["coordinator_b"])  # another region's

    RegionalReport.objects.create(
        region=world.region_a,
        year=last_year,
        status=RegionalReport.Status.APPROVED,
        created_by=world["coordinator"],
        approved_on=timezone.localdate(),
    )
    assert "regional_report" not in _items(world["coordinator"])


def test_action_items_overdue_and_due_within_a_week_are_counted_for_their_owner(world: World) -> None:
    _action_item(world, world["member"], -2)
    _action_item(world, world["member"], 0)
    _action_item(world, world["member"], 7)
    _action_item(world, world["member"], 8)  # not yet
    _action_item(world, world["leader"], -1)  # someone else's

    found = _items(world["member"])
    (overdue,) = found["action_items_overdue"]
    (soon,) = found["action_items_due"]
    assert overdue.text == "1 av oppfølgingspunktene dine har passert fristen"
    assert soon.text == "2 av oppfølgingspunktene dine har frist innen en uke"
    assert overdue.url == soon.url == "/action-items/"


def test_the_start_page_shows_for_you_with_counts_and_links_and_says_when_nothing_waits(
    world: World, client: Client
) -> None:
    cases.case_submit(user=world["employee"], data=DATA, network=world.network)
    client.force_login(world["leader"])
    page = client.get("/").content.decode()
    assert '<h2 class="ds-heading" data-size="sm" id="for-you-heading">Til deg</h2>' in page
    link = f'href="/cases/network/{world.network.pk}/?status=open">'
    assert f"{link}1 sak venter på svar fra Anestesi og intensiv" in page

    client.force_login(world["employee"])
    page = client.get("/").content.decode()
    assert "Ingenting venter på deg nå." in page
    assert 'href="/me/settings/"' in page


# --- Query counts: flat for every role, with little and with more data ----------------------------------------------


def _decided_recommendation(world: World, name: str) -> Recommendation:
    """The network's ICU recommendation for a round of its own, decided in a meeting and not sent yet."""
    return Recommendation.objects.create(
        round=make_round(world.region_a, name=name, network=world.network),
        summary="Fire K3-senger mer.",
        consensus=True,
        status=Recommendation.Status.DECIDED,
        decided_at=timezone.now(),
    )


def test_the_leader_is_asked_to_send_a_decided_recommendation(world: World, login_as: Any) -> None:
    recommendation = _decided_recommendation(world, "Sommer")
    (item,) = [i for i in start_reads(user=_fresh(world["leader"])).for_you if i.kind == "recommendation"]
    assert item.url == f"/capacity/rounds/{recommendation.round_id}/recommendation/"
    page = login_as("leader").get("/").content.decode()
    assert "Anbefalingen for Sommer er vedtatt" in page and item.url in page
    # Only the leader sends it: the secretary and the members are not asked.
    for role in ("secretary", "member"):
        assert not [i for i in start_reads(user=_fresh(world[role])).for_you if i.kind == "recommendation"], role
    # Sent, it waits for nobody here any more.
    Recommendation.objects.filter(pk=recommendation.pk).update(status=Recommendation.Status.SENT)
    assert not [i for i in start_reads(user=_fresh(world["leader"])).for_you if i.kind == "recommendation"]


def _more(world: World) -> None:
    """Several of everything "For you" counts, in more networks."""
    for n in range(3):
        _decided_recommendation(world, f"Runde {n}")
        _circulated(world, days=-3)
        cases.case_submit(user=world["employee"], data=DATA, network=world.network)
        cases.case_submit(user=world["employee"], data=DATA, network=world.other_network)
        _nominate(world)
        for role in EXPECTED:
            _action_item(world, world[role], -1)
            _action_item(world, world[role], 2)
    Appointment.objects.filter(network=world.other_network, person=world["other_member"]).update(
        role=AppointmentRole.LEADER
    )
    Appointment.objects.create(
        network=world.other_network,
        person=world["leader"],
        role=AppointmentRole.SECRETARY,
        trust=world["leader"].trust,
        status=Appointment.Status.APPOINTED,
        start_date=datetime.date(2025, 1, 1),
    )


#: the roles whose "For you" is counted: one query each, whatever the amount of data (the person's access is kept
#: between requests, fagnett.access, and read before counting)
EXPECTED = ["employee", "member", "leader", "coordinator", "fagsjef"]


@pytest.mark.parametrize("role", EXPECTED)
def test_the_query_count_is_flat_for_every_role(
    world: World, django_assert_num_queries: Callable[..., Any], role: str
) -> None:
    _circulated(world)
    cases.case_submit(user=world["employee"], data=DATA, network=world.network)
    _nominate(world)
    _action_item(world, world[role], 1)
    person = _fresh(world[role])
    access_for(person)
    with django_assert_num_queries(1):
        little = start_reads(user=person).for_you

    _more(world)

    person = _fresh(world[role])
    access_for(person)
    with django_assert_num_queries(1):
        more = start_reads(user=person).for_you
    assert sum(item.count for item in more) > sum(item.count for item in little)
