"""Who may read and record a network's budget (django-rules).

The region's coordinator records grants; the network's leader and secretary record expenses; the
network's appointed people, the coordinator and the medical directors read. Nobody outside the region.
"""

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.networks.models import AppointmentRole, Network

MANAGING_ROLES = frozenset({AppointmentRole.LEADER, AppointmentRole.SECRETARY})


@rules.predicate
def coordinates(user: User, network: Network | None) -> bool:
    return network is not None and access_for(user).is_coordinator(network.region_id)


@rules.predicate
def leads(user: User, network: Network | None) -> bool:
    return network is not None and bool(access_for(user).roles_in(network.pk) & MANAGING_ROLES)


@rules.predicate
def reads(user: User, network: Network | None) -> bool:
    if network is None:
        return False
    access = access_for(user)
    return (
        bool(access.roles_in(network.pk))
        or access.is_coordinator(network.region_id)
        or access.is_director(network.region_id)
    )


rules.add_perm("budget.view_budget", reads)
rules.add_perm("budget.add_grant", coordinates)
rules.add_perm("budget.add_expense", leads)
