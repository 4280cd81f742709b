"""The minutes' workflow table against the services and the minutes page: for every status and step (first minutes
and a correction, the newest version and an older one), the service refuses exactly when the table says the step is
not possible, and the page offers the step exactly when ``MINUTES_WORKFLOW.available`` says so."""

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.meetings import services
from fagnett.meetings.models import Minutes
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.meetings.workflow import MINUTES_WORKFLOW
from tests.factories import World

pytestmark = pytest.mark.django_db

S = Minutes.Status
Call = Callable[[Minutes, Any], Any]

STEPS: dict[str, tuple[str, Call]] = {
    "save": ("secretary", lambda m, u: services.minutes_save(user=u, minutes=m, texts={}, lock_version=m.lock_version)),
    "circulate": (
        "secretary",
        lambda m, u: services.minutes_circulate(
            user=u, minutes=m, comments_due=timezone.localdate() + datetime.timedelta(days=7)
        ),
    ),
    "comment": ("member", lambda m, u: services.minutes_comment(user=u, minutes=m, text="Ser bra ut.")),
    "approve": ("leader", lambda m, u: services.minutes_approve(user=u, minutes=m, via=Minutes.ApprovedVia.LEADER)),
    "record_approval": (
        "secretary",
        lambda m, u: services.minutes_approve(user=u, minutes=m, via=Minutes.ApprovedVia.MEETING),
    ),
    "correct": ("secretary", lambda m, u: services.minutes_correct(user=u, minutes=m, reason="Feil dato i sak 1")),
}

#: What on the page offers each step, given the page's minutes.
BUTTONS: dict[str, Callable[[Minutes], str]] = {
    "save": lambda m: 'name="lock_version"',  # the minutes' own form
    "circulate": lambda m: reverse("meetings:minutes_circulate", args=[m.meeting_id, m.version]),
    "comment": lambda m: reverse("meetings:minutes_comment", args=[m.meeting_id, m.version]),
    "approve": lambda m: 'name="via" value="leader"',
    "record_approval": lambda m: 'name="via" value="meeting"',
    "correct": lambda m: reverse("meetings:minutes_correct", args=[m.meeting_id, m.version]),
}

# Every status, for first minutes and for a correction (version 2), as the newest version and with a newer one.
SITUATIONS = list(itertools.product(S.values, (1, 2), (False, True)))


def _at(world: World, status: str, version: int, newer: bool) -> Minutes:
    meeting = make_meeting(world.network, days=-3)
    add_items(meeting, "Godkjenning av innkalling", "Intensivkapasitet")
    for earlier in range(1, version):
        Minutes.objects.create(meeting=meeting, version=earlier, status=S.APPROVED)
    minutes = Minutes.objects.create(meeting=meeting, version=version, status=status)
    if newer:
        Minutes.objects.create(meeting=meeting, version=version + 1)
    return minutes


def test_every_step_of_the_table_is_tested() -> None:
    assert set(STEPS) == set(BUTTONS) == {step.name for step in MINUTES_WORKFLOW.steps}


@pytest.mark.parametrize(("status", "version", "newer"), SITUATIONS)
def test_services_refuse_exactly_when_the_table_says(world: World, status: str, version: int, newer: bool) -> None:
    for name, (role, call) in STEPS.items():
        minutes = _at(world, status, version, newer)
        user = world[role]
        assert MINUTES_WORKFLOW.may(user, name, minutes), name
        expected = MINUTES_WORKFLOW.allows(name, minutes)
        versions = minutes.meeting.minutes.count()
        try:
            call(minutes, user)
        except ValidationError:
            refused = True
        else:
            refused = False
        assert refused is not expected, (name, status, version, newer)
        minutes.refresh_from_db()
        target = MINUTES_WORKFLOW[name].target
        assert minutes.status == ((target or status) if expected else status), (name, status, version, newer)
        # Only a correction makes a version, and only when it is allowed.
        assert minutes.meeting.minutes.count() == versions + (name == "correct" and expected)


@pytest.mark.parametrize(("status", "version", "newer"), SITUATIONS)
def test_the_page_offers_exactly_the_available_steps(
    world: World, client: Client, status: str, version: int, newer: bool
) -> None:
    minutes = _at(world, status, version, newer)
    shown = 0
    for role in ("leader", "secretary", "member", "coordinator", "director"):
        user = world[role]
        client.force_login(user)
        response = client.get(minutes.get_absolute_url())
        if not user.has_perm("meetings.view_minutes", minutes):
            assert response.status_code == 404, role
            continue
        assert response.status_code == 200, role
        shown += 1
        available = MINUTES_WORKFLOW.available(user, minutes)
        page = response.content.decode()
        for name, marker in BUTTONS.items():
            assert (marker(minutes) in page) is available[name], (name, status, version, newer, role)
    assert shown >= 2  # the network's leader and secretary read every status


def test_the_leader_is_offered_circulation_not_approval_of_first_minutes(world: World, client: Client) -> None:
    """The lead's decision: first minutes are circulated before the leader approves them, and the page says so by
    the buttons it shows; the leader may still record that a meeting approved them."""
    minutes = _at(world, S.DRAFT, 1, False)
    client.force_login(world["leader"])
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert reverse("meetings:minutes_circulate", args=[minutes.meeting_id, 1]) in page
    assert 'name="via" value="leader"' not in page
    assert 'name="via" value="meeting"' in page
    with pytest.raises(ValidationError, match="Send referatet til kommentar"):
        services.minutes_approve(user=world["leader"], minutes=minutes)
    # Once circulated, the leader approves.
    services.minutes_circulate(
        user=world["leader"], minutes=minutes, comments_due=timezone.localdate() + datetime.timedelta(days=7)
    )
    minutes.refresh_from_db()
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert 'name="via" value="leader"' in page
    assert services.minutes_approve(user=world["leader"], minutes=minutes).status == S.APPROVED
