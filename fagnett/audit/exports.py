"""The region's audit log as CSV and Excel, with the filters of the page: one row per historical row."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fagnett.audit.changes import Entry
from fagnett.core.spreadsheet import Column, Sheet, write_csv, write_xlsx

#: The most rows one export holds, CSV or Excel. The view counts the filtered log first and refuses a larger one
#: with a message (narrow the period, the person or the network). 50 000 rows took 13 s of CPU as Excel and 7.5 s
#: as CSV on the benchmark machine (bench/RESULTS.md), within a worker's 30-second timeout.
MAX_ROWS = 50_000


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

    return write_csv(_headers(), _rows(entries), max_rows=MAX_ROWS)


#: widths of the columns in Excel, in the order of ``_headers``
_WIDTHS = (19, 26, 12, 22, 44, 11, 30, 70, 30)


def log_xlsx(entries: Iterable[Entry], *, title: str) -> bytes:
    """One sheet, written row by row: 50 000 rows take seconds (bench/audit_export.py), not the worker's life."""
    columns = [Column(header, width) for header, width in zip(_headers(), _WIDTHS, strict=True)]
    columns[0] = Column(columns[0].header, columns[0].width, number_format="dd.mm.yyyy hh:mm:ss")
    columns[7] = Column(columns[7].header, columns[7].width, wrap=True)
    sheet = Sheet(_("Audit log"), columns, _rows(entries))
    return write_xlsx([sheet], max_rows=MAX_ROWS, title=title)
