"""The Excel template in the reporter's language (issue 21, item 6): Norwegian sheet names and column titles, the
codes in a hidden first row that the import reads, drop-downs for category, scenario and status, and input
validation that Excel itself applies with Norwegian messages. Read back with openpyxl, and imported filled in."""

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from fagnett.accounts.models import User
from fagnett.capacity.excel import COLUMNS
from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_round, units_of
from tests.factories import World

pytestmark = pytest.mark.django_db


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


def _upload(client: Client, round_: ReportRound, content: bytes) -> Any:
    upload = io.BytesIO(content)
    upload.name = "kapasitet.xlsx"
    return client.post(f"/capacity/rounds/{round_.pk}/upload/", {"file": upload})


def _letter(code: str) -> str:
    return get_column_letter(COLUMNS.index(code) + 1)


def _validations(sheet: Any) -> dict[str, Any]:
    """The sheet's data validations by the column they start in."""
    found = {}
    for rule in sheet.data_validations.dataValidation:
        first = str(rule.sqref).split(":")[0]
        found["".join(c for c in first if c.isalpha())] = rule
    return found


def test_the_template_speaks_norwegian_and_keeps_the_codes_in_a_hidden_row(
    world: World, login_as: Any, round_: ReportRound
) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    assert book.sheetnames == ["Kapasitet", "Hjelp", "_lists"]
    assert book["_lists"].sheet_state == "hidden" and book["Kapasitet"].sheet_state == "visible"
    sheet = book["Kapasitet"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS) and sheet.row_dimensions[1].hidden
    assert not sheet.row_dimensions[2].hidden
    assert rows[1][:5] == ("Enhetsnummer", "Enhet", "Sykehus", "Sengekategori", "Scenario")
    assert rows[1][COLUMNS.index("staffed_beds")] == "Bemannede senger"
    assert rows[1][COLUMNS.index("comment")] == "Kommentar"
    assert [row[4] for row in rows[2:6]] == [
        "Normal drift",
        "Lavdrift",
        "Oppskalering innen 7 døgn",
        "Maksimal oppskalering",
    ]
    assert sheet.freeze_panes == "F3"
    help_rows = list(book["Hjelp"].iter_rows(values_only=True))
    assert help_rows[0] == ("Kolonne", "Kode", "Betydning")
    assert help_rows[2 + COLUMNS.index("staffed_beds")][:2] == ("Bemannede senger", "staffed_beds")


def test_the_template_has_drop_downs_and_input_validation_with_norwegian_messages(
    world: World, login_as: Any, round_: ReportRound
) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    rules = _validations(book["Kapasitet"])
    lists = book["_lists"]

    def offered(rule: Any) -> list[str]:
        reference = rule.formula1.split("!")[1].replace("$", "")
        return [cell.value for row in lists[reference] for cell in row]

    category, scenario, status = rules[_letter("category")], rules[_letter("scenario")], rules[_letter("status")]
    assert (category.type, category.errorStyle) == ("list", "stop")
    assert offered(category) == ["K1", "K2", "K3"]
    assert offered(scenario) == ["Normal drift", "Lavdrift", "Oppskalering innen 7 døgn", "Maksimal oppskalering"]
    assert offered(status) == ["Ledig kapasitet", "Begrenset", "Fullt"]
    # The rules cover the rows below the titles (the hidden codes and the titles are not checked).
    assert str(category.sqref).startswith(f"{_letter('category')}3:")

    staffed = rules[_letter("staffed_beds")]
    assert (staffed.type, staffed.operator, staffed.formula1, staffed.formula2) == ("whole", "between", "0", "100000")
    assert staffed.showErrorMessage and staffed.allow_blank
    assert staffed.error == "Skriv et helt tall, 0 eller mer (uten desimaler)."
    occupancy = rules[_letter("occupancy_mean")]
    assert (occupancy.type, occupancy.formula1, occupancy.formula2) == ("decimal", "0", "999.9")
    assert occupancy.error == "Skriv beleggsprosenten som et tall fra 0 til 999,9, for eksempel 85,5."
    comment = rules[_letter("comment")]
    assert (comment.type, comment.formula1, comment.formula2) == ("textLength", "0", "2000")
    assert comment.error == "Skriv høyst 2\xa0000 tegn."
    assert all(rule.error and rule.errorTitle for rule in rules.values())


