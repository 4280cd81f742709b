"""Factories for case tests, on top of ``fagnett.core.testing``'s world."""

import datetime
from typing import Any

from django.utils import timezone

from fagnett.cases.models import Case, CaseCounter, CaseEvent
from fagnett.core.testing import World
from fagnett.networks.models import Network


def make_case(world: World, status: str = Case.Status.RECEIVED, **kwargs: Any) -> Case:
    """A case in ``world.network`` (or ``network=``), numbered, at ``status``; submitted by the employee."""
    network: Network | None = kwargs.pop("network", world.network)
    submitted_by = kwargs.pop("submitted_by", world["employee"])
    now = timezone.now()
    year = kwargs.pop("year", timezone.localdate(now).year)
    number = None
    if network is not None:
        counter, _ = CaseCounter.objects.get_or_create(network=network, year=year)
        counter.last_number += 1
        counter.save()
        number = counter.last_number
    case = Case.objects.create(
        region=network.region if network else kwargs.pop("region", world.region_a),
        network=network,
        year=year,
        number=number,
        title=kwargs.pop("title", "Felles rutine for overflytting"),
        description=kwargs.pop("description", "Ulik praksis mellom sykehusene ved overflytting til intensiv."),
        wanted=kwargs.pop("wanted", "En regional anbefaling."),
        submitted_by=submitted_by,
        submitted_at=kwargs.pop("submitted_at", now),
        status=status,
        decline_reason=kwargs.pop("decline_reason", "Hører ikke hjemme her" if status == Case.Status.DECLINED else ""),
        **kwargs,
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.SUBMITTED, actor=submitted_by, at=now)
    return case


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)
