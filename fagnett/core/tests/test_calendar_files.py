"""The calendar files read by a second parser (vobject), written independently of icalendar: the time zone holds
beyond 2038, invitations have their organiser, downloads are PUBLISH."""

import datetime
import io

import vobject
from django.utils import timezone
from icalendar import Event

from fagnett.core.calendar import OSLO, new_calendar, oslo_timezone


def _read(ics: bytes):  # type: ignore[no-untyped-def]
    return vobject.readOne(io.StringIO(ics.decode()))


def test_the_oslo_time_zone_is_two_rules_and_holds_after_2038() -> None:
    component = oslo_timezone()
    assert all("RRULE" in rule and "RDATE" not in rule for rule in component.subcomponents)
    calendar = new_calendar("PUBLISH")
    for start in (
        datetime.datetime(2027, 7, 1, 12),
        datetime.datetime(2041, 7, 1, 12),
        datetime.datetime(2041, 1, 5, 12),
    ):
        event = Event()
        event.add("uid", f"{start.isoformat()}@test")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", start.replace(tzinfo=datetime.UTC).astimezone(OSLO))
        calendar.add_component(event)
    parsed = _read(bytes(calendar.to_ical()))
    offsets = [e.dtstart.value.utcoffset() for e in parsed.vevent_list]
    # vobject builds its own time zone from the VTIMEZONE's rules: summer time in 2027 and in 2041, winter in 2041
    assert offsets == [datetime.timedelta(hours=2), datetime.timedelta(hours=2), datetime.timedelta(hours=1)]
    # the turn itself: the last Sunday of March 2040 is the 25th
    tz = parsed.vevent_list[0].dtstart.value.tzinfo
    assert tz.utcoffset(datetime.datetime(2040, 3, 25, 1, 59)) == datetime.timedelta(hours=1)
    assert tz.utcoffset(datetime.datetime(2040, 3, 25, 3, 1)) == datetime.timedelta(hours=2)
