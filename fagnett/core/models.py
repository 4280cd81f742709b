"""Field types shared by the apps' models."""

from typing import Any

from django.db import models

from fagnett.core.validators import validate_no_national_id


class _RefusesNationalIdMixin:
    """Adds the national-identity-number guard, so every form and ``full_clean`` applies it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        validators = [*kwargs.pop("validators", []), validate_no_national_id]
        super().__init__(*args, validators=validators, **kwargs)  # type: ignore[call-arg]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kept = [v for v in kwargs.pop("validators", []) if v is not validate_no_national_id]
        if kept:
            kwargs["validators"] = kept
        return name, path, args, kwargs


class FreeTextField(_RefusesNationalIdMixin, models.TextField):  # type: ignore[type-arg]
    """Free text written by users: never holds a national identity number."""


class FreeCharField(_RefusesNationalIdMixin, models.CharField):  # type: ignore[type-arg]
    """A short free text (a title) written by users: never holds a national identity number."""
