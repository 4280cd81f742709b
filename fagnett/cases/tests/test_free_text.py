"""Cases: the identity-number guard sees every written form, and titles stay on one line."""

import pytest
from django.test import Client
from django.urls import reverse

from fagnett.cases.models import Case
from fagnett.cases.tests.test_forms import FORM_NAMES, _forms
from tests.factories import World

pytestmark = pytest.mark.django_db

WRITTEN = [
    "15.10.86-95088",  # the date with dots, a dash before the individual number
    "15 10 86 950 88",  # grouped in twos and threes
    "151086\u00a095088",  # a word processor's no-break space
    "1510\u200b8695088",  # a zero-width space from a copied web page
    "151086\u201395088",  # an en dash made by autocorrect
    "\uff11\uff15\uff11\uff10\uff18\uff16\uff19\uff15\uff10\uff18\uff18",  # full-width digits
]


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_free_text_field_refuses_the_number_however_it_is_written(world: World, name: str) -> None:
    factory, valid, fields = _forms(world)[name]
    for field in fields:
        for number in WRITTEN:
            form = factory({**valid, field: f"Gjelder pasient {number}, se journal."})
            assert not form.is_valid(), f"{name}.{field} with {number!r}"
            assert form.errors[field].as_data()[0].code == "national_id"


def test_a_submitted_title_loses_line_breaks_and_the_description_keeps_them(world: World, client: Client) -> None:
    client.force_login(world["employee"])
    response = client.post(
        reverse("cases:submit"),
        {
            "network": world.network.pk,
            "title": "Overflytting\r\nmellom sykehus\u202e\x00",
            "description": "Første linje\r\nAndre linje\x00\u2066",
            "wanted": "Råd",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.title == "Overflytting mellom sykehus"
    assert case.description == "Første linje\r\nAndre linje"
