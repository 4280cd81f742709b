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
import datetime
import decimal
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone, translation
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
        writer.writerow([_csv_value(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def _csv_value(value: Any) -> Any:
    """A value as the reader's spreadsheet reads it in their language: decimals with the language's separator (a
    decimal comma in Norwegian, where the semicolon already separates the fields), dates and times in its short
    formats (24-hour clock, with seconds: an audit log needs them), no thousands separators (a spreadsheet would read
    them as text)."""
    if value is None:
        return ""
    if isinstance(value, int):  # and bool
        return value
    if isinstance(value, float | decimal.Decimal):
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{formats.date_format(value, 'SHORT_DATE_FORMAT')} {formats.time_format(value, 'H:i:s')}"
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return safe_cell(value)


# --- XLSX ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellRule:
    """Input validation Excel itself applies to a column's cells (a data validation): it refuses another value
    with ``message`` in a box titled ``title``, before the file is ever uploaded. ``kind`` is Excel's: "whole"
    (whole numbers), "decimal" or "textLength"; the value must lie between ``minimum`` and ``maximum``. A blank
    cell is allowed (blank is "not reported")."""

    kind: str
    minimum: float
    maximum: float
    title: str
    message: str


@dataclass(frozen=True)
class Column:
    header: str
    width: float | None = None
    #: Excel's number format for the column's values, e.g. "dd.mm.yyyy hh:mm:ss"
    number_format: str | None = None
    wrap: bool = False
    #: a drop-down on the column's cells below the header offering these values, and refusing others (the values are
    #: kept on a hidden sheet, ``LISTS_SHEET``, since Excel takes at most 255 characters of list in the rule itself)
    choices: Sequence[str] = ()
    #: a drop-down offering the values of a range of the workbook instead, e.g. ``"Helseforetak!$B$2:$B$5000"``: a
    #: list that grows as the person fills in another sheet. Other values are allowed with a warning.
    choices_from: str = ""
    #: with ``choices``: refuse other values (``True``), or only warn, for a list that may not be complete yet
    strict: bool = True
    #: input validation in Excel for the column's cells below the header
    rule: CellRule | None = None
    #: the column's code in the sheet's hidden first row (``Sheet.codes``)
    code: str = ""


#: the hidden sheet holding the values of the drop-downs (``Column.choices``)
LISTS_SHEET = "_lists"


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    #: the header row stays in view when scrolling; the cell below and right of what stays ("F2": five columns too)
    freeze: str | None = "A2"
    bold_header: bool = True
    #: hidden from the person reading the workbook (e.g. the field codes an import reads back), not from a program
    hidden: bool = False
    #: a first row of the columns' codes (``Column.code``), hidden, above the header in the person's language: what an
    #: import reads to find its columns whatever the language of the titles
    codes: bool = False


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


def _rule(worksheet: Any, rule: CellRule, cells: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(
        type=rule.kind,
        operator="between",
        formula1=_excel_number(rule.minimum),
        formula2=_excel_number(rule.maximum),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=_text(rule.title)[:32],  # Excel's limits: 32 characters of title, 255 of message
        error=_text(rule.message)[:255],
        showInputMessage=False,
    )
    validation.add(cells)
    worksheet.data_validations.append(validation)


def _excel_number(value: float) -> str:
    """A bound in a validation's formula: Excel's formulas always take a decimal point, whatever the language."""
    return repr(int(value)) if float(value).is_integer() else repr(float(value))


def _drop_down(worksheet: Any, column: Column, letter: str, source: str, last_row: int, first_row: int = 2) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    strict = column.strict and not column.choices_from
    rule = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle=gettext("Not in the list"),
        error=gettext("Choose one of the values in the list."),
    )
    rule.add(f"{letter}{first_row}:{letter}{last_row}")
    worksheet.data_validations.append(rule)


def _write_sheets(workbook: Any, sheets: Iterable[Sheet], *, max_rows: int, exact_text: bool) -> None:
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter, quote_sheetname

    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    # The values of every drop-down, one column each of the hidden lists sheet, written after the other sheets.
    lists: dict[tuple[str, ...], str] = {}
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=_text(sheet.title)[:31])
        if sheet.hidden:
            worksheet.sheet_state = "hidden"
        first_row = 3 if sheet.codes else 2
        # A drop-down covers the rows an import reads (the bound of the file), not Excel's million.
        last_row = min(max_rows + first_row - 1, 1_048_576)
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            if column.choices:
                offered = tuple(column.choices)
                if offered not in lists:
                    list_letter = get_column_letter(len(lists) + 1)
                    lists[offered] = f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$1:${list_letter}${len(offered)}"
                _drop_down(worksheet, column, letter, lists[offered], last_row, first_row)
            elif column.choices_from:
                _drop_down(worksheet, column, letter, column.choices_from, last_row, first_row)
            if column.rule is not None:
                _rule(worksheet, column.rule, f"{letter}{first_row}:{letter}{last_row}")
        for index, column in enumerate(sheet.columns, start=1):
            if column.width:
                worksheet.column_dimensions[get_column_letter(index)].width = column.width
        if sheet.freeze:
            worksheet.freeze_panes = sheet.freeze
        if sheet.codes:
            worksheet.row_dimensions[1].hidden = True
            worksheet.append([safe_cell(_text(column.code)) for column in sheet.columns])
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=safe_cell(_text(column.header)))
            if sheet.bold_header:
                cell.font = bold
            header.append(cell)
        worksheet.append(header)
        styled = [(i, c) for i, c in enumerate(sheet.columns) if c.number_format or c.wrap]

        date_formats = _date_formats()
        for row in _bounded(sheet.rows, max_rows):
            values: list[Any] = [_xlsx_value(worksheet, v, exact_text, date_formats) for v in row]
            for i, column in styled:
                if i < len(values) and values[i] is not None:
                    cell = values[i] if isinstance(values[i], Cell) else WriteOnlyCell(worksheet, value=values[i])
                    if column.number_format:
                        cell.number_format = column.number_format
                    if column.wrap:
                        cell.alignment = wrapped
                    values[i] = cell
            worksheet.append(values)
    if lists:
        hidden = workbook.create_sheet(title=LISTS_SHEET)
        hidden.sheet_state = "hidden"
        offers = list(lists)
        for line in range(max(len(offer) for offer in offers)):
            hidden.append(
                [_text_cell(hidden, offer[line], exact_text) if line < len(offer) else None for offer in offers]
            )


def _date_formats() -> dict[type, str]:
    """Excel's display formats for date and date-and-time cells in the reader's language (a cell's own number format,
    not the reader's Windows settings, decides how Excel shows it)."""
    if (translation.get_language() or "nb").startswith("en"):
        return {datetime.datetime: "dd/mm/yyyy hh:mm", datetime.date: "dd/mm/yyyy"}
    return {datetime.datetime: "dd.mm.yyyy hh:mm", datetime.date: "dd.mm.yyyy"}


def _xlsx_value(worksheet: Any, value: Any, exact_text: bool, date_formats: dict[type, str]) -> Any:
    """Text through ``_text_cell``; dates and times as real date cells in local time (Excel has no time zones) shown
    in the reader's format, unless the column sets its own (``Column.number_format``)."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        return _text_cell(worksheet, value, exact_text)
    if isinstance(value, datetime.date):
        kind = datetime.datetime if isinstance(value, datetime.datetime) else datetime.date
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = date_formats[kind]
        return cell
    return value


def _text_cell(worksheet: Any, value: str, exact_text: bool) -> Any:
    """Text as a cell value: an apostrophe before text that would start a formula, or (``exact_text``) a text cell
    marked "quote prefix"."""
    from openpyxl.cell import WriteOnlyCell

    value = _text(value)
    if not needs_quote(value):
        return value
    if not exact_text:
        return "'" + value
    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"  # openpyxl makes text starting with "=" a formula; this one is text
    cell.quotePrefix = True
    return cell
