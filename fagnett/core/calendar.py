"""iCalendar (RFC 5545) pieces every calendar file of Fagnett shares: who made it, the time zone, addresses.

Meetings (``meetings.calendar``) and events (``events.calendar``) write their own invitations with these; times
are written in Europe/Oslo, and ``Calendar.add_missing_timezones()`` adds its VTIMEZONE.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import vCalAddress, vText

PRODID = "-//Fagnett//Regionale fagnettverk//NB"
OSLO = ZoneInfo("Europe/Oslo")


def calendar_address(person: Any, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(str(person))
    address.params["role"] = vText(role)
    return address


def local(value: datetime) -> datetime:
    return value.astimezone(OSLO)
