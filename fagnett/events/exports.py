"""The registration list as CSV and Excel, for name tags and catering: one row per person registered or waiting."""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.core.spreadsheet import safe_cell
from fagnett.events.models import Event, Registration


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
            timezone.localtime(r.registered_at).strftime("%d.%m.%Y %H:%M"),
            r.comment,
        ]


def registrations_csv(registrations: Iterable[Registration]) -> str:
    """Semicolon-separated, as Norwegian Excel expects, with a BOM so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_headers())
    for row in _rows(registrations):
        writer.writerow([safe_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def registrations_xlsx(event: Event, registrations: Iterable[Registration]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Registrations")[:31]
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(registrations):
        sheet.append([safe_cell(value) for value in row])
    for column, width in zip("ABCDEFGHI", (16, 18, 30, 28, 30, 30, 18, 17, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = event.title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
