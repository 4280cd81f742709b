"""Keeping the topic list, and putting topics on cases, agenda items and annual reports."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.locking import check_version, locked_get, locked_update
from fagnett.core.permissions import require_perm
from fagnett.organisations.models import Region
from fagnett.topics.models import Topic

TOPIC_FIELDS = ("name", "description", "active")


def _check_name(region: Region, name: str, exclude: int | None = None) -> None:
    clash = Topic.objects.filter(region=region, name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("The region already has a topic with this name.")})


@transaction.atomic
def topic_create(*, user: User, region: Region, data: dict[str, Any]) -> Topic:
    require_perm(user, "topics.manage_topics", region)
    _check_name(region, data.get("name", ""))
    last = Topic.objects.filter(region=region).aggregate(last=Max("order"))["last"] or 0
    topic = Topic(region=region, order=last + 1, **{k: data[k] for k in TOPIC_FIELDS if k in data})
    topic.name = topic.name.strip()
    topic.full_clean()
    topic.save()
    return topic


@transaction.atomic
def topic_update(*, user: User, topic: Topic, data: dict[str, Any], lock_version: int) -> Topic:
    current = locked_get(Topic.objects.select_related("region"), pk=topic.pk)
    require_perm(user, "topics.manage_topics", current.region)
    check_version(current, lock_version)
    _check_name(current.region, data.get("name", current.name), exclude=current.pk)
    for name in TOPIC_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    current.name = current.name.strip()
    return locked_update(current)


def set_topics(*, relation: Any, region_id: int, topics: Iterable[Topic]) -> None:
    """Put ``topics`` on an object (``relation`` is e.g. ``case.topics``); the caller has checked that the
    person may change the object. Topics must be the object's region's; a retired topic stays if it was
    already there but cannot be added."""
    chosen = list(topics)
    existing = set(relation.values_list("pk", flat=True))
    for topic in chosen:
        if topic.region_id != region_id:
            raise ValidationError({"topics": _("Choose topics from the region's list.")})
        if not topic.active and topic.pk not in existing:
            raise ValidationError({"topics": _("%(topic)s is no longer in use.") % {"topic": topic.name}})
    relation.set(chosen)
