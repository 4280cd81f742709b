from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import number_format

from fagnett.capacity.selectors import earlier_report_text

register = template.Library()


@register.filter
def dash(value: Any) -> Any:
    """A blank number is shown as a dash: not reported is not zero."""
    return "–" if value is None or value == "" else value


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage in the page's number format."""
    return "–" if value is None else f"{number_format(100 * value, digits)} %"


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
def earlier_report(unit: Any) -> str:
    """ "ICU 3: report of Q3 2026, 3 Oct 2026" for a unit shown with its latest earlier report."""
    return earlier_report_text(unit)


@register.simple_tag(takes_context=True)
def reads_recommendation(context: template.Context, round_: Any) -> bool:
    """Whether the person the page is for may read the round's recommendation (the round's sub-page links)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.has_perm("capacity.view_recommendation", round_))
