"""Who may read and change procedures and pathways (django-rules).

Procedures are not secret: everyone in the network's region reads them. The network's leader and
secretary and the region's coordinator keep the register. Every predicate reads ``access_for(user)``.
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.networks.models import Network
from fagnett.networks.rules import manages_network
from fagnett.organisations.models import Region
from fagnett.procedures.models import Procedure


def network_of(obj: Any) -> Network | None:
    if isinstance(obj, Network):
        return obj
    if isinstance(obj, Procedure):
        return obj.network
    return None


@rules.predicate
def in_region(user: User, obj: Any) -> bool:
    network = network_of(obj)
    return network is not None and access_for(user).in_region(network.region_id)


@rules.predicate
def manages(user: User, obj: Any) -> bool:
    return manages_network(user, network_of(obj))


@rules.predicate
def oversees_region(user: User, region: Region | None) -> bool:
    if region is None:
        return False
    access = access_for(user)
    return access.is_coordinator(region.pk) or access.is_director(region.pk)


rules.add_perm("procedures.view_procedure", in_region)
rules.add_perm("procedures.manage_procedures", manages)
rules.add_perm("procedures.view_overview", oversees_region)
