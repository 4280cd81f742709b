"""Changes for sign-in and provisioning. Each is one transaction.

The coordinator's changes (keys, trust identities) check that the person coordinates the region. The SCIM changes
act for a region's key: they reach only the people of the region (``selectors.region_people_filter``), and
history names the key, since no one is logged in. A problem is raised as ``ProvisioningError`` with the SCIM error
type and a sentence for the provider's log.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.accounts.services import (
    employee_create,
    user_deactivate,
    user_reactivate,
    user_update_from_provider,
)
from fagnett.organisations.models import HealthTrust, Region, TrustIdentity
from fagnett.organisations.selectors import trust_recognised
from fagnett.provisioning.models import ProvisionedPerson, ScimGroup, ScimToken
from fagnett.provisioning.selectors import region_people_filter


def _require_coordinator(user: User, region_id: int) -> None:
    if not access_for(user).is_coordinator(region_id):
        raise PermissionDenied


# --- The coordinator's pages ---------------------------------------------------------------------------------------


@transaction.atomic
def scim_token_create(*, user: User, region: Region, name: str) -> tuple[ScimToken, str]:
    """A new provisioning key for the region; the key itself is returned here once and only its hash is kept."""
    _require_coordinator(user, region.pk)
    key = ScimToken(region=region, name=name.strip()[:100], created_by=user)
    raw = key.issue()
    key.full_clean(exclude=["region", "created_by", "revoked_by"])
    key.save()
    return key, raw


@transaction.atomic
def scim_token_revoke(*, user: User, key: ScimToken) -> ScimToken:
    """The key stops working at once; revoking a revoked key changes nothing."""
    _require_coordinator(user, key.region_id)
    key.revoke(revoked_by=user)
    return key


def scim_token_authenticate(*, raw: str) -> ScimToken | None:
    """The working key matching ``raw``, its use recorded if it was not recorded in the last minute."""
    return ScimToken.authenticate(raw, ScimToken.objects.select_related("region"))


@transaction.atomic
def trust_identity_create(*, user: User, region: Region, trust: HealthTrust, kind: str, value: str) -> TrustIdentity:
    """The trust is recognised by this value from now on. Raises ``ValidationError`` naming the field."""
    _require_coordinator(user, region.pk)
    if trust.region_id != region.pk:
        raise PermissionDenied
    identity = TrustIdentity(trust=trust, kind=kind, value=value)
    identity.full_clean()
    identity.save()
    return identity


@transaction.atomic
def trust_identity_delete(*, user: User, identity: TrustIdentity) -> None:
    """People already in Fagnett stay; new people are no longer recognised by the value."""
    _require_coordinator(user, identity.trust.region_id)
    identity.delete()


# --- SCIM ----------------------------------------------------------------------------------------------------------


class ProvisioningError(Exception):
    """A request the SCIM endpoint refuses: ``scim_type`` is RFC 7644's error type, ``status`` the HTTP status."""

    def __init__(self, detail: str, *, scim_type: str = "invalidValue", status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.scim_type = scim_type
        self.status = status


@dataclass
class PersonValues:
    """What the provider sent about a person, in Fagnett's terms. ``None``: not sent (a PATCH leaves it alone)."""

    username: str | None = None
    external_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    title: str | None = None
    active: bool | None = None
    organization: str | None = None
    department: str | None = None


@dataclass
class GroupValues:
    display_name: str | None = None
    external_id: str | None = None
    #: the member ids the group has after the change (``None``: members not replaced)
    members: list[str] | None = None
    add_members: list[str] = field(default_factory=list)
    remove_members: list[str] = field(default_factory=list)


def _reason(token: ScimToken) -> str:
    return f"Provisioned by {token.describe()}"


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


def _employer(region: Region, values: PersonValues, email: str) -> tuple[HealthTrust | None, Region | None, str]:
    """The trust (or the RHF itself) the person works for, recognised within the key's region, and by what."""
    names = tuple(name for name in (values.organization, values.department) if name)
    for name in names:
        if name.strip().lower() in {region.name.lower(), region.short_name.lower()}:
            return None, region, f"the organisation {name}"
    recognised = trust_recognised(email=email, names=names, region=region)
    if recognised is None:
        return None, None, ""
    return recognised.trust, None, recognised.describe()


def _check_unique(person: User | None, *, username: str | None, email: str | None, identifier: str | None) -> None:
    others = User.objects.exclude(pk=person.pk) if person is not None and person.pk else User.objects.all()
    if username and others.filter(username__iexact=username).exists():
        raise ProvisioningError(
            f"The userName {username} is taken by another person.", scim_type="uniqueness", status=409
        )
    if email and others.filter(email__iexact=email).exists():
        # Two people with one address could no longer be told apart at a login by e-mail.
        raise ProvisioningError(
            f"Another person in Fagnett has the e-mail address {email}.", scim_type="uniqueness", status=409
        )
    if identifier and others.filter(sso_identifier=identifier).exists():
        raise ProvisioningError(
            f"Another person in Fagnett has the single sign-on identifier {identifier}.",
            scim_type="uniqueness",
            status=409,
        )


def _identifier(values: PersonValues) -> str | None:
    """The single sign-on identifier the provider's id doubles as, when the operator says it does."""
    return values.external_id if settings.SCIM_EXTERNAL_ID_IS_SSO_IDENTIFIER and values.external_id else None


@transaction.atomic
def scim_person_create(*, token: ScimToken, values: PersonValues) -> User:
    """An employee of the trust the provider's organisation, department or e-mail domain names in the key's region,
    with no role. Nobody else: a person Fagnett cannot place is refused, not put somewhere."""
    region = token.region
    if not values.username:
        raise ProvisioningError("userName is required.")
    email = values.email or ""
    identifier = _identifier(values)
    _check_unique(None, username=values.username, email=email, identifier=identifier)
    trust, region_employer, recognised_by = _employer(region, values, email or values.username)
    if trust is None and region_employer is None:
        raise ProvisioningError(
            f"No health trust of {region} is recognised from the organization, department or e-mail domain sent. "
            "The regional coordinator adds the trust's name or domain under Sign-in and provisioning."
        )
    try:
        person = employee_create(
            reason=f"{_reason(token)}: employee of {trust or region_employer} by {recognised_by}",
            username=values.username,
            email=email,
            first_name=values.first_name or "",
            last_name=values.last_name or "",
            title=values.title or "",
            trust=trust,
            region_employer=region_employer,
            sso_identifier=identifier or "",
        )
        link = ProvisionedPerson(
            person=person, region=region, external_id=values.external_id or "", department=values.department or ""
        )
        link.full_clean(exclude=["person", "region"])
        link.save()
    except ValidationError as error:
        raise ProvisioningError(_messages(error)) from error
    if values.active is False:
        user_deactivate(person=person, reason=_reason(token))
    return person


def _require_in_region(token: ScimToken, person: User) -> None:
    if not User.objects.filter(region_people_filter(token.region_id), pk=person.pk).exists():
        raise ProvisioningError("Not found.", scim_type="", status=404)


@transaction.atomic
def scim_person_update(*, token: ScimToken, person: User, values: PersonValues) -> User:
    """Take what the provider sent (a PATCH sends only what changed). An organisation, department or e-mail domain
    that names another trust of the region moves the person there; one that names none (a clinical department)
    leaves the employer alone. ``active`` false closes the person's access at once."""
    _require_in_region(token, person)
    reason = _reason(token)
    identifier = _identifier(values)
    _check_unique(person, username=values.username, email=values.email, identifier=identifier)
    if identifier and person.sso_identifier and person.sso_identifier != identifier:
        raise ProvisioningError(
            "The person logs in with another single sign-on identifier than this externalId.",
            scim_type="mutability",
            status=409,
        )
    changes: dict[str, Any] = {}
    if values.username is not None:
        if not values.username:
            raise ProvisioningError("userName cannot be empty.")
        changes["username"] = values.username
    if values.first_name is not None:
        changes["first_name"] = values.first_name[:150]
    if values.last_name is not None:
        changes["last_name"] = values.last_name[:150]
    if values.email is not None:
        changes["email"] = values.email
    if values.title is not None:
        changes["title"] = values.title[:150]
    if identifier:
        changes["sso_identifier"] = identifier
    if values.organization or values.department or values.email:
        trust, region_employer, _by = _employer(token.region, values, values.email or "")
        if trust is not None or region_employer is not None:
            changes["trust"], changes["region_employer"] = trust, region_employer
    try:
        user_update_from_provider(person, changes, reason=reason)
        link, _created = ProvisionedPerson.objects.get_or_create(
            person=person, defaults={"region": token.region, "external_id": values.external_id or ""}
        )
        kept = {"external_id": values.external_id, "department": values.department}
        kept = {name: value for name, value in kept.items() if value is not None and getattr(link, name) != value}
        if kept:
            for name, value in kept.items():
                setattr(link, name, value)
            link.full_clean(exclude=["person", "region"])
            link._change_reason = reason  # type: ignore[attr-defined]
            link.save()
    except ValidationError as error:
        raise ProvisioningError(_messages(error)) from error
    if values.active is False:
        user_deactivate(person=person, reason=reason)
    elif values.active is True:
        user_reactivate(person=person, reason=reason)
    return person


@transaction.atomic
def scim_person_delete(*, token: ScimToken, person: User) -> None:
    """A person the provider deletes is deactivated, not deleted: their appointments, cases and history stay."""
    _require_in_region(token, person)
    user_deactivate(person=person, reason=f"{_reason(token)}: deleted at the identity provider")


def _members(token: ScimToken, ids: list[str]) -> list[User]:
    numbers = {int(i) for i in ids if str(i).isascii() and str(i).isdigit()}
    people = list(User.objects.filter(region_people_filter(token.region_id), pk__in=numbers))
    if len(numbers) != len(set(ids)) or len(people) != len(numbers):
        raise ProvisioningError("A member is not a person of this region (the value must be the user's id).")
    return people


@transaction.atomic
def scim_group_save(*, token: ScimToken, group: ScimGroup, values: GroupValues) -> ScimGroup:
    """Create or change a group of the key's region. Its members get no role from it: the coordinator gives roles."""
    if group.pk is not None and group.region_id != token.region_id:
        raise ProvisioningError("Not found.", scim_type="", status=404)
    group.region = token.region
    if values.display_name is not None:
        group.display_name = values.display_name
    if values.external_id is not None:
        group.external_id = values.external_id
    if not group.display_name:
        raise ProvisioningError("displayName is required.")
    try:
        group.full_clean(exclude=["region"])
    except ValidationError as error:
        raise ProvisioningError(_messages(error)) from error
    group._change_reason = _reason(token)  # type: ignore[attr-defined]
    group.save()
    if values.members is not None:
        group.members.set(_members(token, values.members))
    if values.add_members:
        group.members.add(*_members(token, values.add_members))
    if values.remove_members:
        group.members.remove(*_members(token, values.remove_members))
    return group


@transaction.atomic
def scim_group_delete(*, token: ScimToken, group: ScimGroup) -> None:
    if group.region_id != token.region_id:
        raise ProvisioningError("Not found.", scim_type="", status=404)
    group._change_reason = _reason(token)  # type: ignore[attr-defined]
    group.delete()
