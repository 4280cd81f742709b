"""Meetings for the tests, built on the shared world of tests.factories."""

import datetime
from typing import Any

from django.utils import timezone

from fagnett.core.calendar import OSLO
from fagnett.meetings.models import AgendaItem, Meeting
from fagnett.networks.models import Network


def make_meeting(network: Network, *, days: int = 20, **kwargs: Any) -> Meeting:
    """A digital two-hour meeting ``days`` from now (negative: in the past), at 12:00 Oslo time."""
    date = timezone.localdate() + datetime.timedelta(days=days)
    start = datetime.datetime.combine(date, datetime.time(12, 0), tzinfo=OSLO)
    values: dict[str, Any] = {
        "network": network,
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "form": Meeting.Form.DIGITAL,
        "video_link": "https://teams.example.org/meet/123",
        **kwargs,
    }
    return Meeting.objects.create(**values)


def add_items(meeting: Meeting, *titles: str) -> list[AgendaItem]:
    return [
        AgendaItem.objects.create(meeting=meeting, order=i, title=title, kind=AgendaItem.Kind.DISCUSSION)
        for i, title in enumerate(titles, 1)
    ]
