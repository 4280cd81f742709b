"""Each record's page links to its history, and the link opens for the person who sees the page."""

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fagnett.audit.tests.factories import KIND_CASES
from fagnett.capacity.tests.factories import units_of
from fagnett.meetings.models import ActionItem, AgendaItem, Minutes
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Appointment, Mandate
from tests.factories import World

pytestmark = pytest.mark.django_db


def _history_links(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r'href="(/history/[a-z-]+/\d+/)"', response.content.decode())


def _opens(client: Client, links: list[str]) -> None:
    for link in links:
        assert client.get(link).status_code == 200, link


def test_mandate_and_appointments(world: World, login_as: Any) -> None:
    mandate = Mandate.objects.get(network=world.network)
    member: Client = login_as("member")
    links = _history_links(member, f"/networks/{world.network.pk}/mandates/{mandate.version}/")
    assert links == [f"/history/mandate/{mandate.pk}/"]
    _opens(member, links)
    # Only those who may see an appointment's history (coordinator and directors) get the links on the network page.
    assert not [link for link in _history_links(member, f"/networks/{world.network.pk}/") if "appointment" in link]
    director: Client = login_as("director")
    appointments = Appointment.objects.filter(network=world.network, status="appointed")
    links = [link for link in _history_links(director, f"/networks/{world.network.pk}/") if "appointment" in link]
    assert sorted(links) == sorted(f"/history/appointment/{a.pk}/" for a in appointments)
    _opens(director, links)


def test_meeting_minutes_and_action_items(world: World, login_as: Any) -> None:
    item = ActionItem.objects.create(
        network=world.network, title="Følg opp", owner=world["member"], due_date=datetime.date(2026, 2, 1)
    )
    ActionItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    meeting = make_meeting(world.network)
    AgendaItem.objects.create(meeting=meeting, order=1, title="Oppfølging", kind=AgendaItem.Kind.FOLLOW_UP)
    member: Client = login_as("member")
    links = _history_links(member, f"/meetings/{meeting.pk}/")
    assert links == [f"/history/meeting/{meeting.pk}/", f"/history/action-item/{item.pk}/"]
    _opens(member, links)
    assert _history_links(member, "/action-items/") == [f"/history/action-item/{item.pk}/"]
    # Someone else in the region sees the meeting's history, not its action items'.
    assert _history_links(login_as("other_member"), f"/meetings/{meeting.pk}/") == [f"/history/meeting/{meeting.pk}/"]

    minutes = Minutes.objects.create(meeting=make_meeting(world.network, days=-2), version=1)
    secretary: Client = login_as("secretary")
    links = _history_links(secretary, f"/meetings/{minutes.meeting_id}/minutes/1/")
    assert links == [f"/history/minutes/{minutes.pk}/"]
    _opens(secretary, links)


def test_case_and_its_action_items(world: World, login_as: Any) -> None:
    case = KIND_CASES["case"].make(world)
    item = ActionItem.objects.create(
        network=world.network, title="Svar", owner=world["leader"], due_date=datetime.date(2026, 2, 1), case=case
    )
    employee: Client = login_as("employee")  # submitted the case: sees it and its action items
    links = _history_links(employee, f"/cases/{case.pk}/")
    assert links == [f"/history/case/{case.pk}/", f"/history/action-item/{item.pk}/"]
    _opens(employee, links)


def test_annual_reports(world: World, login_as: Any) -> None:
    report = KIND_CASES["network-report"].make(world)
    leader: Client = login_as("leader")
    links = _history_links(leader, f"/networks/{world.network.pk}/annual-report/{report.year}/")  # type: ignore[attr-defined]
    assert links == [f"/history/network-report/{report.pk}/"]
    _opens(leader, links)
    regional = KIND_CASES["regional-report"].make(world)
    coordinator: Client = login_as("coordinator")
    links = _history_links(coordinator, f"/regions/{world.region_a.pk}/annual-report/{regional.year}/")  # type: ignore[attr-defined]
    assert links == [f"/history/regional-report/{regional.pk}/"]
    _opens(coordinator, links)


def test_capacity_entry(world: World, login_as: Any) -> None:
    entry = KIND_CASES["capacity-entry"].make(world)
    reporter: Client = login_as("reporter")
    unit = units_of(world)[0]
    links = _history_links(reporter, f"/capacity/rounds/{entry.round_id}/units/{unit.pk}/K3/normal/")  # type: ignore[attr-defined]
    assert links == [f"/history/capacity-entry/{entry.pk}/"]
    _opens(reporter, links)
