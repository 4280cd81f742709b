"""Events for the tests, built on the shared world of tests.factories."""

import datetime
from typing import Any

from django.utils import timezone
from icalendar import Calendar

from fagnett.core.calendar import OSLO
from fagnett.events.models import Audience, Event, Registration
from fagnett.networks.models import Network
from tests.factories import World

#: a valid fødselsnummer (control digits hold), for the no-patient-data checks
NATIONAL_ID = "15108695088"


def make_event(
    world: World,
    *,
    days: int = 30,
    networks: list[Network] | None = None,
    audience: str = Audience.LEADERS_AND_SECRETARIES,
    invited: bool = True,
    **kwargs: Any,
) -> Event:
    """A one-day seminar in region A ``days`` from today (negative: in the past), 09:30–15:30 Oslo time, with the
    registration deadline a week before; the invitations already sent unless ``invited`` is false."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    start = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=OSLO)
    values: dict[str, Any] = {
        "region": world.region_a,
        "kind": Event.Kind.SEMINAR,
        "title": "Regionalt seminar",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=6),
        "place": "St. Olavs hospital, Trondheim",
        "registration_deadline": day - datetime.timedelta(days=7),
        "audience": audience,
        "created_by": world["coordinator"],
        **kwargs,
    }
    if invited:
        values.setdefault("status", Event.Status.INVITED)
        values.setdefault("invitation_sent_at", timezone.now() - datetime.timedelta(days=1))
    event = Event.objects.create(**values)
    event.networks.set(networks if networks is not None else [world.network, world.other_network])
    return event


def register(event: Event, person: Any, status: str = Registration.Status.REGISTERED, **kwargs: Any) -> Registration:
    return Registration.objects.create(event=event, person=person, status=status, trust=person.trust, **kwargs)


def ics_of(message: Any) -> Calendar:
    attachment = next(a for a in message.attachments if a[0] == "invitation.ics")
    return Calendar.from_ical(attachment[1])
