from typing import Any

from django import template
from django.urls import reverse

from fagnett.capacity import display, pages
from fagnett.core import formatting

register = template.Library()


@register.filter
def dash(value: Any) -> Any:
    """A blank number is shown as a dash: not reported is not zero."""
    return "–" if value is None or value == "" else value


@register.filter
def percent(value: float | None, digits: int = display.PERCENT_DIGITS) -> str:
    """A share (0–1) as a percentage, rounded half-up (``core.formatting.percent``, as in the documents)."""
    return formatting.percent(value, int(digits))


@register.filter
def per_100k(value: Any) -> str:
    """Staffed beds per 100 000 inhabitants with the decimals every surface uses (``capacity.display``)."""
    return display.per_100k(value)


@register.filter
def erlang(value: Any) -> str:
    """An offered load or admissions per day with the decimals every surface uses (``capacity.display``)."""
    return display.load(value)


@register.filter
def decimals(value: Any, digits: int = 1) -> str:
    """Any other figure through ``core.formatting.number`` (half-up, the language's separators, "–" for None)."""
    return formatting.number(value, int(digits))


@register.filter
def index(sequence: Any, i: int) -> Any:
    return sequence[i]


@register.simple_tag
def chart_src(round_: Any, name: str, query: str = "") -> str:
    url = reverse("capacity:chart", args=[round_.pk, name])
    return f"{url}?{query}" if query else url


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def worst(row: Any, category: str) -> str:
    return row.worst_status(category)


@register.simple_tag
def completeness_rows(figures: Any) -> str:
    """The rows of the table of units reported per trust, written once (``capacity.pages.completeness_rows``)."""
    return pages.completeness_rows(figures)


@register.simple_tag(takes_context=True)
def reads_recommendation(context: template.Context, round_: Any) -> bool:
    """Whether the person the page is for may read the round's recommendation (the round's sub-page links)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.has_perm("capacity.view_recommendation", round_))
