"""Reads: who is invited, the start page's events, the region's list and the registration summary."""

import pytest

from fagnett.events import selectors
from fagnett.events.models import Audience, Event, Registration
from fagnett.events.tests.factories import make_event, register
from fagnett.networks.models import Appointment, AppointmentRole
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db


def test_invitees_are_the_appointed_people_in_the_audiences_roles_counted_once(world: World) -> None:
    second = make_network(world.region_a, name="Akuttmedisin")
    appoint(second, world["leader"], AppointmentRole.LEADER)
    ended = make_user("ended", trust=world.trusts_a[0])
    appoint(world.network, ended, AppointmentRole.SECRETARY, status=Appointment.Status.ENDED)
    event = make_event(world, networks=[world.network, second])
    invited = selectors.invitees(event=event)
    assert [i.person.username for i in invited] == ["leader", "secretary"]
    # The leader is invited through both networks; the first by name is the one given.
    assert invited[0].network == second
    assert len(selectors.invitations(event=event)) == 3


def test_upcoming_events_for_the_start_page(world: World) -> None:
    mine = make_event(world, title="For ledere og sekretærer", days=10)
    make_event(world, title="Ikke sendt", invited=False, days=5)
    make_event(world, title="Avlyst", status=Event.Status.CANCELLED, days=6)
    make_event(world, title="Holdt", days=-20)
    make_event(world, title="Bare medlemmer", audience=Audience.LEADERS, days=7)
    registered_elsewhere = make_event(world, title="Påmeldt, ikke lenger invitert", audience=Audience.LEADERS, days=3)
    register(registered_elsewhere, world["secretary"])

    events = selectors.upcoming_events(user=world["secretary"])
    assert [e.title for e in events] == ["Påmeldt, ikke lenger invitert", "For ledere og sekretærer"]
    assert [(e.my_status, e.is_invited) for e in events] == [("registered", False), (None, True)]
    assert mine in events
    assert selectors.upcoming_events(user=world["member"]) == []
    assert selectors.upcoming_events(user=world["coordinator_b"]) == []


def test_the_start_pages_event_rows_are_upcoming_events(world: World) -> None:
    """``upcoming_event_rows`` is hand-written SQL; it is held here to ``upcoming_events`` (the ORM)."""
    make_event(world, title="For ledere og sekretærer", days=10)
    make_event(world, title="Ikke sendt", invited=False, days=5)
    make_event(world, title="Avlyst", status=Event.Status.CANCELLED, days=6)
    make_event(world, title="Holdt", days=-20)
    make_event(world, title="Bare ledere", audience=Audience.LEADERS, days=7)
    make_event(world, title="Alle", audience=Audience.EVERYONE, days=8)
    make_event(world, title="Sekretærer", audience=Audience.SECRETARIES, days=9)
    registered_elsewhere = make_event(world, title="Påmeldt, ikke lenger invitert", audience=Audience.LEADERS, days=3)
    register(registered_elsewhere, world["secretary"])
    waiting = make_event(world, title="Venteliste", audience=Audience.EVERYONE, days=4)
    register(waiting, world["member"], Registration.Status.WAITING)
    found = 0
    for person in (world["secretary"], world["leader"], world["member"], world["coordinator_b"], world["employee"]):
        for limit in (5, 2):
            expected = [
                (e.title, e.starts_at, e.registration_deadline, e.my_status, e.registration_open, e.get_absolute_url())
                for e in selectors.upcoming_events(user=person, limit=limit)
            ]
            rows = selectors.upcoming_event_rows(user=person, limit=limit)
            assert [
                (r.title, r.starts_at, r.registration_deadline, r.my_status, r.registration_open, r.url) for r in rows
            ] == expected
            found += len(rows)
    assert found > 10


def test_the_region_list_splits_upcoming_from_past_with_counts_and_the_persons_standing(world: World) -> None:
    coming = make_event(world, title="Kommer", capacity=10, days=20)
    held = make_event(world, title="Holdt", days=-30)
    older = make_event(world, title="Eldre", days=-300)
    make_event(world, title="Annen region", region=world.region_b, networks=[world.network_b])
    register(coming, world["leader"])
    register(coming, world["member"], status=Registration.Status.WAITING)
    register(coming, world["rhf_rep"], status=Registration.Status.CANCELLED)
    register(held, world["secretary"])

    listing = selectors.event_list(user=world["secretary"], region_id=world.region_a.pk)
    assert listing.upcoming == [coming]
    assert listing.past == [held, older]
    event = listing.upcoming[0]
    assert (event.registered_count, event.waiting_count, event.network_count) == (1, 1, 2)
    assert event.is_invited and event.my_status is None
    assert listing.past[0].my_status == "registered"
    assert listing.past[0].phase == "held"


def test_the_summary_counts_per_network_and_trust(world: World) -> None:
    event = make_event(world, audience=Audience.EVERYONE, capacity=3)
    for name in ("leader", "secretary", "member"):
        register(event, world[name], network=world.network)
    register(event, world["other_member"], network=world.other_network, status=Registration.Status.WAITING)
    register(event, world["rhf_rep"], network=world.network, status=Registration.Status.CANCELLED)
    registrations = selectors.registration_list(event=event)
    assert [r.person.username for r in registrations] == ["leader", "secretary", "member", "other_member", "rhf_rep"]
    assert registrations[3].waiting_position == 1

    summary = selectors.registration_summary(
        event=event, registrations=registrations, rows=selectors.invitations(event=event)
    )
    assert (summary.invited, summary.registered, summary.waiting) == (5, 3, 1)
    by_network = {r.label: (r.invited, r.registered, r.waiting) for r in summary.by_network}
    assert by_network == {"Anestesi og intensiv": (4, 3, 0), "Øye": (1, 0, 1)}
    by_trust = {r.label: (r.invited, r.registered, r.waiting) for r in summary.by_trust}
    assert by_trust["Trust A1 HF"] == (3, 2, 1)  # leader, secretary; other_member waits
    assert by_trust["Trust A2 HF"] == (1, 1, 0)  # member
    assert list(by_trust)[-1] not in ("Trust A1 HF", "Trust A2 HF")  # the RHF's own people last

    counts = selectors.registration_counts(event=event)
    assert (counts.registered, counts.waiting, counts.cancelled, counts.places_left, counts.is_full) == (
        3,
        1,
        1,
        0,
        True,
    )
