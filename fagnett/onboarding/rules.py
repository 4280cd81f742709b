"""Who brings a region in and takes it out (django-rules): its coordinator (and a superuser), nobody else."""

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.organisations.models import Region


@rules.predicate
def coordinates(user: User, region: Region | None) -> bool:
    return region is not None and access_for(user).is_coordinator(region.pk)


rules.add_perm("onboarding.manage_region", coordinates)
