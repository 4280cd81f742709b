"""One record of every kind the audit trail covers, and a change of each, on the shared test world."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from fagnett.audit.registry import SOURCES
from fagnett.capacity.models import Recommendation
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases.tests.factories import make_case
from fagnett.meetings.models import ActionItem, Minutes
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Appointment
from fagnett.reports.models import NetworkReport, RegionalReport
from tests.factories import World, appoint, make_mandate, make_user


@dataclass(frozen=True)
class KindCase:
    """How to make a record of one kind, change one field, and what that change reads as."""

    #: the n-th record of the kind (n makes it unique where the kind has a unique key)
    make: Callable[[World, int], models.Model]
    field: str
    value: Any
    #: "label: old → new" as the history page writes it
    words: tuple[str, str, str]


def _mandate(world: World, n: int = 0) -> models.Model:
    return make_mandate(world.network, purpose="Samle praksis.")


def _appointment(world: World, n: int = 0) -> models.Model:
    person = world["candidate"] if n == 0 else make_user(trust=world.trusts_a[2])
    return appoint(world.network, person, status=Appointment.Status.NOMINATED, trust=world.trusts_a[2])


def _meeting(world: World, n: int = 0) -> models.Model:
    return make_meeting(world.network, title="Vårmøte")


def _minutes(world: World, n: int = 0) -> models.Model:
    return Minutes.objects.create(meeting=make_meeting(world.network, days=-3, title="Vintermøte"), version=1)


def _case(world: World, n: int = 0) -> models.Model:
    return make_case(world, title="Overflytting")


def _action_item(world: World, n: int = 0) -> models.Model:
    return ActionItem.objects.create(
        network=world.network, title="Lag utkast", owner=world["member"], due_date=datetime.date(2026, 3, 1)
    )


def _network_report(world: World, n: int = 0) -> models.Model:
    return NetworkReport.objects.create(network=world.network, year=2025 - n)


def _regional_report(world: World, n: int = 0) -> models.Model:
    return RegionalReport.objects.create(region=world.region_a, year=2025 - n, created_by=world["coordinator"])


def _capacity_entry(world: World, n: int = 0) -> models.Model:
    round_ = make_round(world.region_a, network=world.network, period_start=datetime.date(2026 - n, 1, 1))
    return make_entry(round_, units_of(world)[0])


def _capacity_recommendation(world: World, n: int = 0) -> models.Model:
    round_ = make_round(world.region_a, network=world.network, period_start=datetime.date(2040 - n, 1, 1))
    return Recommendation.objects.create(round=round_, summary="To K3-senger til.", consensus=True)


def _person(world: World, n: int = 0) -> models.Model:
    return make_user(f"audit-person-{n}", trust=world.trusts_a[0], title="Overlege")


KIND_CASES: dict[str, KindCase] = {
    "mandate": KindCase(
        _mandate, "purpose", "Samle og styre praksis.", ("Purpose", "Samle praksis.", "Samle og styre praksis.")
    ),
    "appointment": KindCase(_appointment, "status", "appointed", ("Status", "Nominated", "Appointed")),
    "meeting": KindCase(_meeting, "title", "Strategimøte", ("Title", "Vårmøte", "Strategimøte")),
    "minutes": KindCase(_minutes, "status", "circulated", ("Status", "Draft", "Circulated for comments")),
    "case": KindCase(_case, "status", "accepted", ("Status", "Received", "Accepted")),
    "action-item": KindCase(_action_item, "due_date", datetime.date(2026, 4, 15), ("Due", "01.03.2026", "15.04.2026")),
    "network-report": KindCase(
        _network_report,
        "registry_data_reviewed",
        True,
        ("Quality-registry, health-atlas or other data reviewed", "(empty)", "yes"),
    ),
    "regional-report": KindCase(
        _regional_report, "introduction", "Et godt år.", ("Introduction", "(empty)", "Et godt år.")
    ),
    "capacity-entry": KindCase(_capacity_entry, "staffed_beds", 9, ("Staffed beds", "8", "9")),
    "capacity-recommendation": KindCase(
        _capacity_recommendation,
        "summary",
        "Endret anbefaling.",
        ("The recommendation", "To K3-senger til.", "Endret anbefaling."),
    ),
    "person": KindCase(_person, "title", "Avdelingsoverlege", ("Job title", "Overlege", "Avdelingsoverlege")),
}


def forget_history() -> None:
    """Start from a trail without rows (the test world's own mandates and appointments have some)."""
    for source in SOURCES.values():
        source.history_model.objects.all().delete()


def change(record: models.Model, field: str, value: Any) -> None:
    setattr(record, field, value)
    record.save()


def set_history_date(record: models.Model, when: datetime.datetime) -> None:
    """Move every historical row of ``record`` to ``when`` (history is written with the time of saving)."""
    record.history.update(history_date=when)  # type: ignore[attr-defined]


def oslo(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))
