"""Reads for onboarding, scoped to the coordinator asking."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.networks.models import Network
from fagnett.onboarding.models import ImportedObject, RegionImport
from fagnett.organisations.models import HealthTrust, Region


def managed_region(*, user: User, region_id: int) -> Region:
    """The region, if the person coordinates it (or is a superuser).

    Someone of the region who is not its coordinator is refused (403); for anyone else the region does not exist
    (404), as for the other region-wide pages.
    """
    access = access_for(user)
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not access.in_region(region_id):
        raise Http404
    if not user.has_perm("onboarding.manage_region", region):
        raise PermissionDenied
    return region


def region_import_list(*, region: Region) -> QuerySet[RegionImport]:
    return RegionImport.objects.filter(region=region).select_related("created_by", "undone_by")


def region_import_get(*, region: Region, import_id: int) -> RegionImport:
    record = region_import_list(region=region).filter(pk=import_id).first()
    if record is None:
        raise Http404
    return record


def imported_objects(*, region_import: RegionImport, sheet: str = "") -> QuerySet[ImportedObject]:
    objects = region_import.imported_objects.exclude(content_type__model="statusevent").select_related("content_type")
    return objects.filter(sheet=sheet) if sheet else objects


def drop_down_names(*, region: Region) -> tuple[list[str], list[str]]:
    """What the templates' drop-downs offer where a column names a trust (and the RHF) or a network."""
    trusts = list(HealthTrust.objects.filter(region=region).order_by("name").values_list("name", flat=True))
    networks = list(Network.objects.filter(region=region).order_by("name").values_list("name", flat=True))
    return [*trusts, "RHF"], networks
