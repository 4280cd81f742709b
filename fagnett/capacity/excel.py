"""The Excel way in and out: a template per round and person, an all-or-nothing import, and exports.

The template speaks the person's language: sheet names, column titles, the scenarios and statuses in its cells and
drop-downs, and the messages Excel itself shows when a cell is refused (whole beds ≥ 0, occupancy as a bounded
percentage, comments of bounded length). Its first row, hidden, holds fixed column codes (the same in every
language), which is what the import reads, so a filled-in file reads the same whoever made it. A template sent
out before (codes in the first, visible row, a sheet named "Capacity", scenario codes) still imports.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fagnett.capacity import display
from fagnett.capacity.models import (
    CATEGORIES,
    DECIMAL_FIELDS,
    NUMBER_FIELDS,
    SCENARIOS,
    CapacityEntry,
    Category,
    ReportRound,
    RestrictionReason,
    Scenario,
    entry_field,
)
from fagnett.capacity.selectors import Dashboard, DimensionResult, RoundFigures
from fagnett.capacity.services import EntryInput
from fagnett.capacity.validation import (
    COMMENT_MAX_LENGTH,
    MAX_PERCENT,
    entry_errors,
    jump_warnings,
    parse_number,
    scenario_order_errors,
)
from fagnett.core import forked, formatting
from fagnett.core.packages import PackageRefused, check_package
from fagnett.core.spreadsheet import CellRule, Column, Sheet, check_rows, write_csv, write_xlsx
from fagnett.organisations.models import Unit

#: the data sheet's name in templates made before it was translated, and in English
SHEET = "Capacity"
#: the sheets' names in the person's language
SHEET_TITLE = gettext_lazy("Capacity")
HELP_SHEET = gettext_lazy("Help")
KEY_COLUMNS = ("unit_id", "unit", "hospital", "category", "scenario")
TEXT_COLUMNS = ("status", "restrictions", "comment", "correction_reason")
COLUMNS = (*KEY_COLUMNS, *NUMBER_FIELDS, *TEXT_COLUMNS)
#: The most rows of a filled-in template the import reads (and of a template made): 20 000 is a region's every
#: ICU unit × 3 categories × 4 scenarios many times over. A longer file is refused with a message naming the limit.
MAX_ROWS = 20_000
#: The most rows of a round's export (CSV or Excel): every current entry of the region's units, a few thousand.
MAX_EXPORT_ROWS = 50_000


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int
    column: str
    message: str

    @property
    def column_label(self) -> str:
        """The column as the person sees it in the template: its title and letter ("Bemannede senger (G)"); the
        code only in the hidden first row."""
        if self.column not in COLUMNS:
            return self.column
        index = COLUMNS.index(self.column)
        letter = (chr(64 + index // 26) if index >= 26 else "") + chr(65 + index % 26)
        return f"{_titles()[self.column]} ({letter})"

    def __str__(self) -> str:
        where = _("Sheet %(sheet)s, row %(row)s") % {"sheet": self.sheet, "row": self.row}
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the child process that reads the file (``core.forked``)
        return (type(self), (self.problems,))


class JumpWarnings(ImportFailed):
    """The file is valid but changes much from the last round: the reporter confirms before it is saved."""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _titles() -> dict[str, str]:
    """Each column's title in the active language (the codes are in the template's hidden first row)."""
    titles = {
        "unit_id": _("Unit number"),
        "unit": _("Unit"),
        "hospital": _("Hospital"),
        "category": _("Bed category"),
        "scenario": _("Scenario"),
        "status": _("Status"),
        "restrictions": _("Restriction reasons"),
        "comment": _("Comment"),
        "correction_reason": _("Reason for the correction"),
    }
    titles.update({name: str(entry_field(name).verbose_name).capitalize() for name in NUMBER_FIELDS})
    return {name: titles[name] for name in COLUMNS}


def _rules() -> dict[str, CellRule]:
    """What Excel itself refuses in the template, with the message it shows (the import checks again)."""
    whole = CellRule("whole", 0, 100_000, _("Whole number"), _("Write a whole number of 0 or more (no decimals)."))
    rules = {name: whole for name in NUMBER_FIELDS if name not in DECIMAL_FIELDS}
    decimal = CellRule("decimal", 0, 99_999.9, _("Number"), _("Write a number of 0 or more."))
    rules.update(dict.fromkeys(DECIMAL_FIELDS, decimal))
    occupancy = CellRule(
        "decimal",
        0,
        float(MAX_PERCENT),
        _("Occupancy in per cent"),
        _("Write the occupancy as a percentage from 0 to %(max)s, e.g. %(example)s.")
        % {"max": formatting.number(MAX_PERCENT, 1), "example": formatting.number(85.5, 1)},
    )
    rules.update({"occupancy_mean": occupancy, "occupancy_p90": occupancy})
    rules["comment"] = CellRule(
        "textLength",
        0,
        COMMENT_MAX_LENGTH,
        _("Comment too long"),
        _("Write at most %(limit)s characters.") % {"limit": formatting.number(COMMENT_MAX_LENGTH)},
    )
    return rules


def _labels(choices: Any) -> list[str]:
    return [str(label) for label in choices.labels]


def _choice_codes(choices: Any) -> dict[str, str]:
    """Every way a cell may name a choice, lower-cased, to its code: the code (old templates, programs) and its
    label in each language (a template is filled in the language it was made in)."""
    codes = {str(value).lower(): str(value) for value in choices.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            codes.update({str(label).lower(): str(value) for value, label in choices.choices})
    return codes


def _sheet_names() -> set[str]:
    names = {SHEET}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.add(str(SHEET_TITLE))
    return names


def _all_titles() -> set[str]:
    """The unit number column's title in every language: how the import knows the title row below the codes."""
    titles = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            titles.add(_titles()["unit_id"])
    return titles


