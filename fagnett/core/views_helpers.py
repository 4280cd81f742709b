"""Small helpers the thin views share."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import formats
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from fagnett.core.exceptions import ConflictError
from fagnett.core.locking import VersionedForm

V = TypeVar("V", bound=VersionedForm)


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


def paginate(request: HttpRequest, items: Any, per_page: int = 50, *, count: int | None = None) -> Page:
    """The page of ``items`` the ``page`` parameter asks for; ``count``, when the caller has already counted the
    items, spares the paginator its own count query."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property
    return paginator.get_page(request.GET.get("page"))


def year_param(request: HttpRequest, default: int) -> int:
    """The ``year`` query parameter, or ``default`` when it is missing or not a sensible year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def rebind_after_conflict(request: HttpRequest, current: Any, make_form: Callable[[QueryDict | None], V]) -> V:
    """The conflict page's form, after a service raised ``ConflictError(current)``: the person's input bound again
    against the version saved now (``current``, ``None`` if nothing is), so that saving once more overwrites it
    knowingly, validated so the page shows it as it was written. ``make_form(None)`` must give the form as it shows
    the saved record: ``components/conflict.html`` lists where the two differ (``form.conflict_differences``)."""
    saved = make_form(None)
    data = request.POST.copy()
    data[saved.add_prefix(saved.version_field)] = str(saved.version_of(current))
    form = make_form(data)
    form.is_valid()
    form.conflict_differences = conflict_differences(saved=saved, mine=form)  # type: ignore[attr-defined]
    return form


def one_button_step(request: HttpRequest, run: Callable[[int], object], *, done: str, conflict: str) -> None:
    """A step taken with one button, whose form carries only the version the page was opened on: ``run`` it with
    that version and say in a message how it went. A conflict (``conflict`` says what to do) or a refusal changes
    nothing; there is no form to show them on, so the caller goes back to the record's page."""
    form = VersionedForm(request.POST)
    form.is_valid()
    try:
        run(form.version)
    except ConflictError:
        messages.error(request, conflict)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)


F = TypeVar("F", bound=forms.BaseForm)


def key_page(
    request: HttpRequest,
    template: str,
    *,
    form: F,
    blank_form: Callable[[], F],
    issue: Callable[[F], tuple[Any, str]],
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """A page of issued keys (``core.models.HashedKey``) with the form that issues one, for ``{% key_list %}``.

    On a valid POST ``issue(form)`` makes the key and returns it with its secret (as the key services do); the
    secret is shown this once as ``new_key``, and the form is emptied. ``context()`` is asked after that, so the
    list holds the new key. The page is never cached: ``core.middleware.SecurityHeadersMiddleware`` makes every
    answer ``private, no-store`` (the pages' own ``no-store`` was replaced by it anyway)."""
    new_key = ""
    if request.method == "POST" and form.is_valid():
        _key, new_key = issue(form)
        form = blank_form()
    return render(request, template, {**context(), "form": form, "new_key": new_key})


def _shown(field: forms.Field, value: Any) -> str:
    if isinstance(value, bool) or isinstance(field, forms.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if value is None or value == "" or value == []:
        return "–"
    choices = {_key(key): label for key, label in getattr(field, "choices", None) or []}
    if choices:
        # Saved values come as objects or numbers, posted ones as text: compare as text, show in the choices' order.
        chosen = {_key(v) for v in (value if isinstance(value, list | tuple) else [value])}
        unknown = sorted(v for v in chosen if v not in choices)
        return ", ".join([str(label) for key, label in choices.items() if key in chosen] + unknown)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(formats.localize(value))


def _key(value: Any) -> str:
    """A choice's value as text (a model choice's value is wrapped; ``prepare_value`` gives the primary key)."""
    return str(getattr(value, "value", value))


def conflict_differences(*, saved: forms.BaseForm, mine: forms.BaseForm) -> list[tuple[str, str, str]]:
    """(label, what is saved now, what the person wrote) for each visible field where the two differ."""
    rows = []
    cleaned = getattr(mine, "cleaned_data", {})
    for name, field in mine.fields.items():
        if field.widget.is_hidden or name not in saved.fields:
            continue
        # A date or a number as the field understood it, so that it compares with the saved value; a choice (its
        # key) and whatever did not validate as typed.
        typed = hasattr(field, "choices") or name not in cleaned
        written = mine[name].value() if typed else field.prepare_value(cleaned[name])
        before, after = _shown(field, saved[name].value()), _shown(field, written)
        if before.strip() != after.strip():
            rows.append((str(field.label or name), before, after))
    return rows