def test_a_filled_norwegian_template_imports_with_its_labels(world: World, login_as: Any, round_: ReportRound) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    sheet = book["Kapasitet"]
    for row in range(3, 15):
        sheet[f"{_letter('physical_beds')}{row}"] = 8
        sheet[f"{_letter('staffed_beds')}{row}"] = 6
    sheet[f"{_letter('status')}3"] = "Begrenset"
    sheet[f"{_letter('restrictions')}3"] = "Personell, rom"
    sheet[f"{_letter('occupancy_mean')}3"] = 85.5
    response = _upload(client, round_, _bytes(book))
    assert response.status_code == 302
    saved = CapacityEntry.objects.filter(round=round_, source="excel")
    assert saved.count() == 12
    first = saved.get(category="K1", scenario="normal")
    assert (first.status, first.restrictions, str(first.occupancy_mean)) == ("limited", ["rooms", "staff"], "85.5")
    assert saved.get(category="K3", scenario="max_surge").staffed_beds == 6


def test_a_bad_row_in_the_norwegian_template_is_named_and_nothing_is_saved(
    world: World, login_as: Any, round_: ReportRound
) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    sheet = book["Kapasitet"]
    for row in range(3, 15):
        sheet[f"{_letter('physical_beds')}{row}"] = 8
        sheet[f"{_letter('staffed_beds')}{row}"] = 6
    sheet[f"{_letter('scenario')}5"] = "Krise"
    sheet[f"{_letter('staffed_beds')}7"] = 9
    response = _upload(client, round_, _bytes(book))
    assert response.status_code == 200
    problems = [str(p) for p in response.context["problems"]]
    assert problems[0].startswith("Ark Kapasitet, rad 5, kolonne scenario: Velg ett av Normal drift, Lavdrift")
    assert problems[1].startswith("Ark Kapasitet, rad 7, kolonne staffed_beds:")
    # The page names the column as the template shows it (the codes are in the hidden row).
    html = response.content.decode()
    assert f"<td>Bemannede senger ({_letter('staffed_beds')})</td>" in html
    assert f"<td>Scenario ({_letter('scenario')})</td>" in html
    assert not CapacityEntry.objects.exists()


def test_a_template_sent_out_before_with_code_headers_still_imports(
    world: World, login_as: Any, round_: ReportRound
) -> None:
    """The template of before: codes as the visible first row, a sheet named "Capacity", scenario and status codes."""
    unit = units_of(world)[0]
    book = Workbook()
    sheet = book.active
    sheet.title = "Capacity"
    sheet.append(list(COLUMNS))
    for category in ("K1", "K2", "K3"):
        for scenario in ("normal", "low_activity", "surge_7d", "max_surge"):
            values = {"physical_beds": 8, "staffed_beds": 6, "status": "limited", "restrictions": "staff"}
            sheet.append([unit.pk, unit.name, "", category, scenario, *(values.get(c) for c in COLUMNS[5:])])
    client: Client = login_as("reporter")
    response = _upload(client, round_, _bytes(book))
    assert response.status_code == 302
    assert CapacityEntry.objects.filter(round=round_, status="limited", restrictions=["staff"]).count() == 12


def test_the_template_in_english(world: World, login_as: Any, round_: ReportRound) -> None:
    User.objects.update(language="en")
    client: Client = login_as("reporter")
    book = _template(client, round_)
    assert book.sheetnames == ["Capacity", "Help", "_lists"]
    rows = list(book["Capacity"].iter_rows(values_only=True))
    assert rows[1][:5] == ("Unit number", "Unit", "Hospital", "Bed category", "Scenario")
    assert rows[2][4] == "Normal operation"
    assert _validations(book["Capacity"])[_letter("staffed_beds")].error == (
        "Write a whole number of 0 or more (no decimals)."
    )
