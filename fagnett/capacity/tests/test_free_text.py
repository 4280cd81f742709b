"""The capacity texts that come in without a web form: the API's comments, the workbook's comments and
correction reasons, and the names of API keys. Each is guarded and cleaned like a form's text."""

import io
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fagnett.accounts.models import User
from fagnett.capacity import services
from fagnett.capacity.excel import COLUMNS
from fagnett.capacity.models import ApiToken, CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_round, units_of
from tests.factories import World

pytestmark = pytest.mark.django_db

SPACED = "15.10.86 95088"  # a valid fødselsnummer as a word processor may write it


@pytest.fixture(autouse=True)
def english(world: World) -> None:
    User.objects.update(language="en")


@pytest.fixture
def key(world: World) -> str:
    _token, raw = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ")
    return raw


def _put(client: Client, round_: ReportRound, key: str, entries: list[dict[str, Any]]) -> Any:
    return client.put(
        f"/api/capacity/rounds/{round_.pk}/entries",
        data=json.dumps(entries),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.mark.parametrize("comment", [SPACED, "Pasient 151086\u200b95088", "Ref. １５１０８６９５０８８"])
def test_an_api_comment_with_an_identity_number_is_refused_with_its_index(
    world: World, client: Client, key: str, comment: str
) -> None:
    round_ = make_round(world.region_a)
    own = units_of(world, 0)[0]
    good = {"unit_id": own.pk, "category": "K1", "scenario": "normal", "physical_beds": 3}
    bad = {"unit_id": own.pk, "category": "K2", "scenario": "normal", "physical_beds": 3, "comment": comment}
    response = _put(client, round_, key, [good, bad])
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [(p["index"], p["field"]) for p in problems] == [(1, "comment")]
    assert "fødselsnummer" in problems[0]["message"]
    assert not CapacityEntry.objects.exists()


def test_an_api_comment_loses_control_characters_and_keeps_its_lines(world: World, client: Client, key: str) -> None:
    round_ = make_round(world.region_a)
    own = units_of(world, 0)[0]
    entry = {"unit_id": own.pk, "category": "K1", "scenario": "normal", "comment": "Linje 1\nLinje 2\x00\u202e"}
    assert _put(client, round_, key, [entry]).status_code == 200
    assert CapacityEntry.objects.get().comment == "Linje 1\nLinje 2"


def _workbook(client: Client, round_: ReportRound) -> Any:
    book = load_workbook(io.BytesIO(client.get(f"/capacity/rounds/{round_.pk}/template.xlsx").content))
    return book


def _set(book: Any, row: int, column: str, value: Any) -> None:
    book.worksheets[0].cell(row=row, column=COLUMNS.index(column) + 1, value=value)  # the template's data sheet


def _upload(client: Client, round_: ReportRound, book: Any) -> Any:
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "kapasitet.xlsx"
    return client.post(f"/capacity/rounds/{round_.pk}/upload/", {"file": buffer})


def test_a_workbook_comment_with_an_identity_number_is_named_by_row(world: World, login_as: Any) -> None:
    round_ = make_round(world.region_a)
    client = login_as("reporter")
    book = _workbook(client, round_)
    _set(book, 3, "staffed_beds", 3)  # the rows start under the hidden codes and the column titles
    _set(book, 6, "staffed_beds", 3)
    _set(book, 6, "comment", f"Overført pasient\n{SPACED}")
    response = _upload(client, round_, book)
    assert response.status_code == 200
    problems = [str(p) for p in response.context["problems"]]
    assert any("row 6, column comment" in p for p in problems), problems
    assert not CapacityEntry.objects.exists()


def test_a_workbook_correction_reason_with_an_identity_number_is_named_by_row(world: World, login_as: Any) -> None:
    closed = make_round(world.region_a, status=ReportRound.Status.CLOSED)
    client = login_as("reporter")
    book = _workbook(client, closed)
    for row in range(3, 15):  # every row of a closed round needs a reason
        _set(book, row, "correction_reason", "Rettet etter kontroll")
    _set(book, 3, "staffed_beds", 3)
    _set(book, 3, "correction_reason", f"Feil for pasient {SPACED}")
    response = _upload(client, closed, book)
    assert response.status_code == 200
    problems = [str(p) for p in response.context["problems"]]
    assert any("row 3, column correction_reason" in p for p in problems), problems
    assert not CapacityEntry.objects.exists()


def test_an_api_key_named_with_an_identity_number_is_refused_by_the_command(world: World) -> None:
    with pytest.raises(CommandError, match="national identity number"):
        call_command("capacity_api_key", "A1", f"Nøkkel {SPACED}", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_an_api_key_name_is_one_line(world: World) -> None:
    call_command("capacity_api_key", "A1", "EPJ\r\nintegrasjon\x1b", stdout=StringIO())
    assert ApiToken.objects.get().name == "EPJ integrasjon"


def test_an_api_key_named_with_an_identity_number_is_refused_by_the_page(world: World, login_as: Any) -> None:
    client = login_as("coordinator")
    response = client.post(
        reverse("capacity:api_keys"), {"trust": world.trusts_a[0].pk, "name": "Nøkkel 151086\u202f95088"}
    )
    assert response.status_code == 200
    assert "national_id" in [e.code for e in response.context["form"].errors.as_data()["name"]]
    assert not ApiToken.objects.exists()
    client.post(reverse("capacity:api_keys"), {"trust": world.trusts_a[0].pk, "name": "Nøkkel 151086 95089"})
    assert ApiToken.objects.get().name == "Nøkkel 151086 95089"  # wrong control digits: not an identity number
