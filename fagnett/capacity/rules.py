"""Object permissions for ICU capacity (django-rules).

Every predicate reads ``access_for(user)``; none queries the database on its own. A unit passed to
``capacity.report_unit`` must have its hospital loaded (``select_related("hospital__trust")``).
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity.models import ReportRound
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import Region, Unit


def _region_id(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return obj.pk
    if isinstance(obj, Unit):
        return obj.hospital.trust.region_id
    return getattr(obj, "region_id", None)


@rules.predicate
def in_region(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).in_region(_region_id(obj))


@rules.predicate
def is_region_coordinator(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_coordinator(_region_id(obj))


@rules.predicate
def reports_for_unit(user: User, unit: Unit | None) -> bool:
    return unit is not None and unit.hospital.trust_id in access_for(user).reporter_trusts


@rules.predicate
def leads_assessing_network(user: User, round_: ReportRound | None) -> bool:
    return (
        isinstance(round_, ReportRound)
        and round_.network_id is not None
        and bool(access_for(user).roles_in(round_.network_id) & LEADERSHIP_ROLES)
    )


@rules.predicate
def is_reporter_anywhere(user: User) -> bool:
    return bool(access_for(user).reporter_trusts)


rules.add_perm("capacity.view_round", in_region)
rules.add_perm("capacity.manage_rounds", is_region_coordinator)
rules.add_perm("capacity.report_unit", reports_for_unit | is_region_coordinator)
rules.add_perm("capacity.assess_round", is_region_coordinator | leads_assessing_network)
