"""The region's audit log as CSV and Excel, with the filters of the page: one row per historical row."""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fagnett.audit.changes import Entry
from fagnett.core.spreadsheet import safe_cell


def _headers() -> list[str]:
    return [
        _("When"),
        _("Person"),
        # The kind of change (created, changed, deleted); "Action" alone is the meetings' action item.
        pgettext("audit log column", "Action"),
        _("Type"),
        _("Record"),
        _("Record no."),
        _("Network"),
        _("What changed"),
        _("Reason"),
    ]


def _changes(entry: Entry) -> str:
    if not entry.readable:
        return _("Not shown: you cannot read this record.")
    return entry.changes_text()


def _rows(entries: Iterable[Entry]) -> Iterator[list[Any]]:
    for entry in entries:
        yield [
            timezone.localtime(entry.at).replace(tzinfo=None, microsecond=0),
            entry.person,
            entry.action_name,
            str(entry.kind.name),
            entry.record,
            entry.record_id,
            entry.network,
            _changes(entry),
            entry.reason,
        ]


def log_csv(entries: Iterable[Entry]) -> str:
    """Semicolon-separated, as Norwegian Excel expects, with a BOM so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_headers())
    for row in _rows(entries):
        row[0] = row[0].strftime("%d.%m.%Y %H:%M:%S")
        writer.writerow([safe_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def log_xlsx(entries: Iterable[Entry], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Audit log")[:31]
    sheet.append([safe_cell(header) for header in _headers()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(entries):
        sheet.append([safe_cell(value) for value in row])
        sheet.cell(row=sheet.max_row, column=1).number_format = "dd.mm.yyyy hh:mm:ss"
        sheet.cell(row=sheet.max_row, column=8).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGHI", (19, 26, 12, 22, 44, 11, 30, 70, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
