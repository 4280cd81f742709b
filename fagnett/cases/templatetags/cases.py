import datetime
from typing import Any

from django import template

register = template.Library()

_COLORS = {
    "received": "info",
    "accepted": "info",
    "in_progress": "warning",
    "on_agenda": "warning",
    "recommendation_given": "success",
    "escalated": "danger",
    "decision_recorded": "success",
    "declined": "neutral",
    "closed": "neutral",
}


@register.filter
def case_status_color(status: str) -> str:
    """The Designsystemet colour for a case's status tag."""
    return _COLORS.get(status, "neutral")


@register.filter
def is_overdue(case: Any, today: datetime.date) -> bool:
    return bool(case.is_overdue(today))
