"""Who keeps the region's topic list (django-rules): its coordinator. Everyone in the region uses it."""

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.organisations.models import Region


@rules.predicate
def coordinates(user: User, region: Region | None) -> bool:
    return region is not None and access_for(user).is_coordinator(region.pk)


rules.add_perm("topics.manage_topics", coordinates)
