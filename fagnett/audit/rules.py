"""Who reads the region's audit log (django-rules): its coordinator and its medical directors."""

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.organisations.models import Region


@rules.predicate
def oversees_region(user: User, region: Region | None) -> bool:
    if region is None:
        return False
    access = access_for(user)
    return access.is_coordinator(region.pk) or access.is_director(region.pk)


rules.add_perm("audit.view_region_log", oversees_region)
