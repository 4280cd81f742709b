"""Small helpers the thin views share."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import formats
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

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


def render_page_or_part(request: HttpRequest, template: str, context: dict[str, Any], part: str) -> HttpResponse:
    """The whole page, or only its ``part`` (a django-template-partials partial) when htmx asks — e.g. the results
    of a filtered list. ``Vary: HX-Request`` keeps a cache or the browser's back button from giving one for the
    other."""
    htmx = bool(getattr(request, "htmx", False))  # django-htmx's middleware sets request.htmx
    response = render(request, f"{template}#{part}" if htmx else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def paginate(request: HttpRequest, items: Any, per_page: int = 50) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def year_param(request: HttpRequest, default: int) -> int:
    """The ``year`` query parameter, or ``default`` when it is missing or not a sensible year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def rebind_after_conflict(request: HttpRequest, current: Any, make_form: Callable[[QueryDict | None], F]) -> F:
    """After a ``ConflictError``: the person's input, bound again against the version saved now (``current``),
    so that saving once more overwrites it knowingly. Validated, so the page shows it as it was written."""
    data = request.POST.copy()
    data["lock_version"] = str(current.lock_version)
    form = make_form(data)
    form.is_valid()
    # The same form unbound shows the saved record; components/conflict.html lists where the two differ.
    form.conflict_differences = conflict_differences(saved=make_form(None), mine=form)  # type: ignore[attr-defined]
    return form


def _shown(field: forms.Field, value: Any) -> str:
    if isinstance(value, bool) or isinstance(field, forms.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if value is None or value == "" or value == []:
        return "–"
    choices = dict(getattr(field, "choices", None) or [])
    if choices:
        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(str(choices.get(v, choices.get(str(v), v))) for v in values)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(formats.localize(value))


def conflict_differences(*, saved: forms.BaseForm, mine: forms.BaseForm) -> list[tuple[str, str, str]]:
    """(label, what is saved now, what the person wrote) for each visible field where the two differ."""
    rows = []
    for name, field in mine.fields.items():
        if field.widget.is_hidden or name not in saved.fields:
            continue
        before, after = _shown(field, saved[name].value()), _shown(field, mine[name].value())
        if before.strip() != after.strip():
            rows.append((str(field.label or name), before, after))
    return rows
