"""Who may do what with meetings, agendas, documents, minutes and action items (django-rules).

Planning, invitations, agendas, attendance and drafting minutes belong to the network's leader and secretary
(and the region's coordinator). Documents and unapproved minutes are for the network's own people; approved
minutes are readable by the whole region only when the network allows it.
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.meetings.models import ActionItem, AgendaDocument, AgendaItem, Meeting, Minutes
from fagnett.networks.models import AppointmentRole, Network
from fagnett.networks.rules import manages_network


def network_of(obj: Any) -> Network | None:
    if isinstance(obj, Network):
        return obj
    if isinstance(obj, Meeting | ActionItem):
        return obj.network
    if isinstance(obj, Minutes):
        return obj.meeting.network
    if isinstance(obj, AgendaItem):
        return obj.meeting.network
    if isinstance(obj, AgendaDocument):
        return obj.item.meeting.network
    return None


@rules.predicate
def in_region(user: User, obj: Any) -> bool:
    network = network_of(obj)
    return network is not None and access_for(user).in_region(network.region_id)


@rules.predicate
def manages(user: User, obj: Any) -> bool:
    return manages_network(user, network_of(obj))


@rules.predicate
def leads(user: User, obj: Any) -> bool:
    network = network_of(obj)
    return network is not None and AppointmentRole.LEADER in access_for(user).roles_in(network.pk)


@rules.predicate
def belongs(user: User, obj: Any) -> bool:
    """Appointed in the network in any role, or overseeing it for the region."""
    network = network_of(obj)
    if network is None:
        return False
    access = access_for(user)
    return (
        bool(access.roles_in(network.pk))
        or access.is_coordinator(network.region_id)
        or access.is_director(network.region_id)
    )


@rules.predicate
def is_member(user: User, obj: Any) -> bool:
    network = network_of(obj)
    return network is not None and bool(access_for(user).roles_in(network.pk))


@rules.predicate
def can_read_minutes(user: User, minutes: Minutes | None) -> bool:
    if minutes is None:
        return False
    if minutes.status == Minutes.Status.DRAFT:
        return bool(manages(user, minutes))
    if minutes.status == Minutes.Status.CIRCULATED:
        return bool(belongs(user, minutes))
    network = minutes.meeting.network
    return bool(belongs(user, minutes)) or (network.minutes_visible_to_region and bool(in_region(user, minutes)))


@rules.predicate
def owns_action_item(user: User, item: ActionItem | None) -> bool:
    return item is not None and item.owner_id == user.pk


rules.add_perm("meetings.view_meeting", in_region)
rules.add_perm("meetings.manage_meetings", manages)
rules.add_perm("meetings.view_documents", belongs)
rules.add_perm("meetings.view_minutes", can_read_minutes)
rules.add_perm("meetings.comment_minutes", is_member)
rules.add_perm("meetings.approve_minutes", leads)
rules.add_perm("meetings.record_meeting_approval", manages)
# Closing an action item (with what was done): its owner, or the network's leader, secretary or coordinator.
rules.add_perm("meetings.update_action_item", manages | owns_action_item)
# Opening a closed one again, and the network's follow-up register (every action item of the network).
rules.add_perm("meetings.reopen_action_item", manages)
rules.add_perm("meetings.view_action_items", belongs)
rules.add_perm("meetings.view_participation", belongs)
