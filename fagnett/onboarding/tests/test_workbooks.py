"""The templates the coordinator downloads, and how the reader finds the sheets, columns and rows in what comes
back: by the hidden codes, by the titles in either language, whatever the order."""

import dataclasses
import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from fagnett.onboarding.schema import CODES_SHEET, KINDS, SHEETS, TASK_LIST
from fagnett.onboarding.tests.files import filled
from fagnett.onboarding.workbooks import ReadFailed, parse_date, parse_time, read_upload, template


def _book(data: bytes) -> object:
    return load_workbook(io.BytesIO(data))


def _save(book: object) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def test_the_template_has_norwegian_titles_hidden_codes_and_drop_downs() -> None:
    with translation.override("nb"):
        data = template(kind=KINDS["organisation"], trusts=["Nordfjord HF", "RHF"], networks=[])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Helseforetak", "Sykehus", "Enheter", "Hjelp", CODES_SHEET, "_lists"]
    assert [s.sheet_state for s in book.worksheets] == ["visible"] * 4 + ["hidden"] * 2
    header = [cell.value for cell in book["Helseforetak"][1]]
    assert header == ["Organisasjonsnummer *", "Navn *", "Kortnavn *", "Befolkning i opptaksområdet"]
    codes = [row for row in book[CODES_SHEET].iter_rows(min_row=2, values_only=True) if row[1] == "Helseforetak"]
    assert [row[4] for row in codes] == ["org_number", "name", "short_name", "population"]
    # A unit's kind is a fixed list; the hospital's trust comes from the sheet of trusts in the same workbook.
    units = {str(rule.sqref): rule for rule in book["Enheter"].data_validations.dataValidation}
    kind_rule = units["D2:D20001"]
    column = kind_rule.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    assert [c.value for c in book["_lists"][column]][:2] == ["Intensivenhet", "Sengepost"]
    hospitals = {str(rule.sqref): rule.formula1 for rule in book["Sykehus"].data_validations.dataValidation}
    assert hospitals == {"A2:A20001": "'Helseforetak'!$B$2:$B$20001"}


def test_the_people_template_offers_the_regions_trusts() -> None:
    with translation.override("nb"):
        book = load_workbook(io.BytesIO(template(kind=KINDS["people"], trusts=["Nordfjord HF", "RHF"], networks=[])))
    [rule] = book["Personer"].data_validations.dataValidation
    assert str(rule.sqref) == "E2:E100001" and rule.errorStyle == "warning"
    assert [c.value for c in book["_lists"]["A"]] == ["Nordfjord HF", "RHF"]


def test_an_english_template_reads_the_same() -> None:
    rows = {"people": [{"email": "a@b.no", "first_name": "A", "last_name": "B", "employer": "RHF"}]}
    with translation.override("en"):
        english = filled("people", rows)
    assert _book(english).sheetnames[0] == "People"  # type: ignore[attr-defined]
    parsed = read_upload(kind="people", name="people.xlsx", data=english)
    assert [row.values for row in parsed.sheets["people"].rows] == [
        {"email": "a@b.no", "first_name": "A", "last_name": "B", "title": None, "employer": "RHF"}
    ]


def test_columns_are_found_by_title_in_any_order_and_by_code_when_renamed() -> None:
    rows = {"people": [{"email": "a@b.no", "first_name": "Ane", "last_name": "Berg", "title": "Lege", "employer": "X"}]}
    book = _book(filled("people", rows))
    sheet = book["Personer"]  # type: ignore[index]
    sheet.move_range("A1:A2", cols=6)  # the e-mail column moved to the end
    sheet["B1"] = "Förnamn"  # a header someone "corrected": the hidden code of column B still says first name
    sheet["H1"] = "Merknad"  # a column of the person's own: not read
    sheet["H2"] = f"fritt {12345678901}"
    parsed = read_upload(kind="people", name="p.xlsx", data=_save(book))
    assert parsed.sheets["people"].rows[0].values == {
        "first_name": "Ane",
        "last_name": "Berg",
        "title": "Lege",
        "employer": "X",
        "email": "a@b.no",
    }
    assert parsed.sheets["people"].headers["first_name"] == "Förnamn"


def test_blank_rows_are_skipped_and_rows_keep_their_numbers() -> None:
    rows = {"people": [{"email": "a@b.no"}, {}, {"email": "c@d.no"}]}
    parsed = read_upload(kind="people", name="p.xlsx", data=filled("people", rows))
    assert [(row.number, row.values["email"]) for row in parsed.sheets["people"].rows] == [(2, "a@b.no"), (4, "c@d.no")]


def test_a_column_twice_and_a_wrong_workbook_are_refused() -> None:
    book = _book(filled("people", {"people": [{"email": "a@b.no"}]}))
    book["Personer"]["F1"] = "E-post"  # type: ignore[index]
    with pytest.raises(ReadFailed) as twice:
        read_upload(kind="people", name="p.xlsx", data=_save(book))
    [problem] = twice.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Personer", 1, "E-post")

    with pytest.raises(ReadFailed) as wrong:
        read_upload(kind="organisation", name="p.xlsx", data=filled("people", {"people": [{"email": "a@b.no"}]}))
    [problem] = wrong.value.problems
    assert "Helseforetak" in problem.message


def test_a_sheet_longer_than_its_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    short = dataclasses.replace(TASK_LIST, max_rows=3)
    kind = KINDS["networks"]
    monkeypatch.setitem(KINDS, "networks", dataclasses.replace(kind, sheets=(short, *kind.sheets[1:])))
    monkeypatch.setitem(SHEETS, "task_list", short)
    rows = {"task_list": [{"code": f"T{n}", "title": "Oppgave"} for n in range(4)]}
    with pytest.raises(ReadFailed) as refused:
        read_upload(kind="networks", name="n.xlsx", data=filled("networks", rows))
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row) == ("Oppgaveliste", 5)
    assert "3" in problem.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01.03.2021", datetime.date(2021, 3, 1)),
        ("1.3.21", datetime.date(2021, 3, 1)),
        ("2021-03-01", datetime.date(2021, 3, 1)),
        (datetime.datetime(2021, 3, 1, 0, 0), datetime.date(2021, 3, 1)),
        ("31.02.2021", None),
        ("i fjor", None),
    ],
)
def test_dates_are_read_as_people_write_them(value: object, expected: datetime.date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("9:30", datetime.time(9, 30)), ("09.30", datetime.time(9, 30)), (0.5, datetime.time(12, 0)), ("25:00", None)],
)
def test_times_are_read_as_people_write_them(value: object, expected: datetime.time | None) -> None:
    assert parse_time(value) == expected
