"""Changes to the region's people by its coordinator (and, for capacity reporters, a trust's fagsjef).

Each is one transaction, checks who may make it, and leaves a history row: the roles' and the person's own history
(django-simple-history) names who did it, and the reason says how. Deactivation goes through
``accounts.services.user_deactivate``, which ends the person's sessions and their own keys and calendar addresses.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fagnett.access import access_for, forget_access
from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.accounts.services import user_deactivate, user_reactivate
from fagnett.core.permissions import require_perm
from fagnett.organisations.models import HealthTrust, Region
from fagnett.people.merge import MergeResult, move_all
from fagnett.people.models import PersonMerge
from fagnett.people.rules import region_of

#: The trust roles a trust's fagsjef hands out to the trust's own people; the fagsjef role is the coordinator's.
FAGSJEF_GIVES = frozenset({TrustRole.Role.CAPACITY_REPORTER})


def _locked(person: User) -> User:
    """The person's row, locked until the transaction ends, so two coordinators' changes follow each other."""
    return User.objects.select_for_update(of=("self",)).select_related("trust").get(pk=person.pk)


def _require_in_region(person: User, region: Region) -> None:
    if region_of(person) != region.pk:
        raise PermissionDenied


def _done(user: User, person: User) -> None:
    """A change of someone's roles counts at once for the rest of this request, also when it is one's own."""
    if user.pk == person.pk:
        forget_access(user)


# --- Regional roles ------------------------------------------------------------------------------------------------


@transaction.atomic
def region_role_give(*, user: User, region: Region, person: User, role: str) -> RegionRole:
    require_perm(user, "people.manage_people", region)
    person = _locked(person)
    _require_in_region(person, region)
    if not person.is_active:
        raise ValidationError({"role": _("The person is deactivated. Reactivate them before giving them a role.")})
    if RegionRole.objects.filter(user=person, region=region, role=role).exists():
        raise ValidationError({"role": _("The person already has this role.")})
    given = RegionRole(user=person, region=region, role=role)
    given.full_clean()
    given._change_reason = "Given on the region's people page"  # type: ignore[attr-defined]
    given.save()
    _done(user, person)
    return given


@transaction.atomic
def region_role_remove(*, user: User, role: RegionRole) -> None:
    """Remove a regional role. The region keeps at least one coordinator, or nobody could manage it."""
    require_perm(user, "people.manage_people", role.region)
    current = RegionRole.objects.select_for_update(of=("self",)).filter(pk=role.pk).select_related("user").first()
    if current is None:
        raise ValidationError(_("The role was already removed."))
    if current.role == RegionRole.Role.COORDINATOR:
        coordinators = RegionRole.objects.select_for_update(of=("self",)).filter(
            region_id=current.region_id, role=RegionRole.Role.COORDINATOR, user__is_active=True
        )
        if not coordinators.exclude(pk=current.pk).exists():
            raise ValidationError(
                _("The region must keep at least one active coordinator. Give the role to someone else first.")
            )
    current._change_reason = "Removed on the region's people page"  # type: ignore[attr-defined]
    current.delete()
    _done(user, current.user)


# --- Trust roles ---------------------------------------------------------------------------------------------------


def _require_trust_role_right(user: User, person: User, trust: HealthTrust, role: str) -> None:
    """The region's coordinator gives every trust role in the region's trusts; a fagsjef gives capacity reporters of
    their own trust to the trust's own people."""
    access = access_for(user)
    if access.is_coordinator(trust.region_id) and region_of(person) == trust.region_id:
        return
    if trust.pk in access.fagsjef_trusts and role in FAGSJEF_GIVES and person.trust_id == trust.pk:
        return
    raise PermissionDenied


@transaction.atomic
def trust_role_give(*, user: User, person: User, trust: HealthTrust, role: str) -> TrustRole:
    person = _locked(person)
    _require_trust_role_right(user, person, trust, role)
    if not person.is_active:
        raise ValidationError({"role": _("The person is deactivated. Reactivate them before giving them a role.")})
    if TrustRole.objects.filter(user=person, trust=trust, role=role).exists():
        raise ValidationError({"role": _("The person already has this role in this trust.")})
    given = TrustRole(user=person, trust=trust, role=role)
    given.full_clean()
    given._change_reason = "Given on the region's people page"  # type: ignore[attr-defined]
    given.save()
    _done(user, person)
    return given


@transaction.atomic
def trust_role_remove(*, user: User, role: TrustRole) -> None:
    current = (
        TrustRole.objects.select_for_update(of=("self",))
        .filter(pk=role.pk)
        .select_related("user__trust", "trust")
        .first()
    )
    if current is None:
        raise ValidationError(_("The role was already removed."))
    _require_trust_role_right(user, current.user, current.trust, current.role)
    current._change_reason = "Removed on the region's people page"  # type: ignore[attr-defined]
    current.delete()
    _done(user, current.user)


# --- Access --------------------------------------------------------------------------------------------------------


def _require_managed(user: User, person: User) -> None:
    require_perm(user, "people.manage_person", person)
    if person.is_staff or person.is_superuser:
        # Administrators' logins are the administration's business, not the region's.
        raise ValidationError(_("This person administers Fagnett: their access is changed in the administration."))


