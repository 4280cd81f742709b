"""No patient data: every free-text field of the case forms refuses a national identity number.

A valid fødselsnummer and a D-number are refused with a message on the field (the error summary
names the field); eleven digits that fail the control digits are accepted.
"""

from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from fagnett.cases.forms import (
    CaseSubmitForm,
    CommentForm,
    CommonCaseForm,
    DecisionForm,
    NoteForm,
    RecommendForm,
    RespondForm,
    TaskForm,
)
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import days_from_today
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Region
from tests.factories import World

pytestmark = pytest.mark.django_db

FODSELSNUMMER = "15108695088"  # valid control digits
D_NUMBER = "55108695071"  # first digit + 4: a D-number with valid control digits
BAD_CHECKSUM = "15108695089"  # fails the second control digit: a phone or reference number, accepted
SPACED = "151086 95088"  # written with a space, still refused


def test_the_examples_are_what_they_claim() -> None:
    from stdnum.no import fodselsnummer

    assert fodselsnummer.is_valid(FODSELSNUMMER)
    assert fodselsnummer.is_valid(D_NUMBER)
    assert fodselsnummer.get_birth_date(D_NUMBER).year == 1986
    assert not fodselsnummer.is_valid(BAD_CHECKSUM)


def _forms(world: World) -> dict[str, tuple[Any, dict[str, Any], list[str]]]:
    """form name → (factory, valid data, free-text fields)."""
    networks = Network.objects.filter(region=world.region_a)
    base = {"title": "Tittel", "description": "Beskrivelse", "wanted": "Et svar"}
    return {
        "submit": (
            lambda data: CaseSubmitForm(
                data, networks=networks, trusts=HealthTrust.objects.filter(region=world.region_a)
            ),
            {**base, "network": world.network.pk},
            ["title", "description", "wanted"],
        ),
        "task": (
            lambda data: TaskForm(data, networks=networks),
            {**base, "networks": [world.network.pk], "due_date": days_from_today(30).isoformat()},
            ["title", "description", "wanted"],
        ),
        "common": (
            lambda data: CommonCaseForm(data, regions=Region.objects.filter(pk=world.region_a.pk), networks=networks),
            {**base, "region": world.region_a.pk, "all_networks": "on"},
            ["title", "description", "wanted"],
        ),
        "respond": (RespondForm, {"decision": "decline", "reason": "Grunn"}, ["reason"]),
        "recommend": (
            RecommendForm,
            {
                "recommendation": "Anbefaling",
                "consensus": "no",
                "other_view": "Annet syn",
                "escalate_to": "medical_director",
            },
            ["recommendation", "other_view"],
        ),
        "decision": (DecisionForm, {"decision": "Vedtak"}, ["decision"]),
        "close": (NoteForm, {"note": "Notat"}, ["note"]),
        "comment": (CommentForm, {"text": "Kommentar"}, ["text"]),
    }


FORM_NAMES = ["submit", "task", "common", "respond", "recommend", "decision", "close", "comment"]


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_free_text_field_refuses_identity_and_d_numbers_and_accepts_bad_checksums(
    world: World, name: str
) -> None:
    factory, valid, fields = _forms(world)[name]
    form: forms.BaseForm = factory(valid)
    assert form.is_valid(), form.errors
    for field in fields:
        for number in (FODSELSNUMMER, D_NUMBER, SPACED):
            form = factory({**valid, field: f"Gjelder pasient {number}, se journal."})
            assert not form.is_valid()
            assert list(form.errors) == [field], f"{name}.{field} with {number}"
            assert form.errors[field].as_data()[0].code == "national_id"
        form = factory({**valid, field: f"Ring {BAD_CHECKSUM} for mer informasjon."})
        assert form.is_valid(), f"{name}.{field}: {form.errors}"


def test_the_page_names_the_field_in_the_error_summary_and_saves_nothing(world: World, client: Client) -> None:
    client.force_login(world["employee"])
    response = client.post(
        reverse("cases:submit"),
        {"network": world.network.pk, "title": "Overflytting", "description": f"Pasient {D_NUMBER}", "wanted": "Råd"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert list(response.context["form"].errors) == ["description"]
    label = str(response.context["form"].fields["description"].label)
    assert f'href="#id_description">{label}: ' in html  # the error summary names the field …
    assert "fødselsnummer" in html  # … and says why
    assert 'aria-invalid="true"' in html
    assert not Case.objects.exists()
