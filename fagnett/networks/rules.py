"""Object permissions for networks, mandates and appointments (django-rules).

Every predicate reads ``access_for(user)``; none queries the database on its own.
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.organisations.models import Region

LEADERSHIP_ROLES = frozenset({AppointmentRole.LEADER, AppointmentRole.SECRETARY})


def _region_of(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return obj.pk
    if isinstance(obj, Network):
        return obj.region_id
    if isinstance(obj, Appointment):
        return obj.network.region_id
    return getattr(obj, "region_id", None)


def manages_network(user: User, network: Network | None) -> bool:
    """The network's leader or secretary, or its region's coordinator: who keeps its meetings and registers."""
    if network is None:
        return False
    access = access_for(user)
    return access.is_coordinator(network.region_id) or bool(access.roles_in(network.pk) & LEADERSHIP_ROLES)


@rules.predicate
def in_network_region(user: User, network: Network | None) -> bool:
    return network is not None and access_for(user).in_region(network.region_id)


@rules.predicate
def is_region_coordinator(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_coordinator(_region_of(obj))


@rules.predicate
def is_region_director(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_director(_region_of(obj))


@rules.predicate
def leads_network(user: User, network: Network | None) -> bool:
    return network is not None and bool(access_for(user).roles_in(network.pk) & LEADERSHIP_ROLES)


@rules.predicate
def is_fagsjef_in_region(user: User, network: Network | None) -> bool:
    return network is not None and access_for(user).is_fagsjef_in_region(network.region_id)


@rules.predicate
def nominated_it(user: User, appointment: Appointment | None) -> bool:
    return appointment is not None and appointment.nominated_by_id == user.pk


rules.add_perm("networks.view_network", in_network_region)
rules.add_perm("networks.add_network", rules.is_authenticated & is_region_coordinator)
rules.add_perm("networks.change_network", is_region_coordinator)
rules.add_perm("networks.change_mandate", is_region_coordinator)
rules.add_perm("networks.nominate", in_network_region & (is_region_coordinator | is_fagsjef_in_region))
rules.add_perm("networks.view_nominations", is_region_coordinator | is_region_director | leads_network)
rules.add_perm("networks.decide_appointment", is_region_coordinator)
rules.add_perm("networks.end_appointment", is_region_coordinator)
rules.add_perm("networks.view_appointment", is_region_coordinator | is_region_director | nominated_it)
