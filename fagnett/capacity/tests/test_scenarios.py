"""Scenarios that make sense (issue 21, item 3), the same rules whichever way the numbers come in: the web form
(one cell and the whole grid), the Excel import and the API. Low activity ≤ normal ≤ surge within 7 days ≤ maximum
surge per unit and category; no status on a cell without beds; comments of bounded length; relative jumps warned as
well as absolute ones; formulas in a workbook taken by their stored result, or refused naming the cell; blank rows
ignored and not counted."""

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from fagnett.accounts.models import User
from fagnett.capacity import excel, services
from fagnett.capacity.excel import COLUMNS, SHEET
from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.capacity.validation import (
    COMMENT_MAX_LENGTH,
    entry_errors,
    is_jump,
    jump_warnings,
    scenario_order_errors,
)
from tests.factories import World

pytestmark = pytest.mark.django_db

ORDER = "A scenario cannot have fewer beds than the one before it"


@pytest.fixture
def english(world: World) -> None:
    User.objects.update(language="en")


@pytest.fixture
def round_(world: World) -> ReportRound:
    return make_round(world.region_a)


# --- the rules ------------------------------------------------------------------------------------------------------


def test_the_scenario_order_compares_each_reported_number_with_the_next_one_reported() -> None:
    with translation.override("en"):
        ok = {"low_activity": {"staffed_beds": 4}, "normal": {"staffed_beds": 6}, "max_surge": {"staffed_beds": 6}}
        assert scenario_order_errors("K3", ok) == []
        # Normal is blank: low activity is compared with the surge.
        gap = {"low_activity": {"staffed_beds": 7}, "normal": {"staffed_beds": None}, "surge_7d": {"staffed_beds": 6}}
        [(scenario, field, message)] = scenario_order_errors("K3", gap)
        assert (scenario, field) == ("surge_7d", "staffed_beds")
        assert message.startswith("K3, staffed beds: 7 in low-activity period but 6 in surge within 7 days.")
        many = {
            "normal": {"physical_beds": 10, "staffed_beds": 8},
            "max_surge": {"physical_beds": 9, "staffed_beds": 9},
        }
        assert [(s, f) for s, f, _m in scenario_order_errors("K2", many)] == [("max_surge", "physical_beds")]


def test_a_cell_without_beds_has_no_status_and_a_comment_has_a_limit() -> None:
    with translation.override("en"):
        assert entry_errors("K1", {"staffed_beds": 0, "physical_beds": 2, "status": "available"})["status"] == [
            "A cell without staffed beds has no status (available, limited or full): leave it blank."
        ]
        assert "status" in entry_errors("K1", {"physical_beds": 0, "status": "full"})
        assert not entry_errors("K1", {"staffed_beds": 0, "physical_beds": 2, "status": ""})
        assert not entry_errors("K1", {"staffed_beds": 1, "physical_beds": 2, "status": "full"})
        long = "x" * (COMMENT_MAX_LENGTH + 1)
        assert entry_errors("K1", {"comment": long})["comment"] == [
            f"The comment is too long: write at most {COMMENT_MAX_LENGTH} characters (it has {COMMENT_MAX_LENGTH + 1})."
        ]
        assert not entry_errors("K1", {"comment": "x" * COMMENT_MAX_LENGTH})


def test_relative_jumps_are_warned_as_well_as_absolute_ones() -> None:
    assert is_jump(4, 10) and is_jump(10, 4)  # a small unit more than doubles: 6 beds, not 7, but +150 %
    assert is_jump(40, 30)  # a large unit loses 10 beds: −25 %, but 10 beds
    assert is_jump(0, 2) and not is_jump(1, 2) and not is_jump(12, 15)
    with translation.override("en"):
        assert jump_warnings({"staffed_beds": 10}, {"staffed_beds": 4}) == [
            "Staffed beds changed from 4 to 10 (+150 %) since the last round."
        ]


# --- the web form ---------------------------------------------------------------------------------------------------


def test_the_entry_form_refuses_a_surge_smaller_than_normal_operation(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, "K3", "normal", physical_beds=10, staffed_beds=8)
    client: Client = login_as("reporter")
    url = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/K3/surge_7d/"
    response = client.post(url, {"physical_beds": "10", "staffed_beds": "6"})
    assert response.status_code == 200
    [message] = response.context["form"].errors["staffed_beds"]
    assert "K3, staffed beds: 8 in normal operation but 6 in surge within 7 days." in message and ORDER in message
    assert not CapacityEntry.objects.filter(scenario="surge_7d").exists()
    assert client.post(url, {"physical_beds": "12", "staffed_beds": "10"}).status_code == 302


