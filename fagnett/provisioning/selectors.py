"""Reads for sign-in and provisioning: the coordinator's pages, and the people a region's SCIM key reaches.

The pages' selectors take the person and let in only the region's coordinator; the SCIM selectors take the key's
region (a key acts for no one logged in) and reach exactly the people employed by the region's trusts or the RHF.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.organisations.models import HealthTrust, Region, TrustIdentity
from fagnett.organisations.selectors import trust_identity_list
from fagnett.provisioning.models import ProvisionedPerson, ScimGroup, ScimToken


def managed_region(*, user: User, region_id: int) -> Region:
    """The region, if the person coordinates it: someone else of the region is refused (403), anyone else is told
    it does not exist (404), as on the region's other pages."""
    access = access_for(user)
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not access.in_region(region_id):
        raise Http404
    if not access.is_coordinator(region_id):
        raise PermissionDenied
    return region


def region_trusts(*, region: Region) -> QuerySet[HealthTrust]:
    return HealthTrust.objects.filter(region=region).order_by("name")


def trust_identities(*, region: Region) -> QuerySet[TrustIdentity]:
    return trust_identity_list(region=region).order_by("trust__name", "kind", "value")


def trust_identity_get(*, region: Region, identity_id: int) -> TrustIdentity:
    identity = trust_identity_list(region=region).filter(pk=identity_id).first()
    if identity is None:
        raise Http404
    return identity


def scim_token_list(*, region: Region) -> QuerySet[ScimToken]:
    return ScimToken.objects.filter(region=region).select_related("created_by", "revoked_by")


def scim_token_get(*, region: Region, key_id: int) -> ScimToken:
    key = ScimToken.objects.filter(region=region, pk=key_id).first()
    if key is None:
        raise Http404
    return key


def scim_group_list(*, region: Region) -> QuerySet[ScimGroup]:
    return ScimGroup.objects.filter(region=region).annotate(member_count=Count("members"))


def provisioned_count(*, region: Region) -> dict[str, int]:
    """How many of the region's people the identity provider manages, and how many of them are deactivated."""
    people = ProvisionedPerson.objects.filter(region=region)
    return {
        "provisioned": people.count(),
        "deactivated": people.filter(person__is_active=False).count(),
    }


# --- What a region's SCIM key reaches ------------------------------------------------------------------------------


def region_people_filter(region: Region | int) -> Q:
    region_id = region.pk if isinstance(region, Region) else region
    return Q(trust__region_id=region_id) | Q(region_employer_id=region_id)


def scim_people(*, region: Region) -> QuerySet[User]:
    """The people of the region as SCIM shows them: employer, the provider's id, the region's groups and the time
    of the last change (from history), loaded with them so a page of any size costs the same queries."""
    last_change = (
        User.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date").values("history_date")[:1]
    )
    return (
        User.objects.filter(region_people_filter(region))
        .select_related("trust", "region_employer", "provisioning")
        .prefetch_related(Prefetch("scim_groups", queryset=ScimGroup.objects.filter(region=region)))
        .annotate(last_changed_at=Subquery(last_change))
    )


def scim_groups(*, region: Region) -> QuerySet[ScimGroup]:
    return ScimGroup.objects.filter(region=region).prefetch_related(
        Prefetch("members", queryset=User.objects.only("pk", "first_name", "last_name", "username"))
    )
