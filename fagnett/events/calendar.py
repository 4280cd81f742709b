"""iCalendar (RFC 5545) invitations to events, with iTIP (RFC 5546) methods, written as the meetings' are.

One stable UID per event; SEQUENCE is the event's own counter, raised when a significant change is sent; a
cancellation is METHOD:CANCEL with STATUS:CANCELLED. Times are written in Europe/Oslo with its VTIMEZONE.
Each invited person gets a file naming only them as attendee: an audience of hundreds does not see each
other's addresses.
"""

from typing import Any

from django.utils import timezone
from icalendar import Event as CalendarEvent
from icalendar import vText

from fagnett.core.calendar import OSLO, calendar_address, new_calendar, organizer
from fagnett.events.models import Event


def calendar_uid(event: Event) -> str:
    return f"event-{event.uid}@fagnett"


def event_invitation(event: Event, *, attendee: Any | None, method: str = "REQUEST") -> bytes:
    """The .ics of one event for one person, as an invitation (REQUEST) or a cancellation (CANCEL)."""
    assert method in ("REQUEST", "CANCEL", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", calendar_uid(event))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at.astimezone(OSLO))
    entry.add("dtend", event.ends_at.astimezone(OSLO))
    entry.add("summary", event.title)
    description = [event.get_kind_display(), event.region.name]
    if event.description:
        description.append(event.description)
    if event.video_link:
        description.append(event.video_link)
        entry.add("url", event.video_link)
    entry.add("description", "\n\n".join(str(part) for part in description))
    if event.place:
        entry.add("location", event.place)
    elif event.video_link:
        entry.add("location", event.video_link)
    entry.add("status", "CANCELLED" if method == "CANCEL" or event.is_cancelled else "CONFIRMED")
    if method != "PUBLISH":
        entry.add("organizer", organizer(event.region.name))  # the same on every update (core.calendar)
    if attendee is not None and attendee.email:
        address = calendar_address(attendee, "REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("FALSE")  # the answer is the registration in Fagnett, not a calendar reply
        entry.add("attendee", address, encode=False)

    calendar = new_calendar(method)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())
