"""What every spreadsheet the product writes goes through: formula-safe cells, a bound on rows, linear XLSX.

Every CSV and XLSX file is written by ``write_csv`` or ``write_xlsx``; nothing else in the product makes a
``csv.writer`` or an openpyxl ``Workbook`` to write (``tests/test_spreadsheet_exports.py`` checks the source, and
downloads every export with hostile names in the data). Both put every cell through ``safe_cell`` and refuse more
rows than the export's bound with ``TooManyRows`` before anything is sent, so a refused export leaves no half file.

Formula injection (OWASP, "CSV injection"): a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is read as a formula by Excel and LibreOffice, and a formula can open links, run DDE commands
(``=cmd|' /C calc'!A0``) or send the sheet's data away. Such text is written with a leading apostrophe, so it is
shown as the text it is. Numbers stay numbers (a negative number written as a number is not a formula); only text
is changed.
"""

import contextlib
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats
from django.utils.translation import gettext

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: text starting with one of these (after any blanks) is read as a formula, or as the start of one: the four of
#: OWASP, the pipe of DDE, and their full-width forms (which East Asian input turns into the ASCII ones)
FORMULA_STARTS = frozenset("=+-@|\uff1d\uff0b\uff0d\uff20\uff5c")
#: text starting with one of these is quoted whatever follows (OWASP: tab and carriage return; line feed too)
CONTROL_STARTS = frozenset("\t\r\n")
#: what a spreadsheet may skip before it looks for "=": every Unicode space and line break, and invisible marks
_BLANK_START = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*")
#: what an XML file cannot hold (openpyxl refuses it): control characters other than tab and line breaks
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: the longest text one Excel cell holds
XLSX_CELL_MAX = 32_767


def needs_quote(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula (or the start of one)?"""
    if not text or text[0].isalnum():  # the common case, and no letter or digit starts a formula
        return False
    if text[0] in CONTROL_STARTS:
        return True
    return text[_BLANK_START.match(text).end() :][:1] in FORMULA_STARTS  # type: ignore[union-attr]


def safe_cell(value: Any) -> Any:
    """Text that would start a formula is kept as text with a leading apostrophe; other values unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


class TooManyRows(Exception):
    """An export would have more rows than its bound: nothing is written, and the person is told to choose fewer."""

    def __init__(self, limit: int, count: int | None = None) -> None:
        super().__init__(f"more than {limit} rows")
        self.limit = limit
        self.count = count

    @property
    def message(self) -> str:
        values = {"limit": formats.number_format(self.limit, force_grouping=True)}
        if self.count is None:
            text = gettext("Nothing was exported: one file holds at most %(limit)s rows, and this one would have more.")
            return text % values
        values["count"] = formats.number_format(self.count, force_grouping=True)
        text = gettext(
            "Nothing was exported: one file holds at most %(limit)s rows, and this one would have %(count)s."
        )
        return text % values


def check_rows(count: int, limit: int) -> None:
    """Refuse an export known to hold ``count`` rows before any of it is made."""
    if count > limit:
        raise TooManyRows(limit, count)


def _bounded(rows: Iterable[Sequence[Any]], limit: int) -> Iterable[Sequence[Any]]:
    for number, row in enumerate(rows, start=1):
        if number > limit:
            raise TooManyRows(limit)
        yield row


# --- CSV -----------------------------------------------------------------------------------------------------------


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, max_rows: int) -> str:
    """Semicolon-separated, as Norwegian Excel expects, with a BOM so Excel reads it as UTF-8; blanks for None.

    Every field is in double quotes, as OWASP advises for CSV injection (with the apostrophe of ``safe_cell``);
    Excel still reads a quoted number as a number.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow([safe_cell(value) for value in header])
    for row in _bounded(rows, max_rows):
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


# --- XLSX ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    width: float | None = None
    #: Excel's number format for the column's values, e.g. "dd.mm.yyyy hh:mm:ss"
    number_format: str | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    #: the header row stays in view when scrolling; the cell below and right of what stays ("F2": five columns too)
    freeze: str | None = "A2"
    bold_header: bool = True


def _text(value: str) -> str:
    value = _NOT_IN_XML.sub("", value)
    return value if len(value) <= XLSX_CELL_MAX else value[: XLSX_CELL_MAX - 1] + "…"


def write_xlsx(sheets: Iterable[Sheet], *, max_rows: int, title: str = "", exact_text: bool = False) -> bytes:
    """The sheets as one workbook, written row by row (openpyxl's write-only mode: time and memory grow linearly).

    ``exact_text`` is for files that come back (the capacity template): text that would start a formula is then
    stored as a text cell marked "quote prefix", as Excel itself stores text typed after an apostrophe, instead of
    getting an apostrophe in front; it is never a formula, and reads back exactly as written.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    try:
        _write_sheets(workbook, sheets, max_rows=max_rows, exact_text=exact_text)
    except BaseException:
        _discard(workbook)
        raise
    if title:
        workbook.properties.title = _text(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _discard(workbook: Any) -> None:
    """Close a write-only workbook left half-written (a refused export): its streams, then its temporary files."""
    for worksheet in workbook._sheets:
        for close in (getattr(worksheet._rows, "close", None), getattr(worksheet._writer, "close", None)):
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        if worksheet._writer is not None:
            with contextlib.suppress(Exception):
                worksheet._writer.cleanup()


def _write_sheets(workbook: Any, sheets: Iterable[Sheet], *, max_rows: int, exact_text: bool) -> None:
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=_text(sheet.title)[:31])
        for index, column in enumerate(sheet.columns, start=1):
            if column.width:
                worksheet.column_dimensions[get_column_letter(index)].width = column.width
        if sheet.freeze:
            worksheet.freeze_panes = sheet.freeze
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=safe_cell(_text(column.header)))
            if sheet.bold_header:
                cell.font = bold
            header.append(cell)
        worksheet.append(header)
        styled = [(i, c) for i, c in enumerate(sheet.columns) if c.number_format or c.wrap]

        def text_cell(value: str, worksheet: Any = worksheet) -> Any:
            value = _text(value)
            if not needs_quote(value):
                return value
            if not exact_text:
                return "'" + value
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"  # openpyxl makes text starting with "=" a formula; this one is text
            cell.quotePrefix = True
            return cell

        for row in _bounded(sheet.rows, max_rows):
            values: list[Any] = [text_cell(v) if isinstance(v, str) else v for v in row]
            for i, column in styled:
                if i < len(values) and values[i] is not None:
                    cell = values[i] if isinstance(values[i], Cell) else WriteOnlyCell(worksheet, value=values[i])
                    if column.number_format:
                        cell.number_format = column.number_format
                    if column.wrap:
                        cell.alignment = wrapped
                    values[i] = cell
            worksheet.append(values)
