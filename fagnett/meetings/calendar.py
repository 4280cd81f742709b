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
from icalendar import Event, vText

from fagnett.core.calendar import OSLO, calendar_address, new_calendar, organizer
from fagnett.core.mail import site_url
from fagnett.meetings.models import Meeting


def _event(meeting: Meeting, *, attendees: Iterable[Any], method: str) -> Event:
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
    if method != "PUBLISH":
        event.add("organizer", organizer(meeting.network.name))  # the same on every update (core.calendar)
    for person in attendees:
        if person.email:
            attendee = calendar_address(person, "REQ-PARTICIPANT")
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            attendee.params["rsvp"] = vText("FALSE")  # answered in Fagnett, not by a REPLY
            event.add("attendee", attendee, encode=False)
    return event


def meeting_invitation(meeting: Meeting, *, attendees: Iterable[Any], method: str = "REQUEST") -> bytes:
    """The .ics of one meeting: an invitation (REQUEST) or a cancellation (CANCEL) sent by mail, or a download
    (PUBLISH) that is a copy for one's own calendar, without organiser or attendees."""
    assert method in ("REQUEST", "CANCEL", "PUBLISH")
    calendar = new_calendar(method)
    people = list(attendees) if method != "PUBLISH" else []
    calendar.add_component(_event(meeting, attendees=people, method=method))
    return bytes(calendar.to_ical())


def calendar_feed(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A subscribable feed (METHOD:PUBLISH) of meetings, cancelled ones marked as such."""
    calendar = new_calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        calendar.add_component(_event(meeting, attendees=[], method="PUBLISH"))
    return bytes(calendar.to_ical())
