"""Who may read and act on funding calls and applications (django-rules).

The region's coordinator keeps the calls and decides; everyone in the region sees the calls. A network's
leader or secretary applies for the network, and any employee of a trust in the region for a group that
wants to become a network. The fagsjef of the applicant's trust endorses or sends back. The coordinator
and the medical directors read every application of the region, the applicant their own, the fagsjef those
submitted from their trust and the network's leader and secretary their network's.
"""

from typing import Any

import rules
from django.utils import timezone

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.funding.models import Application, FundingCall
from fagnett.networks.models import AppointmentRole
from fagnett.organisations.models import HealthTrust, Region

APPLYING_ROLES = frozenset({AppointmentRole.LEADER, AppointmentRole.SECRETARY})
_TRUST_REGION_ATTR = "_fagnett_trust_region"


def trust_region_id(user: User) -> int | None:
    """The region of the person's employer trust, read once per request and kept on the user object."""
    trust_id = getattr(user, "trust_id", None)  # None for anonymous visitors too
    if not trust_id:
        return None
    if not hasattr(user, _TRUST_REGION_ATTR):
        region_id = HealthTrust.objects.filter(pk=trust_id).values_list("region_id", flat=True).first()
        setattr(user, _TRUST_REGION_ATTR, region_id)
    return getattr(user, _TRUST_REGION_ATTR)


def _region_id(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return obj.pk
    if isinstance(obj, FundingCall):
        return obj.region_id
    if isinstance(obj, Application):
        return obj.call.region_id
    return None


@rules.predicate
def in_region(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).in_region(_region_id(obj))


@rules.predicate
def is_coordinator(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_coordinator(_region_id(obj))


@rules.predicate
def is_director(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_director(_region_id(obj))


@rules.predicate
def may_apply_in(user: User, call: FundingCall | None) -> bool:
    """Leads a network of the call's region, or is employed by a trust in it."""
    if call is None:
        return False
    access = access_for(user)
    return access.leads_network_in(call.region_id, APPLYING_ROLES) or trust_region_id(user) == call.region_id


@rules.predicate
def accepts_applications(user: User, call: FundingCall | None) -> bool:
    return call is not None and call.accepts_applications(timezone.localdate())


@rules.predicate
def applied(user: User, application: Application | None) -> bool:
    return application is not None and application.applicant_id == user.pk


@rules.predicate
def leads_applying_network(user: User, application: Application | None) -> bool:
    return application is not None and bool(access_for(user).roles_in(application.network_id) & APPLYING_ROLES)


@rules.predicate
def fagsjef_of_trust(user: User, application: Application | None) -> bool:
    return application is not None and application.trust_id in access_for(user).fagsjef_trusts


@rules.predicate
def is_draft(user: User, application: Application | None) -> bool:
    return application is not None and application.status == Application.Status.DRAFT


@rules.predicate
def is_submitted(user: User, application: Application | None) -> bool:
    return application is not None and application.status == Application.Status.SUBMITTED


@rules.predicate
def is_endorsed(user: User, application: Application | None) -> bool:
    return application is not None and application.status == Application.Status.ENDORSED


@rules.predicate
def is_coordinator_of_application(user: User, application: Application | None) -> bool:
    return application is not None and access_for(user).is_coordinator(application.call.region_id)


rules.add_perm("funding.view_call", in_region)
rules.add_perm("funding.manage_calls", is_coordinator)
rules.add_perm("funding.view_call_applications", is_coordinator | is_director)
rules.add_perm("funding.apply", in_region & may_apply_in & accepts_applications)
rules.add_perm(
    "funding.view_application",
    applied | is_coordinator | is_director | leads_applying_network | (fagsjef_of_trust & ~is_draft),
)
rules.add_perm("funding.change_application", applied & is_draft)
rules.add_perm("funding.submit_application", applied & is_draft)
rules.add_perm("funding.endorse_application", fagsjef_of_trust & is_submitted)
rules.add_perm("funding.decide_application", is_coordinator_of_application & is_endorsed)