def template(
    *, round_: ReportRound, units: list[Unit], current: dict[Any, CapacityEntry], previous: dict[Any, Any]
) -> bytes:
    """A workbook with one row per unit × category × scenario, filled with this round's values or the last.

    It goes out and comes back: never more rows than the import takes (``MAX_ROWS``), and names and comments
    that would start a formula are stored as text marked "quote prefix" (``write_xlsx(exact_text=True)``), so they
    are never formulas and read back exactly as written.
    """
    check_rows(len(units) * len(Category.values) * len(Scenario.values), MAX_ROWS)
    scenario_label = dict(Scenario.choices)
    status_label = dict(CapacityEntry.Status.choices)
    reason_label = dict(RestrictionReason.choices)

    def rows() -> Iterator[list[Any]]:
        for unit in units:
            for category in Category.values:
                for scenario in Scenario.values:
                    cell = (unit.pk, category, scenario)
                    entry = current.get(cell) or (previous.get(cell) or {}).get("entry")
                    row: list[Any] = [unit.pk, unit.name, unit.hospital.name, category, str(scenario_label[scenario])]
                    for name in NUMBER_FIELDS:
                        value = getattr(entry, name) if entry is not None else None
                        row.append(float(value) if value is not None and name in _DECIMALS else value)
                    row += [
                        str(status_label.get(entry.status, entry.status)) if entry and entry.status else "",
                        ", ".join(str(reason_label.get(r, r)) for r in entry.restrictions) if entry else "",
                        entry.comment if entry else "",
                        "",
                    ]
                    yield row

    titles = _titles()
    rules = _rules()
    choices = {
        "category": list(Category.values),
        "scenario": _labels(Scenario),
        "status": _labels(CapacityEntry.Status),
    }
    columns = [
        Column(titles[name], code=name, choices=choices.get(name, ()), rule=rules.get(name), width=_width(name))
        for name in COLUMNS
    ]
    help_rows = [
        ["", "", _("Round: %(round)s. Blank means not reported, not zero.") % {"round": round_.name}],
        *([titles[name], name, _column_help(name)] for name in COLUMNS),
    ]
    sheets = [
        Sheet(str(SHEET_TITLE), columns, rows(), freeze="F3", codes=True),
        Sheet(
            str(HELP_SHEET),
            [Column(_("Column"), width=28), Column(_("Code"), width=20), Column(_("Meaning"), width=80, wrap=True)],
            help_rows,
            freeze=None,
        ),
    ]
    return write_xlsx(
        sheets, max_rows=MAX_ROWS, exact_text=True, title=_("Capacity report, %(round)s") % {"round": round_.name}
    )


