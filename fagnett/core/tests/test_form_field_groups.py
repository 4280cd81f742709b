"""A filter form's fields one by one, kept per worker (``core.rows.form_field_groups``): the same HTML as each
field's ``as_field_group``, per language and key, and a form with errors rendered each time."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fagnett.core.rows import form_field_groups


class ChoiceForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=[("a", "A"), ("b", "B")], required=False)
    size = forms.IntegerField(label="Size", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def test_each_field_as_its_group_and_a_hidden_field_as_its_widget() -> None:
    form = ChoiceForm(initial={"level": "b", "token": "x"})
    fields = form_field_groups(("test-fields", "b"), form)
    assert list(fields) == ["level", "size", "token"]
    assert fields["level"] == form["level"].as_field_group() and 'value="b" selected' in fields["level"]
    assert fields["token"] == str(form["token"]) and "<label" not in fields["token"]


def test_kept_per_key_and_language() -> None:
    with translation.override("nb"):
        first = form_field_groups(("test-kept",), ChoiceForm())
        assert form_field_groups(("test-kept",), ChoiceForm(initial={"level": "b"})) is first  # the key decides
        assert "Nivå" in first["level"]
    with translation.override("en"):
        assert "Level" in form_field_groups(("test-kept",), ChoiceForm())["level"]


def test_a_form_with_errors_is_rendered_each_time() -> None:
    fields = form_field_groups(("test-errors",), ChoiceForm({"size": "many"}))
    assert "many" in fields["size"] and "error" in fields["size"]
    assert "many" not in form_field_groups(("test-errors",), ChoiceForm({"size": "3"}))["size"]
