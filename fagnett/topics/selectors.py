"""Reads for topics: the region's list, and the topics that can be put on something.

How many networks worked on each topic in a year is the annual report's (``reports.statistics.topic_shift``): it
reads meetings and reports, which sit above topics."""

from typing import Any

from django.db.models import Q, QuerySet

from fagnett.topics.models import Topic


def topic_list(*, region_id: int) -> QuerySet[Topic]:
    return Topic.objects.filter(region_id=region_id).order_by("order", "name")


def topic_choices(*, region_id: int, chosen: Any = None) -> QuerySet[Topic]:
    """Topics that can be put on something: the region's topics in use, and those already on it."""
    current = Q(pk__in=chosen.values("pk")) if chosen is not None else Q(pk__in=[])
    return Topic.objects.filter(region_id=region_id).filter(Q(active=True) | current).order_by("order", "name")
