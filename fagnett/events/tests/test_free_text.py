"""An event's video link is guarded like its text, and its title stays on one line."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fagnett.core.calendar import OSLO
from fagnett.events import services
from fagnett.events.models import Audience, Event
from tests.factories import World

pytestmark = pytest.mark.django_db


def _data(**overrides: Any) -> dict[str, Any]:
    day = timezone.localdate() + datetime.timedelta(days=60)
    start = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=OSLO)
    return {
        "kind": Event.Kind.SEMINAR,
        "title": "Seminar",
        "description": "For nettverkene.",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "place": "",
        "video_link": "https://teams.example.org/l/1",
        "registration_deadline": day - datetime.timedelta(days=14),
        "capacity": 100,
        "audience": Audience.LEADERS_AND_SECRETARIES,
        **overrides,
    }


def test_a_video_link_with_an_identity_number_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.event_create(
            user=world["coordinator"],
            region=world.region_a,
            data=_data(video_link="https://teams.example.org/l/151086%C2%A095088"),
            networks=[world.network],
        )
    assert [e.code for e in error.value.error_dict["video_link"]] == ["national_id"]
    assert not Event.objects.exists()


def test_the_title_loses_line_breaks(world: World) -> None:
    event = services.event_create(
        user=world["coordinator"],
        region=world.region_a,
        data=_data(title="Seminar\r\nBEGIN:VALARM\u202e"),
        networks=[world.network],
    )
    event.refresh_from_db()
    assert event.title == "Seminar BEGIN:VALARM"