def _width(name: str) -> float:
    return {"unit": 28, "hospital": 24, "scenario": 24, "comment": 40, "correction_reason": 30}.get(name, 14)


_DECIMALS = frozenset({"nurses_fte", "vacancies_fte", "occupancy_mean", "occupancy_p90", "mean_length_of_stay"})


def _column_help(name: str) -> str:
    if name in NUMBER_FIELDS:
        return str(entry_field(name).verbose_name).capitalize()
    return {
        "unit_id": _("The unit's number in Fagnett; do not change it."),
        "unit": _("The unit's name (not read)."),
        "hospital": _("The hospital (not read)."),
        "category": _("Bed category: K1, K2 or K3."),
        "scenario": _("Scenario: %(values)s.") % {"values": ", ".join(_labels(Scenario))},
        "status": _("%(values)s, or blank") % {"values": ", ".join(_labels(CapacityEntry.Status))},
        "restrictions": _("Restriction reasons separated by commas: %(values)s.")
        % {"values": ", ".join(_labels(RestrictionReason))},
        "comment": _("Comment (at most %(limit)s characters)") % {"limit": formatting.number(COMMENT_MAX_LENGTH)},
        "correction_reason": _("Only for a closed round: why the numbers are corrected."),
    }[name]


def read_upload(*, data: bytes, round_: ReportRound, units: Iterable[Unit]) -> list[EntryInput]:
    """Parse and check a filled-in template; raises ``ImportFailed`` naming every problem.

    ``units`` are those the person reports for; any other unit number is refused as unknown. The package's
    directory is checked against the unpacking bounds first (``core.packages``); then the file is read in a child
    process (``core.forked``) under the upload limits: openpyxl and a workbook of thousands of rows do not stay in
    the worker, and a workbook built to need gigabytes or minutes ends the child, not the worker.
    """
    if not data:
        raise ImportFailed([ImportProblem("-", 0, "", _("The file is empty."))])
    too_large = ImportFailed(
        [ImportProblem("-", 0, "", _("The file is too large or too complex to read. Make it smaller or split it."))]
    )
    try:
        check_package(io.BytesIO(data)).close()
    except PackageRefused as refused:
        if refused.not_a_package:
            raise ImportFailed([ImportProblem("-", 0, "", _("The file is not an Excel workbook (.xlsx)."))]) from None
        raise too_large from None
    try:
        return forked.call(_read_upload, data, round_, list(units), limits=forked.upload_limits())
    except forked.LimitExceeded:
        raise too_large from None


# What openpyxl raises on a file that is not a well-formed workbook, besides its own InvalidFileException: a damaged
# package, XML that does not parse (ParseError is a SyntaxError), entities that defusedxml forbids (a ValueError), a
# part that is missing.
_NOT_A_WORKBOOK: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
)


def _not_a_workbook() -> ImportFailed:
    return ImportFailed([ImportProblem("-", 0, "", _("The file is not an Excel workbook (.xlsx)."))])


class _NoResult:
    """A cell with a formula but no stored result: a program that does not calculate formulas saved the workbook."""

    def __str__(self) -> str:
        return ""


NO_RESULT = _NoResult()


