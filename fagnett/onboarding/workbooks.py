"""The import's files: the templates it hands out, and the reading of what comes back.

A template (``template``) is written through ``core.spreadsheet``: the column titles in the person's language on the
first row, a help sheet, a hidden sheet of field codes (``schema.CODES_SHEET``) and drop-downs where the values are a
fixed list (or the names on another sheet of the same workbook). What comes back is an .xlsx template or the ZIP of a
region's export (its CSV files have the field codes as headers); either is read (``read_upload``) in a child process
under the upload limits (``core.forked``), after the package's unpacking bounds are checked, into plain rows:
``ParsedFile``. Reading checks only the shape (sheets, columns, the number of rows); the values are checked by the
service, which names each problem by sheet, row and column.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from fagnett.core import forked
from fagnett.core.packages import PackageRefused, check_package
from fagnett.core.spreadsheet import Column, Sheet, needs_quote, write_xlsx
from fagnett.onboarding.schema import CODES_SHEET, KIND_OF_SHEET, KINDS, SHEETS, Kind, SheetSpec, titles

#: the name of the help sheet in a template
HELP_SHEET_CODE = "help"
#: what a cell of the export's CSV files may start with that the export added (``core.spreadsheet.safe_cell``)
_QUOTE = "'"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the files, where it is: file, sheet, row (as the spreadsheet numbers it) and column."""

    file: str
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.sheet:
            where.append(_("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.row:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}"


class ReadFailed(Exception):
    """The files cannot be imported; every problem is named."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the child that reads the file
        return (type(self), (self.problems,))


@dataclass
class ParsedRow:
    number: int
    #: column code → the cell's value (text stripped; numbers, dates and times as the workbook holds them)
    values: dict[str, Any]


@dataclass
class ParsedSheet:
    code: str
    #: the sheet's title in the file, for messages
    title: str
    #: column code → the header the file has for it, for messages
    headers: dict[str, str]
    rows: list[ParsedRow] = field(default_factory=list)

    def header(self, code: str) -> str:
        return self.headers.get(code) or str(SHEETS[self.code].column(code).title)


@dataclass
class ParsedFile:
    kind: str
    name: str
    sheets: dict[str, ParsedSheet] = field(default_factory=dict)


# --- The template ------------------------------------------------------------------------------------------------


def _range(sheet: SheetSpec, column_code: str) -> str:
    from openpyxl.utils import get_column_letter, quote_sheetname

    index = [c.code for c in sheet.columns].index(column_code) + 1
    letter = get_column_letter(index)
    return f"{quote_sheetname(str(sheet.title)[:31])}!${letter}$2:${letter}${sheet.max_rows + 1}"


def template(*, kind: Kind, trusts: Sequence[str], networks: Sequence[str]) -> bytes:
    """The empty workbook of ``kind`` in the current language.

    ``trusts`` (the region's trusts and the RHF) and ``networks`` (the region's networks) fill the drop-downs of
    columns that name them when the workbook has no sheet of its own to take the names from; those drop-downs only
    warn, as the names may come from another file of the same import.
    """
    sheets = []
    codes: list[list[Any]] = []
    for spec in kind.sheets:
        columns = []
        for index, column in enumerate(spec.columns, start=1):
            title = str(column.title) + (" *" if column.required else "")
            choices: Sequence[str] = ()
            choices_from = ""
            strict = True
            if column.choices is not None:
                choices = [str(label) for label in column.choices.labels]
            elif column.names_from and KIND_OF_SHEET[column.names_from[0]] == kind.code:
                choices_from = _range(SHEETS[column.names_from[0]], column.names_from[1])
            elif column.names_from or column.trusts:
                choices = list(trusts) if column.trusts or column.names_from == ("trusts", "name") else list(networks)
                strict = False
            columns.append(Column(title, width=column.width, choices=choices, choices_from=choices_from, strict=strict))
            codes.append([kind.code, str(spec.title)[:31], spec.code, index, column.code])
        sheets.append(Sheet(str(spec.title), columns, [], freeze="A2"))
    help_rows: list[list[Any]] = [[str(kind.title), "", str(kind.help)], ["", "", ""]]
    help_rows.append(["", "", _("Columns marked * must be filled in. Do not rename the sheets.")])
    for spec in kind.sheets:
        help_rows.append([str(spec.title), "", str(spec.help)])
        for column in spec.columns:
            required = _("required") if column.required else ""
            help_rows.append(["", str(column.title), f"{column.help} {required}".strip()])
    sheets.append(
        Sheet(
            _("Help"),
            [Column(_("Sheet"), width=24), Column(_("Column"), width=28), Column(_("What to write"), width=90)],
            help_rows,
            freeze=None,
        )
    )
    sheets.append(
        Sheet(
            CODES_SHEET,
            [Column("kind"), Column("sheet"), Column("sheet_code"), Column("column"), Column("code")],
            codes,
            freeze=None,
            bold_header=False,
            hidden=True,
        )
    )
    return write_xlsx(sheets, max_rows=max(s.max_rows for s in kind.sheets), exact_text=True, title=str(kind.title))


# --- Reading -----------------------------------------------------------------------------------------------------

_NOT_A_WORKBOOK: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
)


def _too_large(name: str) -> ReadFailed:
    return ReadFailed([Problem(name, "", 0, "", _("The file is too large or too complex to read. Split it."))])


def read_upload(*, kind: str, name: str, data: bytes) -> ParsedFile:
    """The rows of an uploaded template of ``kind``; ``ReadFailed`` naming every problem of its shape."""
    if not data:
        raise ReadFailed([Problem(name, "", 0, "", _("The file is empty."))])
    try:
        check_package(io.BytesIO(data)).close()
    except PackageRefused as refused:
        if refused.not_a_package:
            raise ReadFailed([Problem(name, "", 0, "", _("The file is not an Excel workbook (.xlsx)."))]) from None
        raise _too_large(name) from None
    try:
        return forked.call(_read_xlsx, kind, name, data, limits=forked.upload_limits())
    except forked.LimitExceeded:
        raise _too_large(name) from None


def read_export(*, name: str, data: bytes) -> list[ParsedFile]:
    """The organisation, people and networks of a region's export (the ZIP ``exports.region_export`` writes)."""
    if not data:
        raise ReadFailed([Problem(name, "", 0, "", _("The file is empty."))])
    try:
        check_package(io.BytesIO(data)).close()
    except PackageRefused as refused:
        if refused.not_a_package:
            raise ReadFailed(
                [Problem(name, "", 0, "", _("The file is not a ZIP file from Fagnett's export."))]
            ) from None
        raise _too_large(name) from None
    try:
        return forked.call(_read_export, name, data, limits=forked.upload_limits())
    except forked.LimitExceeded:
        raise _too_large(name) from None


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _match_columns(
    spec: SheetSpec, header: Sequence[Any], codes_by_index: dict[int, str], file: str, sheet_title: str
) -> tuple[dict[int, str], dict[str, str], list[Problem]]:
    """Each header cell's column code (by title in any language or by code, else by the template's hidden code)."""
    from openpyxl.utils import get_column_letter

    by_title: dict[str, str] = {}
    for column in spec.columns:
        by_title[column.code.lower()] = column.code
        for title in titles(column.title):
            by_title[title] = column.code
            by_title[f"{title} *"] = column.code
    found: dict[int, str] = {}
    headers: dict[str, str] = {}
    problems = []
    for index, value in enumerate(header, start=1):
        text = str(value).strip() if value is not None else ""
        if not text:
            continue
        code = by_title.get(text.lower()) or codes_by_index.get(index)
        if code is None:
            continue  # a column of the person's own (notes): not read
        if code in headers:
            problems.append(
                Problem(
                    file,
                    sheet_title,
                    1,
                    text,
                    _("The column %(column)s is there twice (also column %(letter)s).")
                    % {"column": text, "letter": get_column_letter(next(i for i, c in found.items() if c == code))},
                )
            )
            continue
        found[index] = code
        headers[code] = text.removesuffix(" *")
    for column in spec.columns:
        if column.required and column.code not in headers:
            problems.append(
                Problem(
                    file,
                    sheet_title,
                    1,
                    str(column.title),
                    _("The column %(column)s is missing. Download the template again, or add the column.")
                    % {"column": column.title},
                )
            )
    return found, headers, problems


def _rows(
    spec: SheetSpec, rows: Iterable[Sequence[Any]], columns: dict[int, str], parsed: ParsedSheet, file: str
) -> list[Problem]:
    for number, raw in enumerate(rows, start=2):
        if number > spec.max_rows + 1:
            message = _(
                "The sheet has more than %(limit)s rows (blank ones counted); the import reads at most that many. "
                "Delete the rows you do not use, or split the file."
            ) % {"limit": formats.number_format(spec.max_rows, force_grouping=True)}
            return [Problem(file, parsed.title, number, "", message)]
        values = {code: _cell(raw[index - 1]) for index, code in columns.items() if index - 1 < len(raw)}
        if all(value is None for value in values.values()):
            continue
        parsed.rows.append(ParsedRow(number, values))
    return []


def _sheet_spec(kind: Kind, title: str, code_of_title: dict[str, str]) -> SheetSpec | None:
    code = code_of_title.get(title)
    if code in SHEETS and KIND_OF_SHEET[code] == kind.code:
        return SHEETS[code]
    for spec in kind.sheets:
        if title.strip().lower() in titles(spec.title) | {spec.code}:
            return spec
    return None


def _no_sheets(kind: Kind, name: str) -> ReadFailed:
    expected = ", ".join(str(spec.title) for spec in kind.sheets)
    return ReadFailed(
        [
            Problem(
                name,
                "",
                0,
                "",
                _("The workbook has none of the sheets of the %(kind)s template (%(sheets)s). Is it the right file?")
                % {"kind": str(kind.title).lower(), "sheets": expected},
            )
        ]
    )


def _iter_rows(sheet: Any, errors: tuple[type[Exception], ...], name: str) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows; XML that breaks off half-way is a damaged file, not a server error."""
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except errors:
            raise ReadFailed([Problem(name, "", 0, "", _("The file is not an Excel workbook (.xlsx)."))]) from None
        yield row


def _read_xlsx(kind_code: str, name: str, data: bytes) -> ParsedFile:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    kind = KINDS[kind_code]
    errors = (InvalidFileException, *_NOT_A_WORKBOOK)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except errors:
        raise ReadFailed([Problem(name, "", 0, "", _("The file is not an Excel workbook (.xlsx)."))]) from None
    # The hidden sheet of codes: sheet title → code, and (sheet title, column number) → column code.
    code_of_title: dict[str, str] = {}
    column_codes: dict[str, dict[int, str]] = {}
    if CODES_SHEET in book.sheetnames:
        for row in list(_iter_rows(book[CODES_SHEET], errors, name))[1:]:
            if len(row) >= 5 and row[0] == kind.code and row[1] and row[2] and isinstance(row[3], int | float):
                code_of_title[str(row[1])] = str(row[2])
                column_codes.setdefault(str(row[1]), {})[int(row[3])] = str(row[4])
    parsed = ParsedFile(kind.code, name)
    problems: list[Problem] = []
    for title in book.sheetnames:
        spec = _sheet_spec(kind, title, code_of_title)
        if spec is None or spec.code in parsed.sheets:
            continue
        rows = _iter_rows(book[title], errors, name)
        header = next(rows, ())
        columns, headers, found = _match_columns(spec, header, column_codes.get(title, {}), name, title)
        problems += found
        sheet = ParsedSheet(spec.code, title, headers)
        if not found:
            problems += _rows(spec, rows, columns, sheet, name)
        parsed.sheets[spec.code] = sheet
    if not parsed.sheets:
        raise _no_sheets(kind, name)
    if problems:
        raise ReadFailed(problems)
    return parsed


#: the export's CSV files the import reads back, by sheet code
EXPORT_FILES = {
    code: f"{code}.csv"
    for code in ("trusts", "hospitals", "units", "people", "task_list", "networks", "mandates", "appointments")
}


def _unquote(value: str) -> str:
    """The text as it was before the export put an apostrophe in front of what would start a formula."""
    if value.startswith(_QUOTE) and needs_quote(value[1:]):
        return value[1:]
    return value


def _read_export(name: str, data: bytes) -> list[ParsedFile]:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except _NOT_A_WORKBOOK:
        raise ReadFailed([Problem(name, "", 0, "", _("The file is not a ZIP file from Fagnett's export."))]) from None
    with package:
        # The files at the top of the package, or in the one folder the package has at its top.
        members: dict[str, str] = {}
        for member in package.namelist():
            base = member.rsplit("/", 1)[-1]
            if base in EXPORT_FILES.values() and member.count("/") <= 1:
                members.setdefault(base, member)
        files: dict[str, ParsedFile] = {}
        problems: list[Problem] = []
        for code, filename in EXPORT_FILES.items():
            if filename not in members:
                continue
            try:
                text = package.read(members[filename]).decode("utf-8-sig")
            except _NOT_A_WORKBOOK:  # UnicodeDecodeError is a ValueError
                problems.append(Problem(name, filename, 0, "", _("The file is not UTF-8 text.")))
                continue
            spec = SHEETS[code]
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
            header = next(reader, [])
            columns, headers, found = _match_columns(spec, header, {}, name, filename)
            problems += found
            sheet = ParsedSheet(code, filename, headers)
            if not found:
                rows = ([_unquote(cell) for cell in row] for row in reader)
                problems += _rows(spec, rows, columns, sheet, name)
            kind = KIND_OF_SHEET[code]
            files.setdefault(kind, ParsedFile(kind, name)).sheets[code] = sheet
    if problems:
        raise ReadFailed(problems)
    if not files:
        raise ReadFailed(
            [
                Problem(
                    name,
                    "",
                    0,
                    "",
                    _("The ZIP file holds none of the export's files the import reads (%(files)s).")
                    % {"files": ", ".join(EXPORT_FILES.values())},
                )
            ]
        )
    return [files[kind] for kind in KINDS if kind in files]


def parse_date(value: Any) -> datetime.date | None:
    """A date from a date cell, or text written dd.mm.yyyy (or d.m.yy) or yyyy-mm-dd; ``None`` if it is none."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 — a date, no time of day
        except ValueError:
            continue
    return None


def parse_time(value: Any) -> datetime.time | None:
    if isinstance(value, datetime.datetime):
        return value.time()
    if isinstance(value, datetime.time):
        return value
    if isinstance(value, float) and 0 <= value < 1:  # a time typed into a general cell: a fraction of a day
        minutes = round(value * 24 * 60)
        return datetime.time(minutes // 60, minutes % 60)
    if not isinstance(value, str):
        return None
    text = value.strip().replace(".", ":")
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).time()  # noqa: DTZ007 — a time of day in Oslo
        except ValueError:
            continue
    return None
