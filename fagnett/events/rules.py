"""Who may see and run events across networks (django-rules).

Events are not secret: everyone in the event's region sees them. The region's coordinator creates,
changes, cancels and invites, and reads the registration list. Every predicate reads ``access_for(user)``.
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.events.models import Event, Registration
from fagnett.organisations.models import Region


def region_id_of(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return obj.pk
    if isinstance(obj, Event):
        return obj.region_id
    if isinstance(obj, Registration):
        return obj.event.region_id
    return None


@rules.predicate
def in_region(user: User, obj: Any) -> bool:
    region_id = region_id_of(obj)
    return region_id is not None and access_for(user).in_region(region_id)


@rules.predicate
def coordinates(user: User, obj: Any) -> bool:
    region_id = region_id_of(obj)
    return region_id is not None and access_for(user).is_coordinator(region_id)


@rules.predicate
def announced(user: User, obj: Any) -> bool:
    """The invitations have gone out (or the event was cancelled after): no longer only the coordinator's draft."""
    return getattr(obj, "status", None) != "planned"


# A planned event is the coordinator's draft until the invitations are sent.
rules.add_perm("events.view_event", in_region & (announced | coordinates))
# Who may try to register: anyone of the region; whether they are invited and registration is open is the
# refusal the service gives with its reason.
rules.add_perm("events.register", in_region)
rules.add_perm("events.manage_events", coordinates)
rules.add_perm("events.view_registrations", coordinates)
