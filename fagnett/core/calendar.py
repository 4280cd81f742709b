"""iCalendar (RFC 5545) pieces every calendar file of Fagnett shares: who made it, the time zone, addresses.

Meetings (``meetings.calendar``) and events (``events.calendar``) write their own invitations with these; times
are written in Europe/Oslo, described by ``oslo_timezone()``: the rule Norway has kept since 1996 (summer time from
the last Sunday of March to the last Sunday of October) as two recurrence rules, valid for as long as the rule
holds — not icalendar's generated list of dates, which stops in 2038.

**The organiser** of every invitation, update and cancellation is ``organizer(name)``: the mailbox the invitations
are sent from (``DEFAULT_FROM_EMAIL``), with the network's or region's name. It never changes during a meeting's
life, whoever sends the next update, and it is the sender of the iTIP mail, which is what Outlook checks before
it applies an update or a cancellation to the meeting already in a calendar. Nobody answers by calendar reply
(attendees are RSVP=FALSE; the mail says where to answer in Fagnett), so the mailbox need not be read.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

PRODID = "-//Fagnett//Regionale fagnettverk//NB"
OSLO = ZoneInfo("Europe/Oslo")


def calendar_address(person: Any, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(str(person))
    address.params["role"] = vText(role)
    return address


def local(value: datetime) -> datetime:
    return value.astimezone(OSLO)


def organizer(name: str) -> vCalAddress:
    """The organiser of every invitation: the mailbox the mails come from, named after the network or region."""
    _display, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{address}")
    organiser.params["cn"] = vText(name)
    return organiser


def oslo_timezone() -> Timezone:
    """Europe/Oslo's VTIMEZONE: CET, and CEST from the last Sunday of March at 02:00 to the last Sunday of October at
    03:00 (local time), as recurrence rules without an end."""
    timezone = Timezone()
    timezone.add("tzid", "Europe/Oslo")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1996, 3, 31, 2, 0))  # noqa: DTZ001 — local time, as RFC 5545 wants here
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))  # noqa: DTZ001
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    timezone.add_component(summer)
    timezone.add_component(winter)
    return timezone


def new_calendar(method: str) -> Calendar:
    """A calendar file with its header and Europe/Oslo's VTIMEZONE first, ready for its events."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("calscale", "GREGORIAN")
    calendar.add_component(oslo_timezone())
    return calendar
