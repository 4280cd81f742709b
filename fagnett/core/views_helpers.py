"""Small helpers the thin views share."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

F = TypeVar("F", bound=forms.BaseForm)


def add_service_errors(form: forms.BaseForm, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ``ValidationError`` on the form, on the field it names when the form has it."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = field_map.get(name, name)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made (django-htmx's middleware sets ``request.htmx``)."""
    return bool(getattr(request, "htmx", False))


def paginate(request: HttpRequest, items: Any, per_page: int = 50) -> Page:  # type: ignore[type-arg]
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def year_param(request: HttpRequest, default: int) -> int:
    """The ``year`` query parameter, or ``default`` when it is missing or not a sensible year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def rebind_after_conflict(request: HttpRequest, current: Any, make_form: Callable[[QueryDict], F]) -> F:
    """After a ``ConflictError``: the person's input, bound again against the version saved now (``current``),
    so that saving once more overwrites it knowingly. Validated, so the page shows it as it was written."""
    data = request.POST.copy()
    data["lock_version"] = str(current.lock_version)
    form = make_form(data)
    form.is_valid()
    return form
