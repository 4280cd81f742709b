"""The meeting's texts through the real pages: links are guarded like text, titles stay on one line."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def _edit(client: Client, meeting: Meeting, **changes: str) -> tuple[int, Meeting]:
    local = meeting.starts_at.astimezone(meeting.starts_at.tzinfo)
    data = {
        "title": "Nettverksmøte",
        "date": local.date().isoformat(),
        "start": "12:00",
        "end": "14:00",
        "form": Meeting.Form.DIGITAL,
        "location": "",
        "video_link": "https://teams.example.org/meet/123",
        "lock_version": str(meeting.lock_version),
        **changes,
    }
    response = client.post(reverse("meetings:update", args=[meeting.pk]), data)
    return response.status_code, Meeting.objects.get(pk=meeting.pk)


@pytest.mark.parametrize(
    "link",
    [
        "https://teams.example.org/l/meetup-join/15108695088",
        "https://teams.example.org/l/meetup-join/151086%2095088",
        "https://zoom.example.org/j/1?pwd=15.10.86-95088",
    ],
)
def test_a_video_link_with_an_identity_number_is_refused(world: World, login_as: LoginAs, link: str) -> None:
    meeting = make_meeting(world.network)
    status, saved = _edit(login_as("secretary"), meeting, video_link=link)
    assert status == 200  # the form again, with the message
    assert saved.video_link == "https://teams.example.org/meet/123" and saved.lock_version == meeting.lock_version


def test_a_plan_with_a_link_holding_an_identity_number_saves_nothing(world: World, login_as: LoginAs) -> None:
    url = reverse("meetings:plan_year", args=[world.network.pk]) + "?year=2027"
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-date": "2027-02-09", "form-0-start": "12:00",
        "form-0-end": "14:00", "form-0-form": "digital", "form-0-video_link": "teams.example.org/l/151086%2095088",
    }  # fmt: skip
    response = login_as("secretary").post(url, data)
    assert response.status_code == 200
    assert [e.code for e in response.context["formset"].forms[0].errors.as_data()["video_link"]] == ["national_id"]
    assert not world.network.meetings.exists()


def test_a_title_and_place_lose_line_breaks_and_control_characters(world: World, login_as: LoginAs) -> None:
    meeting = make_meeting(world.network)
    status, saved = _edit(
        login_as("secretary"),
        meeting,
        title="Nettverksmøte\r\nBcc: alle@example.org\x00",
        form=Meeting.Form.HYBRID,
        location="\u202eMøterom 3\u202c\n",
    )
    assert status == 302
    assert saved.title == "Nettverksmøte Bcc: alle@example.org"
    assert saved.location == "Møterom 3"
