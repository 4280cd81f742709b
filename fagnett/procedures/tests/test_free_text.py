"""A procedure's link is guarded like its text: a search link can carry a patient's number."""

import pytest
from django.core.exceptions import ValidationError

from fagnett.procedures import services
from fagnett.procedures.forms import ProcedureForm
from fagnett.procedures.models import Procedure, Status
from fagnett.procedures.tests.factories import d
from tests.factories import World

pytestmark = pytest.mark.django_db

DATA = {"kind": Procedure.Kind.PROCEDURE, "title": "Arteriekran", "url": "https://example.org/doc/1"}


@pytest.mark.parametrize(
    "url", ["https://ehandbok.example.no/sok?q=15108695088", "https://ehandbok.example.no/sok?q=151086+95088"]
)
def test_a_link_with_an_identity_number_is_refused_and_nothing_saved(world: World, url: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.procedure_create(
            user=world["leader"], network=world.network, data={**DATA, "url": url}, status=Status.PROPOSED,
            happened_on=d(3),
        )  # fmt: skip
    assert [e.code for e in error.value.error_dict["url"]] == ["national_id"]
    assert not Procedure.objects.exists()


def test_the_form_refuses_it_on_the_field(world: World) -> None:
    form = ProcedureForm(
        {**DATA, "url": "ehandbok.example.no/pasient/15.10.86-95088", "status": Status.PROPOSED, "happened_on": d(3)},
        network=world.network,
    )
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["url"]] == ["national_id"]