def test_the_grid_refuses_scenarios_out_of_order_and_a_status_on_a_zero_bed_cell(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    unit = units_of(world)[0]
    client: Client = login_as("reporter")
    url = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/"
    data = {
        "K3__low_activity__staffed_beds": "9",
        "K3__low_activity__physical_beds": "10",
        "K3__normal__physical_beds": "10",
        "K3__normal__staffed_beds": "8",
        "K1__normal__physical_beds": "2",
        "K1__normal__staffed_beds": "0",
        "K1__normal__status": "available",
    }
    errors = client.post(url, data).context["grid_form"].errors
    [message] = errors["K3__normal__staffed_beds"]
    assert "K3, staffed beds: 9 in low-activity period but 8 in normal operation." in message
    assert errors["K1__normal__status"] == [
        "A cell without staffed beds has no status (available, limited or full): leave it blank."
    ]
    assert not CapacityEntry.objects.exists()
    data["K3__low_activity__staffed_beds"] = "6"
    data["K1__normal__status"] = ""
    assert client.post(url, data).status_code == 302


def test_the_message_is_norwegian_unless_english_is_chosen(world: World, login_as: Any, round_: ReportRound) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, "K3", "normal", physical_beds=10, staffed_beds=8)
    client: Client = login_as("reporter")
    url = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/K3/max_surge/"
    [message] = client.post(url, {"physical_beds": "10", "staffed_beds": "6"}).context["form"].errors["staffed_beds"]
    assert "8 i normal drift men 6 i maksimal oppskalering" in message, message


# --- Excel ----------------------------------------------------------------------------------------------------------


def _template(client: Client, round_: ReportRound) -> Any:
    return load_workbook(io.BytesIO(client.get(f"/capacity/rounds/{round_.pk}/template.xlsx").content))


def _bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client: Client, round_: ReportRound, content: bytes) -> Any:
    upload = io.BytesIO(content)
    upload.name = "kapasitet.xlsx"
    return client.post(f"/capacity/rounds/{round_.pk}/upload/", {"file": upload})


def _problems(response: Any) -> list[str]:
    assert response.status_code == 200
    return [str(p) for p in response.context["problems"]] or [str(e) for e in response.context["form"].errors["file"]]


def _set(book: Any, row: int, column: str, value: Any) -> None:
    book[SHEET].cell(row=row, column=COLUMNS.index(column) + 1, value=value)


def _fill(book: Any) -> None:
    """Every row of the template (one unit: K1, K2, K3 × normal, low activity, surge, maximum surge) 8 / 6; the
    rows start at 3, under the hidden codes and the column titles."""
    for row in range(3, 15):
        _set(book, row, "physical_beds", 8)
        _set(book, row, "staffed_beds", 6)


def _cell(column: str, row: int) -> str:
    return f"{chr(ord('A') + COLUMNS.index(column))}{row}"


