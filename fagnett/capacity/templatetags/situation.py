"""How old a situation report is, wherever one is shown: "2 hours ago" with the exact time, and stale after a day."""

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from fagnett.capacity.situation_models import STALE_AFTER_HOURS
from fagnett.capacity.situation_selectors import is_stale

register = template.Library()


def age_text(filed_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """ "2 hours ago" ("for 2 timer siden") in the reader's language, to the largest unit (Django's timesince)."""
    now = now or timezone.now()
    if now - filed_at < datetime.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(filed_at, now, depth=1)}


@register.inclusion_tag("capacity/_situation_age.html")
def situation_age(filed_at: datetime.datetime | None, now: datetime.datetime | None = None) -> dict[str, Any]:
    if not filed_at:  # a unit without a report (the template passes "" for a missing attribute)
        return {"filed_at": None}
    return {
        "filed_at": filed_at,
        "text": age_text(filed_at, now),
        "stale": is_stale(filed_at, now),
        "stale_hours": STALE_AFTER_HOURS,
    }
