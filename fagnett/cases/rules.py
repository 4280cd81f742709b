"""Object permissions for cases (django-rules).

Every predicate reads ``access_for(user)`` and the case's own columns; none queries the database.
Region-wide permissions take a ``Region``; case permissions take a ``Case``.
"""

from typing import Any

import rules

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.cases.models import Case, CommonCase
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import Region


def _region_id(obj: Any) -> int | None:
    if isinstance(obj, Region):
        return obj.pk
    return getattr(obj, "region_id", None)


@rules.predicate
def is_coordinator(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_coordinator(_region_id(obj))


@rules.predicate
def is_director(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).is_director(_region_id(obj))


@rules.predicate
def in_region(user: User, obj: Any) -> bool:
    return obj is not None and access_for(user).in_region(_region_id(obj))


@rules.predicate
def submitted_it(user: User, case: Case | None) -> bool:
    return case is not None and case.submitted_by_id == user.pk


@rules.predicate
def leads_case_network(user: User, case: Case | None) -> bool:
    return case is not None and bool(access_for(user).roles_in(case.network_id) & LEADERSHIP_ROLES)


@rules.predicate
def in_case_network(user: User, case: Case | None) -> bool:
    return case is not None and bool(access_for(user).roles_in(case.network_id))


@rules.predicate
def fagsjef_of_case_trust(user: User, case: Case | None) -> bool:
    return case is not None and case.trust_id is not None and case.trust_id in access_for(user).fagsjef_trusts


@rules.predicate
def leads_a_network_of(user: User, common_case: CommonCase | None) -> bool:
    """The person leads a network of the common case's own region (they answer for theirs)."""
    if common_case is None:
        return False
    return access_for(user).leads_network_in(common_case.region_id, LEADERSHIP_ROLES)


can_view = submitted_it | is_coordinator | is_director | in_case_network | fagsjef_of_case_trust

rules.add_perm("cases.view_case", can_view)
rules.add_perm("cases.route_case", is_coordinator)
rules.add_perm("cases.respond_case", leads_case_network)
rules.add_perm("cases.work_case", leads_case_network)
rules.add_perm("cases.set_on_agenda", leads_case_network | is_coordinator)
rules.add_perm("cases.recommend_case", leads_case_network)
rules.add_perm("cases.consult_case", leads_case_network)
rules.add_perm("cases.set_topics", leads_case_network | is_coordinator)
rules.add_perm("cases.record_decision", is_director | is_coordinator)
rules.add_perm("cases.close_case", leads_case_network | is_coordinator)
rules.add_perm("cases.comment_case", can_view)
rules.add_perm("cases.attach_case", submitted_it | leads_case_network | is_coordinator)
# Region-wide: the object is a Region.
rules.add_perm("cases.submit_case", in_region)
rules.add_perm("cases.assign_task", is_coordinator | is_director)
rules.add_perm("cases.send_common_case", is_coordinator)
rules.add_perm("cases.view_common_case", is_coordinator | is_director | leads_a_network_of)
