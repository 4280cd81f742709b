"""Factories for the capacity tests, on top of ``tests.factories.make_world``."""

import datetime
from typing import Any

from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.organisations.models import Region, Unit
from tests.factories import World


def make_round(region: Region, **kwargs: Any) -> ReportRound:
    start = kwargs.pop("period_start", datetime.date(2026, 1, 1))
    return ReportRound.objects.create(
        region=region,
        name=kwargs.pop("name", f"Q{(start.month - 1) // 3 + 1} {start.year}"),
        period_start=start,
        period_end=kwargs.pop("period_end", start + datetime.timedelta(days=89)),
        deadline=kwargs.pop("deadline", start + datetime.timedelta(days=104)),
        **kwargs,
    )


def units_of(world: World, trust_index: int = 0) -> list[Unit]:
    return list(Unit.objects.filter(hospital__trust=world.trusts_a[trust_index]).select_related("hospital__trust"))


def make_entry(
    round_: ReportRound, unit: Unit, category: str = "K3", scenario: str = "normal", **values: Any
) -> CapacityEntry:
    defaults: dict[str, Any] = {"physical_beds": 10, "staffed_beds": 8}
    return CapacityEntry.objects.create(
        round=round_, unit=unit, category=category, scenario=scenario, **(defaults | values)
    )
