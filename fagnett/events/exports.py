"""The registration list as CSV and Excel, for name tags and catering: one row per person registered or waiting."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fagnett.core.spreadsheet import Column, Sheet, write_csv, write_xlsx
from fagnett.events.models import Event, Registration

#: The most rows one list holds. An event's registrations are bounded by the people invited (the appointed people
#: of its networks, a few thousand in a region); a longer list is refused with a message, not written in part.
MAX_ROWS = 20_000


def _headers() -> list[str]:
    return [
        _("First name"),
        _("Last name"),
        _("Job title"),
        _("Health trust"),
        _("Network"),
        _("E-mail"),
        _("Status"),
        _("Registered"),
        _("Comment"),
    ]


def _rows(registrations: Iterable[Registration]) -> Iterator[list[Any]]:
    for r in registrations:
        if r.status == Registration.Status.CANCELLED:
            continue
        yield [
            r.person.first_name,
            r.person.last_name,
            r.person.title,
            r.trust.name if r.trust else "",
            r.network.name if r.network else "",
            r.person.email,
            str(r.get_status_display()),
            date_format(timezone.localtime(r.registered_at), "SHORT_DATETIME_FORMAT"),
            r.comment,
        ]


def registrations_csv(registrations: Iterable[Registration]) -> str:
    """Semicolon-separated, as Norwegian Excel expects, with a BOM so Excel reads it as UTF-8."""
    return write_csv(_headers(), _rows(registrations), max_rows=MAX_ROWS)


def registrations_xlsx(event: Event, registrations: Iterable[Registration]) -> bytes:
    widths = (16, 18, 30, 28, 30, 30, 18, 17, 40)
    columns = [Column(header, width) for header, width in zip(_headers(), widths, strict=True)]
    sheet = Sheet(_("Registrations"), columns, _rows(registrations))
    return write_xlsx([sheet], max_rows=MAX_ROWS, title=event.title)
