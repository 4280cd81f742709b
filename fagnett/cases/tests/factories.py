"""Factories for case tests, on top of ``tests.factories``'s world."""

import datetime
from typing import Any

from django.utils import timezone

from fagnett.cases.models import Case, CaseCounter, CaseEvent, Consultation
from fagnett.networks.models import Network
from tests.factories import World


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


def assess_consultations(case: Case, recorded_by: Any, **states: str) -> list[Consultation]:
    """Record every kind of consultation on ``case`` straight in the database, without timeline events.

    Each kind is "not_required" (with a reason) unless ``states`` says "done" or "open" for it, e.g.
    ``assess_consultations(case, leader, union_representatives="open")``.
    """
    made = []
    for kind in Consultation.Kind.values:
        state = states.get(kind, "not_required")
        done = state == "done"
        made.append(
            Consultation.objects.create(
                case=case,
                kind=kind,
                required=state != "not_required",
                not_required_reason="Saken har ingen betydning for dette." if state == "not_required" else "",
                status=Consultation.Status.OPEN if state == "open" else Consultation.Status.DONE,
                consulted_on=timezone.localdate() if done else None,
                consulted="Hovedverneombud og hovedtillitsvalgte" if done else "",
                outcome="Ingen innvendinger." if done else "",
                recorded_by=recorded_by,
                recorded_at=timezone.now(),
            )
        )
    return made


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)
