"""Flat rows for busy pages (issue 23): what a row shows is prepared once per request, not per row.

A list of 50 model instances through the template engine costs a ``reverse()``, a lazy ``gettext`` and a
``get_FOO_display()`` per row and column; a page built from plain rows pays for each of them once: the labels of a
field's choices are translated once (``labels``), an address is reversed once with a placeholder and filled in per
row (``url_pattern``), and a date is formatted with the project's named formats, looked up once (``date_formatter``).
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable, Hashable, Iterable
from typing import Any, overload

from django import forms
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from fagnett.core.memo import ProcessMemo

#: Stands for an object's id in a reversed address; no real id has these digits (and an id fills a digit pattern).
_PLACEHOLDER = 987654321


#: The address templates reversed in this process, under everything ``reverse`` reads besides the ids: the pattern's
#: name, the fixed arguments, how many ids, the script prefix and the URLconf (the thread's, else the settings').
_url_templates: ProcessMemo[str] = ProcessMemo(size=2048)


def url_pattern(name: str, *fixed: Hashable) -> Callable[..., str]:
    """``url(pk, …)`` for the URL pattern ``name``: reversed once per process, with ``fixed`` leading arguments, then
    filled in by plain string formatting for each row (a request makes its ``url`` and asks the process once)."""
    templates: dict[int, str] = {}

    def url(*ids: int) -> str:
        count = len(ids)
        template = templates.get(count)
        if template is None:
            key = (name, fixed, count, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
            template = templates[count] = _url_templates.get_or_make(key, lambda: _url_template(name, fixed, count))
        return template.format(*ids)

    return url


def _url_template(name: str, fixed: tuple[Hashable, ...], count: int) -> str:
    template = reverse(name, args=[*fixed, *(_PLACEHOLDER + i for i in range(count))])
    for i in range(count):
        template = template.replace(str(_PLACEHOLDER + i), f"{{{i}}}")
    return template


def labels(choices: Iterable[tuple[Any, Any]]) -> dict[Any, str]:
    """A field's choices as ``{value: label}``, each label translated once (in the request's language)."""
    return {value: str(label) for value, label in choices}


def date_formatter(name: str = "SHORT_DATE_FORMAT", empty: str = "–") -> Callable[[datetime.date | None], str]:
    """Format dates with the named format of the active language (``fagnett.core.formats``), looked up once.

    A numeric date format ("d.m.Y", "d/m/Y") is turned into a string template once, so a row's date costs one
    ``str.format`` instead of a ``DateFormat`` object parsing the format again (a tenth of the time)."""
    pattern = formats.get_format(name)
    template = _numeric_template(pattern)

    def format_date(value: datetime.date | None) -> str:
        if value is None:
            return empty
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        if template is None:
            return dateformat.format(value, pattern)
        return template.format(d=value.day, m=value.month, Y=value.year, y=value.year % 100)

    return format_date


def _numeric_template(pattern: str) -> str | None:
    """``"d.m.Y"`` → ``"{d:02d}.{m:02d}.{Y:04d}"``; None for a format with anything but numbers and punctuation
    (month names need the language's translations: ``dateformat.format`` writes those)."""
    fields = {"d": "{d:02d}", "j": "{d}", "m": "{m:02d}", "n": "{m}", "Y": "{Y:04d}", "y": "{y:02d}"}
    parts = []
    for char in pattern:
        if char in fields:
            parts.append(fields[char])
        elif char.isalpha() or char == "\\":
            return None
        else:
            parts.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


class RowMarkup:
    """The markup of one row of a long table, written once and filled in per row with plain string formatting.

    The template engine costs a node per cell and a lookup, a localisation check and a lazy-aware escape per value;
    on a list of 50 rows that is most of a page's time. ``RowMarkup('<tr><td><a href="{url}">{title}</a></td></tr>')``
    fills ``{name}`` from keyword arguments, each value escaped (``html.escape``) unless it is already safe HTML
    (has ``__html__``: another ``RowMarkup``'s output, ``format_html``). Labels are passed in, translated once per
    request. ``rows(...)`` joins many rows into one safe string for the page's template to print.
    """

    __slots__ = ("markup",)

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def __call__(self, **values: Any) -> SafeString:
        return mark_safe(self.markup.format_map({name: _escaped(value) for name, value in values.items()}))  # noqa: S308 — every value escaped above

    def rows(self, rows: Iterable[dict[str, Any]]) -> SafeString:
        """The rows' markup joined, each ``values`` a row's keyword arguments."""
        return mark_safe("".join([self(**values) for values in rows]))  # noqa: S308 — each part is safe


def _escaped(value: Any) -> str:
    kind = type(value)  # the kinds a row holds most, first: each an exact type, so a subclass takes the long way
    if kind is str:
        return html.escape(value)
    if kind is SafeString:
        return value
    if kind is int:
        return str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


#: rendered filter forms a worker keeps (languages × choices × what was asked)
_forms: ProcessMemo[SafeString] = ProcessMemo(size=512)


def form_fields_html(key: Hashable, form: forms.BaseForm) -> SafeString:
    """The HTML of ``form``'s fields (hidden, then each visible one as ``as_field_group``), rendered once and kept in
    the process under ``key`` and the active language. ``key`` must hold everything the HTML depends on besides the
    language: the data asked with and the choices. A form with errors is rendered each time (its messages show)."""
    if form.errors:
        return _render_fields(form)
    return _forms.get_or_make((get_language(), key), lambda: _render_fields(form))


def _render_fields(form: forms.BaseForm) -> SafeString:
    return SafeString(
        "".join(str(field) for field in form.hidden_fields())
        + "".join(field.as_field_group() for field in form.visible_fields())
    )


# --- Hand-written statements' values --------------------------------------------------------------------------------
# A busy page's hand-written SQL (docs/ARCHITECTURE.md, "Hand-written SQL on the busiest pages") gets its values as
# the database driver gives them: PostgreSQL's are dates and aware datetimes, SQLite's may be text, and its stored
# UTC timestamps come back naive. These make them what the ORM would have returned.


@overload
def raw_date(value: datetime.date | str) -> datetime.date: ...
@overload
def raw_date(value: None) -> None: ...
def raw_date(value: datetime.date | str | None) -> datetime.date | None:
    """A DATE column's value from a hand-written statement, as a date (None stays None)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def raw_datetime(value: datetime.datetime | str) -> datetime.datetime:
    """A timestamp column's value from a hand-written statement, as an aware datetime (UTC where SQLite left it
    naive)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


# --- A filter form's fields one by one (capacity's dimensioning places them itself) ---------------------------------

_field_groups: ProcessMemo[dict[str, SafeString]] = ProcessMemo(size=512)


def form_field_groups(key: Hashable, form: forms.BaseForm) -> dict[str, SafeString]:
    """``form_fields_html`` for a template that places each field itself: ``{name: the field's as_field_group}``
    (a hidden field as its widget), rendered once and kept in the same way under ``key`` and the active language;
    a form with errors is rendered each time."""
    if form.errors:
        return _field_groups_of(form)
    return _field_groups.get_or_make((get_language(), key), lambda: _field_groups_of(form))


def _field_groups_of(form: forms.BaseForm) -> dict[str, SafeString]:
    return {field.name: SafeString(field if field.is_hidden else field.as_field_group()) for field in form}
