"""Demo events for Helse Midt-Norge, as the 2025 annual report tells them: the September 2025 seminar for all the
networks and councils at St. Olavs hospital ("Prioritering, standardisering og digitalisering"), held with many
registered, and the dialogue meeting for all the networks' secretaries, a few weeks ahead of today.

The demo login ``sekretar`` (secretary in Anestesi og intensiv) is invited to the dialogue meeting and not yet
registered, so registration can be tried; ``koordinator`` runs both events.
"""

import datetime
import random
from typing import Any

from django.db.models import F
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.core.calendar import OSLO
from fagnett.events.models import Audience, Event, Registration
from fagnett.events.selectors import invitees
from fagnett.networks.models import Network
from fagnett.organisations.models import Region

SEMINAR_TITLE = "Seminar for fagledernettverkene og fagrådene: Prioritering, standardisering og digitalisering"
SEMINAR_DESCRIPTION = (
    "Helse Midt-Norge RHF inviterer ledere og sekretærer i fagledernettverkene og fagrådene til felles seminar.\n\n"
    "09.30 Velkommen og kaffe\n"
    "10.00 Prioritering må skje i fellesskap – kloke valg og utfasing av lavverditjenester\n"
    "11.15 Standardisering: regionale fagprosedyrer og forvaltningsmodellen fra SPARK-prosjektet\n"
    "12.15 Lunsj\n"
    "13.00 Digitalisering: Helseplattformen og dashboard i Tallbingen\n"
    "14.15 Gruppearbeid på tvers av nettverkene\n"
    "15.15 Oppsummering\n\n"
    "Seminaret tas opp; opptaket legges ut etterpå."
)
DIALOGUE_TITLE = "Dialogmøte for sekretærene i fagledernettverkene"
DIALOGUE_DESCRIPTION = (
    "Årlig dialogmøte for sekretærene i nettverkene: opplæring og praktisk bistand i arbeidet med møteplan, "
    "innkallinger, referater og arkiv, og erfaringsdeling fra Teams-kanalen for sekretærene. "
    "Meld gjerne inn spørsmål i kommentarfeltet."
)
COMMENTS = ["", "", "", "", "", "Vegetar", "Glutenfri", "Laktosefri", "Allergi mot nøtter", "Kommer etter lunsj"]


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO)


def _register(
    event: Event,
    rng: random.Random,
    share: float,
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    skip: frozenset[str] = frozenset(),
) -> int:
    """Register about ``share`` of the invited, at times between ``since`` and ``until``; a few have cancelled."""
    span = (until - since).total_seconds()
    count = 0
    for invitee in invitees(event=event):
        if invitee.person.username in skip or rng.random() >= share:
            continue
        at = since + datetime.timedelta(seconds=rng.uniform(0, span))
        Registration.objects.create(
            event=event,
            person=invitee.person,
            network=invitee.network,
            trust=invitee.trust or invitee.person.trust,
            status=Registration.Status.CANCELLED if rng.random() < 0.05 else Registration.Status.REGISTERED,
            comment=rng.choice(COMMENTS),
            registered_at=at,
        )
        count += 1
    Registration.objects.filter(event=event).update(created_at=F("registered_at"), updated_at=F("registered_at"))
    return count


def build() -> dict[str, Any]:
    hmn = Region.objects.get(short_name="HMN")
    koordinator = User.objects.get(username="koordinator")
    networks = list(
        Network.objects.filter(region=hmn).exclude(status__in=[Network.Status.CLOSED, Network.Status.MERGED])
    )
    rng = random.Random(2025)

    seminar_day = datetime.date(2025, 9, 18)
    seminar = Event.objects.create(
        region=hmn,
        kind=Event.Kind.SEMINAR,
        title=SEMINAR_TITLE,
        description=SEMINAR_DESCRIPTION,
        starts_at=_aware(seminar_day, 9, 30),
        ends_at=_aware(seminar_day, 15, 30),
        place="St. Olavs hospital, Kunnskapssenteret, Trondheim",
        registration_deadline=datetime.date(2025, 9, 4),
        capacity=120,
        audience=Audience.LEADERS_AND_SECRETARIES,
        status=Event.Status.INVITED,
        invitation_sent_at=_aware(datetime.date(2025, 6, 10), 10),
        created_by=koordinator,
    )
    seminar.networks.set(networks)  # every network, council and working group
    seminar_count = _register(
        seminar, rng, 0.85, since=_aware(datetime.date(2025, 6, 10), 11), until=_aware(datetime.date(2025, 9, 4), 15)
    )

    # A few weeks from today, on a Tuesday, whenever the demo is built.
    today = timezone.localdate()
    day = today + datetime.timedelta(days=16)
    day += datetime.timedelta(days=(1 - day.weekday()) % 7)
    dialogue = Event.objects.create(
        region=hmn,
        kind=Event.Kind.DIALOGUE_MEETING,
        title=DIALOGUE_TITLE,
        description=DIALOGUE_DESCRIPTION,
        starts_at=_aware(day, 12),
        ends_at=_aware(day, 14),
        video_link="https://teams.example.org/hmn/dialogmote-sekretarer",
        registration_deadline=day - datetime.timedelta(days=7),
        audience=Audience.SECRETARIES,
        status=Event.Status.INVITED,
        invitation_sent_at=timezone.now() - datetime.timedelta(days=5),
        created_by=koordinator,
    )
    dialogue.networks.set(networks)
    dialogue_count = _register(
        dialogue,
        rng,
        0.4,
        since=timezone.now() - datetime.timedelta(days=5),
        until=timezone.now() - datetime.timedelta(hours=2),
        skip=frozenset({"sekretar"}),
    )
    return {"events": 2, "registrations": seminar_count + dialogue_count}
