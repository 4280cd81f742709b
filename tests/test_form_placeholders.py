"""No select or radio of any form shows Django's "---------" placeholder, and no radio comes with an empty choice.

Walks every form class of the apps' forms modules (as ``test_free_text`` does) and renders each: through its own
``__init__`` when it can be made without arguments, otherwise through Django's base ``__init__`` (the fields as
declared and as made from the model; what an ``__init__`` adds is written in code that names its own prompt).
A select that needs a choice shows a real prompt or none; a radio that needs a choice shows only real choices,
none of them picked in advance.
"""

import datetime
import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ObjectDoesNotExist

from fagnett.accounts.models import User
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Hospital, Region
from tests.factories import World

ROOT = Path(__file__).resolve().parents[1] / "fagnett"  # the fagnett package
DASHES = "---------"


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for path in sorted(ROOT.glob("*/forms.py")):
        module = importlib.import_module(f"fagnett.{path.parent.name}.forms")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__ and cls.base_fields:
                found.append(cls)
    return found


def _arguments(world: World | None) -> dict[str, Any]:
    """What the forms' own ``__init__`` take, by name, from a small world."""
    if world is None:
        return {}
    return {
        "networks": Network.objects.all(),
        "trusts": HealthTrust.objects.all(),
        "hospitals": Hospital.objects.all(),
        "regions": Region.objects.all(),
        "people": list(User.objects.all()),
        "years": [2026],
        "fields": ["Anestesi"],
        "region": world.region_a,
        "region_id": world.region_a.pk,
        "network": world.network,
        "allow_rhf": True,
        "with_rhf": True,
        "today": datetime.date(2026, 3, 1),
        "base_version": None,
    }


def _render(cls: type[forms.BaseForm], world: World | None = None) -> dict[str, str]:
    """The form's HTML: made through its own ``__init__`` with what it asks for by name when the world has it,
    else by Django's own ``__init__``."""
    arguments = _arguments(world)
    needed = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty
    ]
    try:
        form = cls(**{name: arguments[name] for name in needed})
    except (TypeError, KeyError, AttributeError, ObjectDoesNotExist):
        form = cls.__new__(cls)
        if issubclass(cls, forms.BaseModelForm):
            forms.BaseModelForm.__init__(form)
        else:
            forms.BaseForm.__init__(form)
    # Field by field, so a form template that needs more context (a formset, a page's data) still shows every widget.
    return {name: str(form[name]) for name in form.fields}


FORMS = _form_classes()


def test_the_walk_finds_the_forms_with_selects_and_radios() -> None:
    names = {cls.__qualname__ for cls in FORMS}
    assert len(FORMS) > 60
    assert {"RouteForm", "CaseSubmitForm", "AssessmentForm", "NetworkForm", "CaseFilterForm"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: f"{cls.__module__.split('.')[1]}.{cls.__qualname__}")
def test_no_form_shows_the_dash_placeholder(cls: type[forms.BaseForm], world: World) -> None:
    fields = _render(cls, world)
    assert [name for name, html in fields.items() if DASHES in html] == []
    empty_radios = [
        name
        for name, html in fields.items()
        if any('value=""' in radio for radio in re.findall(r"<input[^>]*type=\"radio\"[^>]*>", html))
    ]
    assert empty_radios == [], "a radio with an empty choice"


def test_the_check_would_see_a_dash_placeholder() -> None:
    """The walk renders what Django would put there: a plain required model select shows the dashes."""

    class Plain(forms.Form):
        choice = forms.ChoiceField(choices=[("", DASHES), ("a", "A")])

    assert DASHES in _render(Plain)["choice"]
