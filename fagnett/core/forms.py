"""Form rendering in Designsystemet's markup, and the form fields for text people type.

Every text input of every form is one of ``SingleLineField``, ``MultiLineField`` or ``LinkField`` (a test walks
the apps' forms): they clean control characters out of the value (a single line also loses its line breaks)
and refuse a national identity number unless told otherwise (``guard=False``, for what is never stored: a
search, a hidden version token).
"""

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from fagnett.core.text import multi_line, single_line
from fagnett.core.validators import validate_no_national_id


class DesignsystemetFormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


class _GuardedMixin:
    def __init__(self, *args: Any, guard: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if guard:
            self.validators.append(validate_no_national_id)  # type: ignore[attr-defined]


class SingleLineField(_GuardedMixin, forms.CharField):
    """A one-line text (title, name, place): line breaks become spaces, control characters go."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(single_line(value) if isinstance(value, str) else value)


class MultiLineField(_GuardedMixin, forms.CharField):
    """A text of several lines (a textarea): line breaks stay, other control characters go."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> Any:
        return super().to_python(multi_line(value) if isinstance(value, str) else value)


class LinkField(_GuardedMixin, forms.URLField):
    """A link (https is assumed when left out)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        return super().to_python(single_line(value) if isinstance(value, str) else value)


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's (multiple) model choice field ``name``, typed, to narrow its queryset to what the person may pick."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, typed, to set its choices when the form is made."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def set_prompt(form: forms.BaseForm, name: str, text: Any) -> None:
    """The empty first option of the select ``name`` says ``text`` (a prompt, or what "none" means) instead of
    Django's "---------"."""
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = text
    elif isinstance(field, forms.ChoiceField):
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [(value, text if value == "" else label) for value, label in choices]


def without_blank(form: forms.BaseForm, name: str) -> None:
    """The radio ``name`` offers only real choices: no empty one, so nothing looks picked before the person picks."""
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = None
    elif isinstance(field, forms.ChoiceField):
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [(value, label) for value, label in choices if value != ""]


class PlainSelect(forms.Select):
    """A select written in Python, for long lists of plain choices (a filter's networks): the same markup as the
    template (``django/forms/widgets/select.html``) without building a dict per option (``optgroups``) on every
    request. No groups; the chosen value is compared as text, as Django does."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        final = self.build_attrs(self.attrs, attrs)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, mark_safe(" selected") if str(option) in chosen else "", label)
                for option, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)
