"""Every text a person types is guarded and cleaned, so the next field added cannot slip through.

Walks every model of Fagnett (``apps.get_models()``) and every form of its apps: a text field either is one of
core's free-text fields (identity-number guard, control characters out, line breaks out of single lines) or is on
an allow-list below with the reason it needs none.
"""

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from fagnett.core.forms import LinkField, MultiLineField, SingleLineField
from fagnett.core.models import FreeTextField
from fagnett.core.text import multi_line, single_line
from fagnett.core.validators import validate_no_national_id

ROOT = Path(__file__).resolve().parents[2]  # the fagnett package

#: "app_label.Model.field" (or "*.field" for every model) → why no person's text is stored there.
NOT_FREE_TEXT = {
    "accounts.User.password": "a password hash, made by the hasher",
    "cases.CaseAttachment.content_type": "set by the server from the extension's allow-list (core.uploads)",
    "cases.HistoricalCaseAttachment.content_type": "set by the server from the extension's allow-list (core.uploads)",
    "meetings.AgendaDocument.content_type": "set by the server from the extension's allow-list (core.uploads)",
    "cases.HistoricalCaseAttachment.file": "the stored file's random path (core.uploads.random_upload_path)",
    "core.ReminderLog.kind": "set by the reminder job's code",
    "core.ReminderLog.object_key": "set by the reminder job's code",
    "core.ScheduledRun.name": "a scheduled job's registered name (core.schedule)",
    "core.ScheduledRun.slot": "a date or time made by core.schedule",
    "core.ScheduledRun.task_id": "the job's id, made by django-tasks",
    "capacity.CapacityEntry.source": "set by code: web, excel, api or demo",
    "capacity.HistoricalCapacityEntry.source": "set by code: web, excel, api or demo",
    "capacity.SituationReport.source": "set by code: web, api or demo",
    "capacity.HistoricalSituationReport.source": "set by code: web, api or demo",
    "reports.StatisticsSnapshot.token": "a random value made by reports.freshness",
    "*.history_change_reason": "django-simple-history's reason, never set from a person's input",
}


