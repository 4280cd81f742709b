"""Object permissions for ICU capacity (django-rules).

Every predicate reads ``access_for(user)``; none queries the database on its own. A unit passed to
``capacity.report_unit`` must have its hospital loaded (``select_related("hospital__trust")``).
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity.models import Recommendation, ReportRound
from fagnett.networks.models import AppointmentRole
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import Region, Unit


def _region_id(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return obj.pk
    if isinstance(obj, Unit):
        return obj.hospital.trust.region_id
    if isinstance(obj, Recommendation):
        return obj.round.region_id
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


def _assessing_network(obj: Any) -> int | None:
    """The network that assesses a round, for a round or its recommendation (``round`` loaded)."""
    round_ = obj.round if isinstance(obj, Recommendation) else obj
    return round_.network_id if isinstance(round_, ReportRound) else None


@rules.predicate
def in_assessing_network(user: User, obj: Any) -> bool:
    network_id = _assessing_network(obj)
    return network_id is not None and bool(access_for(user).roles_in(network_id))


@rules.predicate
def writes_for_assessing_network(user: User, obj: Any) -> bool:
    network_id = _assessing_network(obj)
    return network_id is not None and bool(access_for(user).roles_in(network_id) & LEADERSHIP_ROLES)


@rules.predicate
def leads_the_assessing_network(user: User, obj: Any) -> bool:
    network_id = _assessing_network(obj)
    return network_id is not None and AppointmentRole.LEADER in access_for(user).roles_in(network_id)


@rules.predicate
def is_region_director(user: User, obj: Any) -> bool:
    round_ = obj.round if isinstance(obj, Recommendation) else obj
    return round_ is not None and access_for(user).is_director(_region_id(round_))


@rules.predicate
def is_reporter_anywhere(user: User) -> bool:
    return bool(access_for(user).reporter_trusts)


rules.add_perm("capacity.view_round", in_region)
rules.add_perm("capacity.manage_rounds", is_region_coordinator)
rules.add_perm("capacity.report_unit", reports_for_unit | is_region_coordinator)
rules.add_perm("capacity.assess_round", is_region_coordinator | leads_assessing_network)
# The network's recommendation (the object is the round or its recommendation): the assessing network's people read
# it and its leader and secretary write it; the region's coordinator and medical directors read it; only the leader
# sends it to the medical director.
rules.add_perm("capacity.view_recommendation", in_assessing_network | is_region_coordinator | is_region_director)
rules.add_perm("capacity.write_recommendation", writes_for_assessing_network)
rules.add_perm("capacity.send_recommendation", leads_the_assessing_network)
