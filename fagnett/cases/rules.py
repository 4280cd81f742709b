"""Object permissions for cases (django-rules).

Every predicate reads ``access_for(user)`` and the case's own columns; none queries the database.
Region-wide permissions take a ``Region``; case permissions take a ``Case``.
"""

from collections.abc import Callable
from typing import Any

import rules

from fagnett.access import Access, access_for
from fagnett.accounts.models import User
from fagnett.cases.models import Case, CommonCase
from fagnett.core.permissions import batch_rule
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


def _reads(access: Access, user_id: int | None, case: Any) -> bool:
    """Who may read a case: its submitter, the coordinators and medical directors of its region, the people of its
    network, the fagsjef of its trust. From the case's columns ``submitted_by_id``, ``region_id``, ``network_id``
    and ``trust_id`` (a ``Case`` or any row with them, as ``meetings.selectors.CaseRef``)."""
    return (
        (user_id is not None and case.submitted_by_id == user_id)
        or access.is_coordinator(case.region_id)
        or access.is_director(case.region_id)
        or bool(access.roles_in(case.network_id))
        or (case.trust_id is not None and case.trust_id in access.fagsjef_trusts)
    )


@rules.predicate
def can_view(user: User, case: Case | None) -> bool:
    return case is not None and _reads(access_for(user), user.pk, case)


@batch_rule("cases.view_case")
def _can_view_each(user: User) -> Callable[[Any], bool]:
    """``can_view`` for the many cases of one page (an agenda, a follow-up list): the access read once."""
    access, user_id = access_for(user), user.pk
    return lambda case: case is not None and _reads(access, user_id, case)


@rules.predicate
def leads_a_network_of(user: User, common_case: CommonCase | None) -> bool:
    """The person leads a network of the common case's own region (they answer for theirs)."""
    if common_case is None:
        return False
    return access_for(user).leads_network_in(common_case.region_id, LEADERSHIP_ROLES)


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