def _rows_of(sheet: Any, formulas: Any, errors: tuple[type[Exception], ...]) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows, values as last calculated; a formula's stored result is its value, and a formula without
    one is ``NO_RESULT``, never blank (it would silently erase a number). ``formulas`` is the same sheet read with
    its formulas. XML that breaks off or does not parse half-way is a damaged file, not a server error."""
    rows = zip(sheet.iter_rows(values_only=True), formulas.iter_rows(), strict=False)
    while True:
        try:
            values, cells = next(rows)
        except StopIteration:
            return
        except errors:
            raise _not_a_workbook() from None
        yield tuple(
            NO_RESULT if value is None and i < len(cells) and getattr(cells[i], "data_type", "") == "f" else value
            for i, value in enumerate(values)
        )


def _read_upload(data: bytes, round_: ReportRound, units: list[Unit]) -> list[EntryInput]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    errors = (InvalidFileException, *_NOT_A_WORKBOOK)
    try:
        # Twice: the values as Excel last calculated them, and the formulas, to tell a formula without a stored
        # result from a blank cell.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The data sheet's name in any language, or "Capacity" of the templates made before it was translated.
        names = [name for name in book.sheetnames if name in _sheet_names()]
        sheet = book[names[0]] if names else None
        formulas = load_workbook(io.BytesIO(data), read_only=True)[names[0]] if names else None
    except errors:
        raise _not_a_workbook() from None
    if sheet is None:
        raise ImportFailed(
            [ImportProblem("-", 0, "", _("The workbook has no sheet named %(sheet)s.") % {"sheet": SHEET_TITLE})]
        )
    sheet_name = names[0]  # problems name the sheet as the workbook does
    rows = _rows_of(sheet, formulas, errors)
    # The hidden first row of codes (a template of before: the first row, visible)
    header = [_cell_text(v).strip() for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    if header != list(COLUMNS):
        missing = [c for c in COLUMNS if c not in header]
        unknown = [c for c in header if c not in COLUMNS]
        details = []
        if missing:
            details.append(_("missing: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            details.append(_("unknown: %(columns)s") % {"columns": ", ".join(unknown)})
        if not details:
            details.append(_("the columns are in the wrong order"))
        message = _("The columns are not those of the template (%(details)s). Download the template again.") % {
            "details": "; ".join(details)
        }
        raise ImportFailed([ImportProblem(sheet_name, 1, "", message)])

    by_id = {unit.pk: unit for unit in units}
    problems: list[ImportProblem] = []
    items: list[EntryInput] = []
    seen: dict[tuple[int, str, str], int] = {}
    data_rows = 0
    titles = _all_titles()
    scenarios, statuses, reasons = (
        _choice_codes(Scenario),
        _choice_codes(CapacityEntry.Status),
        _choice_codes(RestrictionReason),
    )
    for number, raw in enumerate(rows, start=2):
        cells = dict(zip(COLUMNS, [*raw, *([None] * len(COLUMNS))], strict=False))
        if not data_rows and _cell_text(cells["unit_id"]).strip() in titles:
            continue  # the column titles in the person's language, below the codes
        if all(v is not NO_RESULT and _cell_text(v).strip() == "" for v in cells.values()):
            continue  # a blank row is not read and does not count towards the limit
        data_rows += 1
        if data_rows > MAX_ROWS:
            message = _(
                "The file has more than %(limit)s rows with data; the import reads at most that many. Split the file."
            ) % {"limit": formatting.number(MAX_ROWS)}
            problems.append(ImportProblem(sheet_name, number, "", message))
            break
        row_problems: list[ImportProblem] = []

        def problem(column: str, message: str, row: int = number, found: list[ImportProblem] = row_problems) -> None:
            found.append(ImportProblem(sheet_name, row, column, message))

        for index, (column, value) in enumerate(cells.items()):
            if value is NO_RESULT:
                problem(
                    column,
                    _(
                        "Cell %(cell)s has a formula without a stored result: the workbook was saved by a program "
                        "that does not calculate formulas. Open it in Excel and save it, then upload it again."
                    )
                    % {"cell": f"{get_column_letter(index + 1)}{number}"},
                )
                cells[column] = None

        unit = None
        unit_id, unit_error = parse_number("unit_id", cells["unit_id"])
        if unit_error or unit_id is None:
            problem("unit_id", _("Write the unit's number from the template."))
        else:
            unit = by_id.get(int(unit_id))
            if unit is None:
                problem("unit_id", _("Unknown unit %(unit)s: not one you report for.") % {"unit": unit_id})
        category = _cell_text(cells["category"]).strip().upper()
        if category not in CATEGORIES:
            problem("category", _("Write K1, K2 or K3."))
        scenario = scenarios.get(_cell_text(cells["scenario"]).strip().lower(), "")
        if scenario not in SCENARIOS:
            problem("scenario", _("Choose one of %(values)s.") % {"values": ", ".join(_labels(Scenario))})
        values: dict[str, Any] = {}
        for name in NUMBER_FIELDS:
            value, error = parse_number(name, cells[name])
            if error:
                problem(name, error)
            values[name] = value
        status = _cell_text(cells["status"]).strip().lower()
        values["status"] = statuses.get(status, status)
        values["restrictions"] = [
            reasons.get(r.strip().lower(), r.strip().lower())
            for r in _cell_text(cells["restrictions"]).split(",")
            if r.strip()
        ]
        values["comment"] = _cell_text(cells["comment"]).strip()
        if not row_problems:
            for name, messages in entry_errors(category, values).items():
                for message in messages:
                    problem(name, message)
        reason = _cell_text(cells["correction_reason"]).strip()
        if not round_.is_open and not reason:
            problem("correction_reason", _("The round is closed: give a reason for the correction."))
        if unit is not None and category in CATEGORIES and scenario in SCENARIOS:
            key = (unit.pk, category, scenario)
            if key in seen:
                problem(
                    "unit_id", _("The same unit, category and scenario is also in row %(row)s.") % {"row": seen[key]}
                )
            seen[key] = number
        problems += row_problems
        if not row_problems and unit is not None:
            items.append(EntryInput(unit, category, scenario, values, reason, label=f"{sheet_name} {number}"))
    if not problems:
        problems = _scenario_order_problems(items)
    if problems:
        raise ImportFailed(problems)
    if not items:
        raise ImportFailed([ImportProblem(sheet_name, 2, "", _("The file has no rows with data."))])
    _validate_with_models(items)
    return items


def _scenario_order_problems(items: list[EntryInput]) -> list[ImportProblem]:
    """The scenarios of each unit and category in the file, in order (``validation.scenario_order_errors``); the
    service checks again with the scenarios already saved."""
    groups: dict[tuple[int, str], dict[str, EntryInput]] = {}
    for item in items:
        groups.setdefault((item.unit.pk, item.category), {})[item.scenario] = item
    problems = []
    for (_unit, category), by_scenario in groups.items():
        values = {scenario: item.values for scenario, item in by_scenario.items()}
        for scenario, name, message in scenario_order_errors(category, values):
            item = by_scenario[scenario]
            problems.append(ImportProblem(_sheet_of(item), _row_of(item), name, message))
    return sorted(problems, key=lambda p: (p.row, p.column))


def jump_warnings_for(items: list[EntryInput], previous: dict[Any, Any]) -> list[ImportProblem]:
    """Big changes from the last round, row by row, for the reporter to confirm before the import."""
    problems = []
    for item in items:
        for warning in jump_warnings(item.values, previous.get((item.unit.pk, item.category, item.scenario))):
            problems.append(ImportProblem(_sheet_of(item), _row_of(item), "", warning))
    return problems


def _row_of(item: EntryInput) -> int:
    return int(item.label.rsplit(" ", 1)[-1])


def _sheet_of(item: EntryInput) -> str:
    return item.label.rsplit(" ", 1)[0]


def _validate_with_models(items: list[EntryInput]) -> None:
    """Run the texts through their model fields' clean-up and validators (national identity numbers), so a
    problem is reported with its row rather than by the service for the whole file."""
    comment, reason = entry_field("comment"), entry_field("correction_reason")
    problems = []
    for item in items:
        item.values["comment"] = comment.to_python(item.values["comment"])
        item.correction_reason = reason.to_python(item.correction_reason)
        for column, field, value in (
            ("comment", comment, item.values["comment"]),
            ("correction_reason", reason, item.correction_reason),
        ):
            try:
                field.run_validators(value)
            except ValidationError as error:
                problems += [ImportProblem(_sheet_of(item), _row_of(item), column, str(m)) for m in error.messages]
    if problems:
        raise ImportFailed(problems)


EXPORT_HEADERS = (
    "trust",
    "hospital",
    "unit",
    "category",
    "scenario",
    *NUMBER_FIELDS,
    "status",
    "restrictions",
    "comment",
    "version",
    # How complete the round is: where each row's figures come from, and the trust's units reported / expected.
    "report",  # this_round, earlier_round (the unit's latest earlier report) or none (never reported: all blank)
    "report_round",
    "reported_on",
    "trust_units_reported",
    "trust_units_expected",
    "age_group",  # the unit's patient group: the export holds one group, or every group when "all" was chosen
)
COMPLETENESS_SHEET = "Completeness"
COMPLETENESS_HEADERS = ("trust", "units_expected", "units_reported", "units_earlier_report", "units_no_report")


def _export_rows(figures: RoundFigures) -> Iterable[list[Any]]:
    """Every unit of the round's region: its entries of the round, or of its latest earlier report, or one row
    saying it has none (blank, not zero)."""
    trusts = {t.trust.pk: t for t in figures.trusts if t.trust is not None}
    for e in figures.entries:
        earlier = figures.earlier(e)
        trust = trusts.get(e.unit.hospital.trust_id)
        yield [
            e.unit.hospital.trust.name,
            e.unit.hospital.name,
            e.unit.name,
            e.category,
            e.scenario,
            *(getattr(e, name) for name in NUMBER_FIELDS),
            e.status,
            ",".join(e.restrictions),
            e.comment,
            e.version,
            "earlier_round" if earlier else "this_round",
            earlier.round.name if earlier else figures.round.name,
            timezone.localdate(e.reported_at).isoformat(),
            trust.reported if trust else None,
            trust.expected if trust else None,
            e.unit.age_group,
        ]
    for trust in figures.trusts:
        for unit in trust.missing:
            yield [
                unit.unit.hospital.trust.name,
                unit.unit.hospital.name,
                unit.unit.name,
                *([None] * (len(NUMBER_FIELDS) + 6)),
                "none",
                None,
                None,
                trust.reported,
                trust.expected,
                unit.unit.age_group,
            ]


def export_row_count(figures: RoundFigures) -> int:
    return len(figures.entries) + len(figures.region.missing)


def export_csv(figures: RoundFigures) -> str:
    return write_csv(EXPORT_HEADERS, _export_rows(figures), max_rows=MAX_EXPORT_ROWS)


def export_xlsx(figures: RoundFigures) -> bytes:
    rows = ([float(v) if isinstance(v, Decimal) else v for v in row] for row in _export_rows(figures))
    completeness = [
        [t.trust.name if t.trust else "", t.expected, t.reported, len(t.carried), len(t.missing)]
        for t in figures.trusts
    ]
    sheets = [
        Sheet(SHEET, [Column(name) for name in EXPORT_HEADERS], rows, freeze=None, bold_header=False),
        Sheet(
            COMPLETENESS_SHEET,
            [Column(n) for n in COMPLETENESS_HEADERS],
            completeness,
            freeze=None,
            bold_header=False,
        ),
    ]
    return write_xlsx(sheets, max_rows=MAX_EXPORT_ROWS)


# --- The pages' tables as files ------------------------------------------------------------------------------------
# The dashboard's distribution by trust and the dimensioning table, as the person reads them on the page: column
# titles in their language, every figure rounded half-up to the decimals it has on the page and in the documents
# (``capacity.display``), written as a number (a decimal comma in a Norwegian CSV, a number cell in Excel).


def _rounded(value: Any, digits: int) -> Decimal | None:
    return None if value is None else formatting.round_half_up(value, digits)


def _trust_table(data: Dashboard) -> tuple[list[str], list[list[Any]]]:
    categories = list(Category.values)
    header = [
        _("Health trust"),
        *categories,
        _("Total"),
        _("Population"),
        *(f"{c} " + _("per 100 000") for c in categories),
        _("Total per 100 000"),
        _("Units reported"),
        _("Units expected"),
        _("Units with an earlier report"),
    ]
    rows = []
    for row in [*data.trusts, data.region_row]:
        rows.append(
            [
                row.trust if row is not data.region_row else row.label,
                *row.staffed_list(),
                row.staffed_total,
                row.population,
                *(_rounded(v, display.PER_100K_DIGITS) for v in row.per_100k()),
                _rounded(row.total_per_100k, display.PER_100K_DIGITS),
                row.completeness.reported,
                row.completeness.expected,
                len(row.completeness.carried),
            ]
        )
    return header, rows


def _dimensioning_table(results: list[DimensionResult]) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Group"),
        _("Category"),
        _("Staffed beds"),
        _("Admissions per day"),
        _("Mean length of stay (days)"),
        _("Offered load (erlang)"),
        _("Share refused (%)"),
        _("Occupancy (%)"),
        _("Beds needed"),
    ]
    rows = [
        [
            r.row.label,
            r.row.category,
            r.row.staffed,
            _rounded(r.row.arrivals if r.row.has_load else None, display.LOAD_DIGITS),
            _rounded(r.row.mean_stay, display.DAYS_DIGITS),
            _rounded(r.row.load if r.row.has_load else None, display.LOAD_DIGITS),
            _rounded(None if r.blocking is None else formatting.to_decimal(r.blocking) * 100, display.PERCENT_DIGITS),
            _rounded(None if r.occupancy is None else formatting.to_decimal(r.occupancy) * 100, 0),
            r.beds_needed,
        ]
        for r in results
    ]
    return header, rows


def _table_file(title: str, table: tuple[list[str], list[list[Any]]], fmt: str) -> str | bytes:
    header, rows = table
    if fmt == "csv":
        return write_csv(header, rows, max_rows=MAX_EXPORT_ROWS)
    # Excel shows a number cell with the decimals of its format: the rounded figure, as on the page.
    cells = ([float(v) if isinstance(v, Decimal) else v for v in row] for row in rows)
    decimals = [_excel_format(rows, i) for i in range(len(header))]
    columns = [Column(h, number_format=f) for h, f in zip(header, decimals, strict=True)]
    return write_xlsx([Sheet(title, columns, cells)], max_rows=MAX_EXPORT_ROWS, title=title)


def _excel_format(rows: list[list[Any]], index: int) -> str | None:
    """Excel's number format showing a column's decimals ("0.0"), so a rounded 25.70 is not shown as 25.7."""
    places = {-int(v.as_tuple().exponent) for row in rows if isinstance(v := row[index], Decimal)}
    return ("0." + "0" * max(places)) if places and max(places) > 0 else None


def export_trust_table(data: Dashboard, fmt: str) -> str | bytes:
    return _table_file(_("Distribution by trust"), _trust_table(data), fmt)


def export_dimensioning_table(results: list[DimensionResult], fmt: str) -> str | bytes:
    return _table_file(_("Dimensioning"), _dimensioning_table(results), fmt)
