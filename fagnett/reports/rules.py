"""Who may read, write, accept and approve annual reports (django-rules).

A network's leader and secretary write its report; only the leader submits it. The region's coordinator
accepts or returns the networks' reports and compiles the regional report; the region's medical directors
record its approval. The network's appointed people read their report; an approved regional report is
read by everyone in the region. Every predicate reads ``access_for(user)``.
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.networks.models import AppointmentRole, Network
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import Region


def _region_id(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return obj.pk
    if isinstance(obj, Network):
        return obj.region_id
    return None


@rules.predicate
def in_network(user: User, network: Network | None) -> bool:
    return network is not None and bool(access_for(user).roles_in(network.pk))


@rules.predicate
def writes_for(user: User, network: Network | None) -> bool:
    return network is not None and bool(access_for(user).roles_in(network.pk) & LEADERSHIP_ROLES)


@rules.predicate
def leads(user: User, network: Network | None) -> bool:
    return network is not None and AppointmentRole.LEADER in access_for(user).roles_in(network.pk)


@rules.predicate
def coordinates(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_coordinator(_region_id(obj))


@rules.predicate
def directs(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_director(_region_id(obj))


@rules.predicate
def in_region(user: User, region: Region | None) -> bool:
    return region is not None and access_for(user).in_region(region.pk)


# On a network
rules.add_perm("reports.view_network_report", in_network | coordinates | directs)
rules.add_perm("reports.write_network_report", writes_for)
rules.add_perm("reports.submit_network_report", leads)
rules.add_perm("reports.review_network_report", coordinates)
# On a region
rules.add_perm("reports.view_regional_drafts", coordinates | directs)
rules.add_perm("reports.view_approved_report", in_region)
rules.add_perm("reports.compile_regional_report", coordinates)
rules.add_perm("reports.approve_regional_report", directs)
