"""Field types shared by the apps' models.

Every text a person writes is stored in one of these: they refuse a national identity number (``full_clean``
and every form made from them), and clean control characters out of the value (single-line fields lose line
breaks too). ``tests/test_free_text_fields.py`` walks every model and fails on a text field that is neither one
of these nor on its reasoned allow-list.
"""

from typing import Any

from django import forms
from django.db import models

from fagnett.core import forms as core_forms
from fagnett.core.text import multi_line, single_line
from fagnett.core.validators import validate_no_national_id


class _FreeTextMixin:
    """Adds the national-identity-number guard and the control-character clean-up."""

    #: the form field a model form gets (None: the model field's own)
    form_class: type[forms.Field] | None = None
    multi_line = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        validators = [v for v in kwargs.pop("validators", []) if v is not validate_no_national_id]
        super().__init__(*args, validators=[*validators, validate_no_national_id], **kwargs)  # type: ignore[call-arg]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kept = [v for v in kwargs.pop("validators", []) if v is not validate_no_national_id]
        if kept:
            kwargs["validators"] = kept
        return name, path, args, kwargs

    def _clean_text(self, value: Any) -> Any:
        if isinstance(value, str):
            return multi_line(value) if self.multi_line else single_line(value)
        return value

    def to_python(self, value: Any) -> Any:
        # full_clean stores the result on the instance.
        return self._clean_text(super().to_python(value))  # type: ignore[misc]

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        # Every save, with or without full_clean (bulk_create, objects.create, the history's copies).
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        cleaned = self._clean_text(value)
        if cleaned != value:
            setattr(model_instance, self.attname, cleaned)  # type: ignore[attr-defined]
        return cleaned

    def get_prep_value(self, value: Any) -> Any:
        # CharField's would call our to_python, cleaning the values of lookups too; a lookup compares what was
        # typed unchanged: a log-in as "b\x01ob" must not find "bob" (nor count against another lock-out key).
        value = models.Field.get_prep_value(self, value)  # type: ignore[arg-type]
        return super().to_python(value)  # type: ignore[misc]

    def formfield(self, **kwargs: Any) -> Any:
        if self.form_class is not None:
            kwargs = {"form_class": self.form_class, **kwargs}
        field = super().formfield(**kwargs)  # type: ignore[misc]
        if field is not None and validate_no_national_id not in field.validators:
            field.validators.append(validate_no_national_id)
        return field


class FreeTextField(_FreeTextMixin, models.TextField):  # type: ignore[type-arg]
    """Free text written by users: never holds a national identity number; keeps line breaks."""

    form_class = core_forms.MultiLineField
    multi_line = True


class FreeCharField(_FreeTextMixin, models.CharField):  # type: ignore[type-arg]
    """A short free text (a title, a name) written by users: one line, never a national identity number."""

    form_class = core_forms.SingleLineField


class FreeURLField(_FreeTextMixin, models.URLField):  # type: ignore[type-arg]
    """A link a person gives (video meeting, where a procedure lives): never holds a national identity number."""

    form_class = core_forms.LinkField


class FreeEmailField(_FreeTextMixin, models.EmailField):  # type: ignore[type-arg]
    """An e-mail address a person gives: never holds a national identity number."""
