"""Calls and applications for the funding tests, in the world of ``tests.factories``.

The world's leader and secretary work at trust A1, whose fagsjef ``fagsjef_a1`` is added here (the world's own
fagsjef is at A3). The employee (trust A2) applies for new groups; A2 has no fagsjef.
"""

import datetime
from typing import Any

from django.utils import timezone

from fagnett.accounts.models import TrustRole, User
from fagnett.funding import services
from fagnett.funding.models import Application, FundingCall
from tests.factories import World, make_user

TEXTS = {
    "purpose": "Samordne intensivtilbudet i regionen.",
    "activities": "To digitale møter og én fysisk samling.",
    "programme": "Mars: oppstart. Oktober: samling.",
    "period_start": datetime.date(2026, 3, 1),
    "period_end": datetime.date(2026, 12, 31),
}
LINES = [
    services.LineInput(kind="secretariat", description="Frikjøp av sekretær", amount=60_000),
    services.LineInput(kind="catering", description="Servering på samling", amount=15_000),
]


def add_fagsjef_a1(world: World) -> User:
    """The fagsjef of trust A1, where the world's leader and secretary work."""
    if "fagsjef_a1" not in world.people:
        person = make_user("fagsjef_a1", trust=world.trusts_a[0])
        TrustRole.objects.create(user=person, trust=world.trusts_a[0], role=TrustRole.Role.FAGSJEF)
        world.people["fagsjef_a1"] = person
    return world["fagsjef_a1"]


def make_call(world: World, *, region: Any = None, **kwargs: Any) -> FundingCall:
    today = timezone.localdate()
    return FundingCall.objects.create(
        **{
            "region": region or world.region_a,
            "year": today.year + 1,
            "title": f"Regionale fagmidler {today.year + 1}",
            "deadline": today + datetime.timedelta(days=30),
            "amount_available": 500_000,
            **kwargs,
        }
    )


def draft(
    world: World,
    call: FundingCall,
    *,
    user: str = "leader",
    network: Any = "default",
    lines: list[services.LineInput] | None = None,
    **data: Any,
) -> Application:
    """A draft through the service: for the world's network unless ``network=None`` (then a new group)."""
    if network == "default":
        network = world.network
    if network is None:
        data = {"proposed_name": "Palliasjon", "proposed_field": "Palliativ medisin", **data}
    return services.application_create(
        user=world[user],
        call=call,
        data={**TEXTS, **data},
        lines=LINES if lines is None else lines,
        network=network,
    )


def submitted(world: World, call: FundingCall, **kwargs: Any) -> Application:
    application = draft(world, call, **kwargs)
    return services.application_submit(
        user=application.applicant, application=application, lock_version=application.lock_version
    )


def endorsed(world: World, call: FundingCall, **kwargs: Any) -> Application:
    application = submitted(world, call, **kwargs)
    fagsjef = add_fagsjef_a1(world) if application.trust_id == world.trusts_a[0].pk else None
    if fagsjef is None:
        fagsjef = make_user(trust=application.trust)
        TrustRole.objects.create(user=fagsjef, trust=application.trust, role=TrustRole.Role.FAGSJEF)
    return services.application_endorse(user=fagsjef, application=application, lock_version=application.lock_version)
