"""Who manages the region's people (django-rules).

The region's coordinator sees and manages everyone the region employs (in its trusts or at the RHF): roles,
deactivation, merging, their open work. A fagsjef sees the people of their own trust, and gives and removes the
one trust role the trust's own leaders hand out, capacity reporter (``services.trust_role_give``).
"""

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.organisations.models import Region


def region_of(person: User) -> int | None:
    """The region a person belongs to: their trust's, or that of the RHF that employs them."""
    if person.trust_id is not None:
        return person.trust.region_id  # type: ignore[union-attr]
    return person.region_employer_id


@rules.predicate
def coordinates_region(user: User, region: Region | None) -> bool:
    return region is not None and access_for(user).is_coordinator(region.pk)


@rules.predicate
def heads_a_trust_in(user: User, region: Region | None) -> bool:
    return region is not None and access_for(user).is_fagsjef_in_region(region.pk)


@rules.predicate
def coordinates_person(user: User, person: User | None) -> bool:
    return person is not None and access_for(user).is_coordinator(region_of(person))


@rules.predicate
def heads_persons_trust(user: User, person: User | None) -> bool:
    return person is not None and person.trust_id is not None and person.trust_id in access_for(user).fagsjef_trusts


rules.add_perm("people.view_people", coordinates_region | heads_a_trust_in)
rules.add_perm("people.manage_people", coordinates_region)
rules.add_perm("people.view_person", coordinates_person | heads_persons_trust)
rules.add_perm("people.manage_person", coordinates_person)
