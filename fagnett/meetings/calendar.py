"""iCalendar (RFC 5545) invitations and feeds, with iTIP (RFC 5546) methods.

One stable UID per meeting; SEQUENCE is the meeting's own counter, raised on every significant change; a
cancellation is METHOD:CANCEL with STATUS:CANCELLED. Times are written in Europe/Oslo with its VTIMEZONE.

Attendees are listed with RSVP=FALSE: answers are given on the meeting's page in Fagnett (the description says where),
because a calendar program's REPLY would go to the organiser's mailbox, which nothing reads.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from fagnett.core.calendar import OSLO, PRODID, calendar_address
from fagnett.core.mail import site_url
from fagnett.meetings.models import Meeting


def _event(meeting: Meeting, *, organizer: Any | None, attendees: Iterable[Any], method: str) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@fagnett")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(OSLO))
    event.add("dtend", meeting.ends_at.astimezone(OSLO))
    event.add("summary", f"{meeting.network.name}: {meeting.display_title}")
    description = [meeting.network.name, f"{site_url()}{meeting.get_absolute_url()}"]
    if meeting.video_link:
        description.append(meeting.video_link)
        event.add("url", meeting.video_link)
    if meeting.location:
        event.add("location", meeting.location)
    elif meeting.video_link:
        event.add("location", meeting.video_link)
    event.add("description", "\n".join(description))
    if method == "CANCEL" or meeting.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    if organizer is not None and organizer.email:
        event.add("organizer", calendar_address(organizer, "CHAIR"))
    for person in attendees:
        if person.email:
            attendee = calendar_address(person, "REQ-PARTICIPANT")
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            attendee.params["rsvp"] = vText("FALSE")  # answered in Fagnett, not by a REPLY
            event.add("attendee", attendee, encode=False)
    return event


def meeting_invitation(
    meeting: Meeting, *, organizer: Any | None, attendees: Iterable[Any], method: str = "REQUEST"
) -> bytes:
    """The .ics of one meeting, as an invitation (REQUEST) or a cancellation (CANCEL)."""
    assert method in ("REQUEST", "CANCEL")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("calscale", "GREGORIAN")
    calendar.add_component(_event(meeting, organizer=organizer, attendees=list(attendees), method=method))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def calendar_feed(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A subscribable feed (METHOD:PUBLISH) of meetings, cancelled ones marked as such."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        calendar.add_component(_event(meeting, organizer=None, attendees=[], method="PUBLISH"))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