def _text_fields() -> list[tuple[str, Any]]:
    """Every text column of Fagnett's own models that a person could write: no choices, editable."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("fagnett."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and field.editable and not field.choices:
                found.append((f"{model._meta.label}.{field.name}", field))
    return found


def _allowed(name: str) -> bool:
    return name in NOT_FREE_TEXT or f"*.{name.rsplit('.', 1)[1]}" in NOT_FREE_TEXT


def test_every_text_field_of_every_model_is_guarded_or_allowed() -> None:
    unguarded = [
        name for name, field in _text_fields() if validate_no_national_id not in field.validators and not _allowed(name)
    ]
    assert unguarded == [], "Use core.models.FreeCharField/FreeTextField/FreeURLField, or allow-list with a reason"


def test_the_allow_list_names_real_fields() -> None:
    names = {name for name, _field in _text_fields()}
    stale = [n for n in NOT_FREE_TEXT if not n.startswith("*.") and n not in names]
    assert stale == []


def test_the_walk_sees_the_fields_it_should() -> None:
    """The walk is not vacuous: it reaches the links, the names and the free texts of every app."""
    names = {name for name, _field in _text_fields()}
    for expected in (
        "meetings.Meeting.video_link",
        "events.Event.video_link",
        "procedures.Procedure.url",
        "capacity.ApiToken.name",
        "opendata.RegionApiKey.name",
        "accounts.User.first_name",
        "organisations.Unit.name",
        "cases.Case.description",
        "cases.CaseAttachment.original_name",
    ):
        assert expected in names


@pytest.mark.parametrize(
    ("name", "field"), [(n, f) for n, f in _text_fields() if validate_no_national_id in f.validators]
)
def test_every_guarded_field_cleans_what_it_stores(name: str, field: Any) -> None:
    """to_python runs in full_clean and on every save: single lines lose line breaks, every text loses NUL
    and bidirectional overrides, and a multi-line text keeps its lines."""
    dirty = "A\r\nB\x00C\u202eD\u2066E\x07"
    if isinstance(field, FreeTextField):
        assert field.to_python(dirty) == "A\r\nBCDE"
        assert field.to_python("A\n\nB\tC\u2028D") == "A\n\nB\tC\nD"
    else:
        assert field.to_python(dirty) == "A BCDE"
    with pytest.raises(ValidationError):
        field.run_validators("Nr 15.10.86\u00a095088")


def _form_modules() -> list[Any]:
    return [importlib.import_module(f"fagnett.{path.parent.name}.forms") for path in sorted(ROOT.glob("*/forms.py"))]


CORE_TEXT_FIELDS = (SingleLineField, MultiLineField, LinkField)


def test_every_text_field_of_every_form_is_a_core_text_field() -> None:
    """The declared fields and those made from model fields (dynamic ones are covered by the source test below)."""
    checked, wrong = 0, []
    for module in _form_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.CharField):
                    checked += 1
                    if not isinstance(field, CORE_TEXT_FIELDS):
                        wrong.append(f"{module.__name__}.{name}.{field_name}: {type(field).__name__}")
    assert checked > 40
    assert wrong == []


#: (file, field) → why it may skip the identity-number guard: it is never stored.
UNGUARDED_FORM_FIELDS = {
    ("networks/forms.py", "q"): "a search; never stored",
    ("cases/forms.py", "q"): "a search; never stored",
    ("people/forms.py", "q"): "a search for people, or for the other record of a person to merge; never stored",
    ("capacity/forms.py", "based_on"): "the hidden version tokens the server wrote into the form",
}
PLAIN_TEXT_FIELDS = {"CharField", "URLField", "EmailField", "SlugField", "RegexField", "GenericIPAddressField"}


def test_no_form_builds_a_plain_text_field_or_skips_the_guard_unexplained() -> None:
    """In the source, so fields added in a form's __init__ are covered too."""
    plain, unguarded = [], set()
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative == "core/forms.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if isinstance(target, ast.Subscript):
                    name = ast.unparse(target.slice)
                if any(k.arg == "guard" for k in node.value.keywords):
                    unguarded.add((relative, name))
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in PLAIN_TEXT_FIELDS
                and ast.unparse(node.func.value) == "forms"
            ):
                plain.append(f"{relative}:{node.lineno} forms.{node.func.attr}")
    assert plain == [], "Use core.forms.SingleLineField, MultiLineField or LinkField"
    assert unguarded == set(UNGUARDED_FORM_FIELDS)


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        (SingleLineField(), "  Møte\r\nom\tbudsjett\x00\u202e  ", "Møte om budsjett"),
        (SingleLineField(), "\u2066Tittel\u2069", "Tittel"),
        (MultiLineField(), "Linje 1\r\nLinje 2\x00\x1b[31m\u202e", "Linje 1\r\nLinje 2[31m"),
        (LinkField(), "teams.example.org/møte\r\n", "https://teams.example.org/møte"),
    ],
)
def test_form_fields_clean_control_characters(field: forms.Field, typed: str, expected: str) -> None:
    assert field.clean(typed) == expected


def test_a_title_of_control_characters_only_is_empty() -> None:
    with pytest.raises(ValidationError) as error:
        SingleLineField().clean("\x00\r\n\u202e")
    assert error.value.code == "required"


@pytest.mark.parametrize(
    "field",
    [SingleLineField(), MultiLineField(), LinkField()],
)
def test_form_fields_refuse_an_identity_number_in_any_form(field: forms.Field) -> None:
    with pytest.raises(ValidationError) as error:
        field.clean("https://teams.example.org/l/15.10.86-95088" if isinstance(field, LinkField) else "15.10.86 95088")
    assert "national_id" in [e.code for e in error.value.error_list]


def test_unguarded_fields_still_clean() -> None:
    assert SingleLineField(guard=False).clean("151086 95088\r\n") == "151086 95088"


@pytest.mark.parametrize(
    ("text", "single", "multi"),
    [
        ("plain", "plain", "plain"),
        ("a\u200db", "a\u200db", "a\u200db"),  # a zero-width joiner is kept (emoji and scripts need it)
        ("a\u200fb", "a\u200fb", "a\u200fb"),  # so is a right-to-left mark
        ("a\u00a0b", "a\u00a0b", "a\u00a0b"),
        ("a\x0bb\x0cc", "a b c", "a\nb\nc"),  # Word's manual line break (vertical tab) and a form feed
        ("\ufeffa", "a", "a"),
        ("a\x85b\u2029c", "a b c", "a\nb\nc"),
        ("a\x9bb\x7f", "ab", "ab"),  # C1 control, DEL
    ],
)
def test_text_functions(text: str, single: str, multi: str) -> None:
    assert single_line(text) == single
    assert multi_line(text) == multi
