import datetime
from typing import Any

from django import template

register = template.Library()


@register.filter
def is_overdue(case: Any, today: datetime.date) -> bool:
    return bool(case.is_overdue(today))