def test_an_uploaded_workbook_is_refused_with_scenarios_out_of_order(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    _fill(book)
    # K3 is rows 11–14: normal operation, low activity, surge within 7 days, maximum surge.
    _set(book, 12, "staffed_beds", 4)  # low activity 4 ≤ normal 5: fine
    _set(book, 11, "staffed_beds", 5)
    _set(book, 14, "staffed_beds", 3)  # maximum surge 3 < surge within 7 days 6
    problems = _problems(_upload(client, round_, _bytes(book)))
    assert len(problems) == 1 and problems[0].startswith(
        "Sheet Capacity, row 14, column staffed_beds: "
        "K3, staffed beds: 6 in surge within 7 days but 3 in maximum surge."
    )
    assert not CapacityEntry.objects.exists()


def test_an_uploaded_workbook_is_checked_against_the_scenarios_already_saved(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, "K2", "max_surge", physical_beds=4, staffed_beds=3)
    client: Client = login_as("reporter")
    book = _template(client, round_)
    book[SHEET].delete_rows(4, 11)  # only the first row (K1, normal operation) is left: make it K2's
    _set(book, 3, "category", "K2")
    _set(book, 3, "physical_beds", 8)
    _set(book, 3, "staffed_beds", 6)
    response = _upload(client, round_, _bytes(book))
    [message] = _problems(response)
    assert "K2, staffed beds: 6 in normal operation but 3 in maximum surge." in message
    assert CapacityEntry.objects.count() == 1


def test_a_formula_without_a_stored_result_is_refused_naming_the_cell(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    """openpyxl (like LibreOffice's converters in some modes) writes formulas without their results."""
    unit = units_of(world)[0]
    make_entry(round_, unit, "K1", "low_activity", physical_beds=8, staffed_beds=5)
    client: Client = login_as("reporter")
    book = _template(client, round_)
    _fill(book)
    _set(book, 4, "staffed_beds", "=2+3")  # K1 low activity: the saved 5 must not be erased by a blank
    problems = _problems(_upload(client, round_, _bytes(book)))
    assert problems == [
        f"Sheet Capacity, row 4, column staffed_beds: Cell {_cell('staffed_beds', 4)} has a formula without a stored "
        "result: the workbook was saved by a program that does not calculate formulas. Open it in Excel and save "
        "it, then upload it again."
    ]
    assert CapacityEntry.objects.get(scenario="low_activity").staffed_beds == 5


def _with_results(content: bytes, results: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula's result stored beside it (``<v>``)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for formula, value in results.items():
                    assert f"<f>{formula}</f><v></v>" in text
                    text = text.replace(f"<f>{formula}</f><v></v>", f"<f>{formula}</f><v>{value}</v>")
                data = text.encode()
            target.writestr(name, data)
    return out.getvalue()


def test_a_formula_with_a_stored_result_is_taken_as_its_value(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    _fill(book)
    _set(book, 3, "staffed_beds", "=2*3")
    _set(book, 3, "nurses_fte", "=4.5*2")
    assert book.sheetnames[0] == SHEET
    content = _with_results(_bytes(book), {"2*3": "6", "4.5*2": "9"})
    response = _upload(client, round_, content)
    assert response.status_code == 302, _problems(response)
    saved = CapacityEntry.objects.get(category="K1", scenario="normal")
    assert (saved.staffed_beds, str(saved.nurses_fte)) == (6, "9.0")


def test_blank_rows_are_ignored_and_not_counted_towards_the_limit(
    world: World, login_as: Any, round_: ReportRound, monkeypatch: pytest.MonkeyPatch, english: None
) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    _fill(book)
    book[SHEET].insert_rows(6, 30)  # thirty blank rows between K1's surge and maximum surge
    book[SHEET].insert_rows(3, 3)  # and three right under the column titles
    monkeypatch.setattr(excel, "MAX_ROWS", 12)  # the twelve rows with data, not the 45 rows of the sheet
    assert _upload(client, round_, _bytes(book)).status_code == 302
    assert CapacityEntry.objects.count() == 12


def test_a_long_comment_is_refused_in_the_workbook(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    client: Client = login_as("reporter")
    book = _template(client, round_)
    _fill(book)
    _set(book, 5, "comment", "x" * 2001)
    assert _problems(_upload(client, round_, _bytes(book))) == [
        "Sheet Capacity, row 5, column comment: The comment is too long: write at most 2000 characters (it has 2001)."
    ]


# --- the API --------------------------------------------------------------------------------------------------------


@pytest.fixture
def key(world: World) -> str:
    _token, raw = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ")
    return raw


def _put(client: Client, round_: ReportRound, key: str, entries: list[dict[str, Any]]) -> Any:
    return client.put(
        f"/api/capacity/rounds/{round_.pk}/entries",
        data=json.dumps(entries),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"},
    )


def test_the_api_refuses_scenarios_out_of_order_in_the_request_and_against_those_saved(
    world: World, client: Client, key: str, round_: ReportRound
) -> None:
    unit = units_of(world)[0].pk
    normal = {"unit_id": unit, "category": "K3", "scenario": "normal", "physical_beds": 10, "staffed_beds": 8}
    surge = {"unit_id": unit, "category": "K3", "scenario": "surge_7d", "physical_beds": 10, "staffed_beds": 7}
    response = _put(client, round_, key, [surge, normal])
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert (problem["index"], problem["field"]) == (0, "staffed_beds")
    assert problem["message"].startswith("K3, staffed beds: 8 in normal operation but 7 in surge within 7 days.")
    assert not CapacityEntry.objects.exists()
    assert _put(client, round_, key, [normal]).status_code == 200
    response = _put(client, round_, key, [surge])  # the normal operation saved before
    assert response.status_code == 400 and "8 in normal operation but 7 in surge" in str(response.json())
    assert CapacityEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"staffed_beds": 0, "status": "full"}, "A cell without staffed beds has no status"),
        ({"comment": "x" * 2001}, "The comment is too long: write at most 2000 characters (it has 2001)."),
    ],
)
def test_the_api_refuses_a_status_without_beds_and_a_long_comment_with_the_forms_message(
    world: World, client: Client, key: str, round_: ReportRound, change: dict[str, Any], expected: str
) -> None:
    entry = {"unit_id": units_of(world)[0].pk, "category": "K1", "scenario": "normal", "physical_beds": 2} | change
    response = _put(client, round_, key, [entry])
    assert response.status_code == 400 and expected in str(response.json()), response.json()
    assert not CapacityEntry.objects.exists()


def test_an_order_broken_before_the_rule_does_not_block_a_correction_elsewhere(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, "K3", "normal", physical_beds=10, staffed_beds=8)
    make_entry(round_, unit, "K3", "max_surge", physical_beds=10, staffed_beds=6)  # saved before the rule
    client: Client = login_as("reporter")
    url = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/K3/low_activity/"
    assert client.post(url, {"physical_beds": "10", "staffed_beds": "5"}).status_code == 302
    surge = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/K3/surge_7d/"
    response = client.post(surge, {"physical_beds": "10", "staffed_beds": "5"})  # but a new break is refused
    assert "8 in normal operation but 5 in surge within 7 days" in str(response.context["form"].errors)


def test_the_entry_form_refuses_a_long_comment_with_a_clear_message(
    world: World, login_as: Any, round_: ReportRound, english: None
) -> None:
    unit = units_of(world)[0]
    client: Client = login_as("reporter")
    url = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/K3/normal/"
    response = client.post(url, {"physical_beds": "10", "staffed_beds": "8", "comment": "x" * 2001})
    assert response.context["form"].errors["comment"] == [
        "The comment is too long: write at most 2000 characters (it has 2001)."
    ]
    assert not CapacityEntry.objects.exists()