@transaction.atomic
def person_deactivate(*, user: User, person: User, reason: str = "") -> User:
    """Close the person's access at once (sessions, keys and calendar addresses end); their records stay, and their
    open work is listed for the coordinator to give to others."""
    person = _locked(person)
    _require_managed(user, person)
    if person.pk == user.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if hasattr(person, "merge"):
        raise ValidationError(_("This record was merged into another; it stays deactivated."))
    if not person.is_active:
        raise ValidationError(_("The person is already deactivated."))
    note = f": {reason.strip()}" if reason.strip() else ""
    user_deactivate(person=person, reason=f"Deactivated on the region's people page{note}")
    return person


@transaction.atomic
def person_reactivate(*, user: User, person: User) -> User:
    person = _locked(person)
    _require_managed(user, person)
    if hasattr(person, "merge"):
        raise ValidationError(_("This record was merged into another; the person uses that one."))
    if person.is_active:
        raise ValidationError(_("The person is already active."))
    user_reactivate(person=person, reason="Reactivated on the region's people page")
    return person


# --- Merging two records of one person -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeChoices:
    """What the kept record keeps where the two records differ: the e-mail address and the single sign-on
    identifier (each one of the two records' values; empty means "the kept record's own, or else the other's")."""

    email: str = ""
    sso_identifier: str = ""


def merge_problems(*, user: User, kept: User, merged: User) -> list[str]:
    """Why the two records cannot be merged (empty if they can). The service asks the same, under locks."""
    problems = []
    if kept.pk == merged.pk:
        problems.append(_("A record cannot be merged into itself."))
        return problems
    if region_of(kept) != region_of(merged):
        problems.append(_("The two records belong to different regions; only records of one region can be merged."))
    if hasattr(kept, "merge"):
        problems.append(_("The record to keep was itself merged into another record."))
    if hasattr(merged, "merge"):
        problems.append(_("That record was already merged into another record."))
    if merged.pk == user.pk:
        problems.append(_("You cannot merge away the record you are logged in with."))
    if merged.is_staff or merged.is_superuser:
        problems.append(_("The record to merge away administers Fagnett: remove its administration rights first."))
    return problems


def _chosen(value: str, kept_value: str, merged_value: str, label: str) -> str:
    offered = {v for v in (kept_value, merged_value) if v}
    if not value:
        return kept_value or merged_value
    if value not in offered:
        raise ValidationError({label: _("Choose the value of one of the two records.")})
    return value


@transaction.atomic
def person_merge(*, user: User, kept: User, merged: User, choices: MergeChoices | None = None) -> PersonMerge:
    """Make ``merged`` part of ``kept``: everything that names the merged record moves to the kept one
    (``people.merge``), the kept record keeps the chosen e-mail and identifier, and the merged record is
    deactivated and marked merged. Both must be people the coordinator manages, in the same region.

    The merged record keeps an e-mail address or identifier the kept one does not take, so that a login with it
    finds the closed record and is refused, instead of making a new account at first login.
    """
    choices = choices or MergeChoices()
    require_perm(user, "people.manage_person", kept)
    require_perm(user, "people.manage_person", merged)
    # Both rows locked, in a fixed order so two merges of the same pair cannot wait for each other.
    locked = {
        p.pk: p
        for p in User.objects.select_for_update(of=("self",))
        .select_related("trust")
        .filter(pk__in=[kept.pk, merged.pk])
        .order_by("pk")
    }
    kept, merged = locked[kept.pk], locked.get(merged.pk, kept)
    problems = merge_problems(user=user, kept=kept, merged=merged)
    if problems:
        raise ValidationError(problems)
    region_id = region_of(kept)
    assert region_id is not None  # people the coordinator manages belong to a region
    email = _chosen(choices.email, kept.email, merged.email, "email")
    identifier = _chosen(choices.sso_identifier, kept.sso_identifier, merged.sso_identifier, "sso_identifier")
    reason = f"Merged: {merged} (#{merged.pk}) into {kept} (#{kept.pk})"

    # The merged record gives up what the kept one takes first: the identifier is unique, and two records with one
    # address would make single sign-on refuse the person as ambiguous.
    merged_changes = []
    if merged.sso_identifier and merged.sso_identifier == identifier:
        merged.sso_identifier = ""
        merged_changes.append("sso_identifier")
    if merged.email and merged.email.lower() == email.lower():
        merged.email = ""
        merged_changes.append("email")
    if merged_changes:
        merged._change_reason = reason  # type: ignore[attr-defined]
        merged.save(update_fields=merged_changes)

    result: MergeResult = move_all(kept=kept, merged=merged, reason=reason, actor=user)

    kept_changes = [
        name for name, value in (("email", email), ("sso_identifier", identifier)) if getattr(kept, name) != value
    ]
    if kept_changes:
        kept.email, kept.sso_identifier = email, identifier
        kept.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in kept_changes])
        kept._change_reason = reason  # type: ignore[attr-defined]
        kept.save(update_fields=kept_changes)
    # The person has logged in if either record has; the time is written without a history row, as at login.
    last_login = User.objects.filter(pk__in=[kept.pk, merged.pk]).aggregate(last=Max("last_login"))["last"]
    if last_login != kept.last_login:
        User.objects.filter(pk=kept.pk).update(last_login=last_login)
        kept.last_login = last_login

    user_deactivate(person=merged, reason=reason)
    record = PersonMerge(kept=kept, merged=merged, region_id=region_id, merged_by=user, moved=result.as_json())
    record._change_reason = reason  # type: ignore[attr-defined]
    record.save()
    _done(user, kept)
    return record
