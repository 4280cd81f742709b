"""The demo events follow the 2025 annual report: the September seminar at St. Olavs for every network and council,
held with many registered, and the secretaries' dialogue meeting coming up, open for the demo secretary."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.events import demo, services
from fagnett.events.models import Audience, Event, Registration
from fagnett.events.selectors import invitees, upcoming_events
from fagnett.networks.models import Network

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_events(demo: None) -> None:
    if not Event.objects.exists():  # until the demo builder calls it itself
        demo.build()


def test_the_seminar_of_september_2025_was_held_with_many_registered(demo_events: None) -> None:
    seminar = Event.objects.get(title=demo.SEMINAR_TITLE)
    assert seminar.region.short_name == "HMN"
    assert (seminar.starts_at.year, seminar.starts_at.month) == (2025, 9)
    assert "St. Olavs" in seminar.place
    assert seminar.phase == "held"
    assert seminar.audience == Audience.LEADERS_AND_SECRETARIES
    assert seminar.networks.filter(kind=Network.Kind.COUNCIL, name="Smerte og utmattelse").exists()
    registered = seminar.registrations.filter(status=Registration.Status.REGISTERED).count()
    assert registered >= 40
    assert registered <= seminar.capacity
    assert registered < len(invitees(event=seminar))


def test_the_secretaries_dialogue_meeting_is_coming_up_and_open_to_the_demo_secretary(demo_events: None) -> None:
    dialogue = Event.objects.get(title=demo.DIALOGUE_TITLE)
    assert dialogue.starts_at > timezone.now()
    assert dialogue.registration_deadline >= timezone.localdate()
    assert dialogue.audience == Audience.SECRETARIES
    assert dialogue.kind == Event.Kind.DIALOGUE_MEETING
    sekretar = User.objects.get(username="sekretar")
    assert dialogue in upcoming_events(user=sekretar)
    assert not dialogue.registrations.filter(person=sekretar).exists()
    registration = services.registration_register(user=sekretar, event=dialogue)
    assert registration.network.name == "Anestesi og intensiv"
    assert registration.status == Registration.Status.REGISTERED


def test_the_coordinator_opens_the_registration_list(demo_events: None, client: Client) -> None:
    client.force_login(User.objects.get(username="koordinator"))
    seminar = Event.objects.get(title=demo.SEMINAR_TITLE)
    response = client.get(reverse("events:registrations", args=[seminar.pk]))
    assert response.status_code == 200
    assert response.context["summary"].registered >= 40
    response = client.get(reverse("events:list"))
    assert [e.title for e in response.context["events"].past] == [demo.SEMINAR_TITLE]
    assert demo.DIALOGUE_TITLE in [e.title for e in response.context["events"].upcoming]
