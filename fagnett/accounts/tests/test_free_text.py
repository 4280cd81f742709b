"""A person's names, title, e-mail address and username are guarded and kept on one line; so are the names of
the organisations (entered by the operator in the admin)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from fagnett.accounts.models import User
from fagnett.organisations.models import Hospital, Unit
from tests.factories import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "15108695088"),
        ("first_name", "Kari 151086 95088"),
        ("last_name", "Nordmann 15.10.86-95088"),
        ("title", "Overlege (15108695088)"),
        ("email", "15108695088@example.org"),
    ],
)
def test_a_persons_texts_refuse_an_identity_number(world: World, field: str, value: str) -> None:
    person = make_user("kari")
    setattr(person, field, value)
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "national_id" in [e.code for e in error.value.error_dict[field]]


def test_a_persons_names_are_one_line(world: World) -> None:
    person = make_user("kari")
    person.first_name, person.title = "Kari\r\n", "Overlege\u202e\x00"
    person.full_clean()
    assert (person.first_name, person.title) == ("Kari", "Overlege")


def test_organisation_names_refuse_an_identity_number(world: World) -> None:
    hospital = Hospital.objects.create(trust=world.trusts_a[0], name="UNN Tromsø")
    unit = Unit(hospital=hospital, name="Intensiv 151086 95088")
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "name" in error.value.error_dict


def test_a_lookup_compares_what_was_typed_unchanged(world: World, client: Client) -> None:
    """Cleaning applies to what is stored, never to what is looked up: a log-in as "kari" with a control
    character or a bidi override in the name neither logs in as kari nor counts as her name."""
    make_user("kari")
    assert User.objects.filter(username="kari").exists()
    for typed in ("ka\x01ri", "kari\u202e", "ka\u2066ri"):
        assert not User.objects.filter(username=typed).exists()
        assert not client.login(username=typed, password=PASSWORD)
    assert client.login(username="kari", password=PASSWORD)


def test_a_save_without_full_clean_stores_the_cleaned_text(world: World) -> None:
    hospital = Hospital.objects.create(trust=world.trusts_a[0], name="UNN\r\nTromsø\x00")
    hospital.refresh_from_db()
    assert hospital.name == "UNN Tromsø"
