"""Reads for annual reports, scoped to the person asking."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.networks.models import Network
from fagnett.networks.selectors import network_get
from fagnett.organisations.models import Region
from fagnett.reports.models import NetworkReport, ReflectionPoint, RegionalReport


def report_network_get(*, user: User, network_id: int) -> Network:
    """The network if the person may read its annual reports: 404 outside the region, 403 for others in it."""
    network = network_get(user=user, network_id=network_id)
    if not user.has_perm("reports.view_network_report", network):
        raise PermissionDenied
    return network


def network_report_find(*, network: Network, year: int) -> NetworkReport | None:
    return (
        NetworkReport.objects.filter(network=network, year=year)
        .select_related("network", "network__region", "submitted_by", "accepted_by")
        .prefetch_related("rankings__task", "worked_well_points", "improve_points", "topics")
        .first()
    )


def reflection_points(*, region_id: int, kind: str) -> QuerySet[ReflectionPoint]:
    return ReflectionPoint.objects.filter(region_id=region_id, kind=kind).order_by("order", "title")


def report_regions(*, user: User) -> list[Region]:
    """The regions whose reports the person may read: drafts for coordinators and directors, else approved ones."""
    access = access_for(user)
    if access.is_superuser:
        return list(Region.objects.order_by("name"))
    return list(Region.objects.filter(pk__in=access.regions).order_by("name"))


def report_region_get(*, user: User, region_id: int) -> Region:
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not user.has_perm("reports.view_approved_report", region):
        raise Http404
    return region


def regional_versions(*, user: User, region: Region, year: int) -> list[RegionalReport]:
    """Every version the person may read, newest first: drafts only for the coordinator and directors."""
    reports = RegionalReport.objects.filter(region=region, year=year).select_related("approval_recorded_by")
    if not user.has_perm("reports.view_regional_drafts", region):
        reports = reports.filter(status=RegionalReport.Status.APPROVED)
    return list(reports.order_by("-version"))


def regional_report_for(
    *, user: User, region_id: int, year: int, version: str | int | None = None
) -> tuple[Region, list[RegionalReport], RegionalReport]:
    """The region, the versions the person may read, and the one asked for (``version``, else the newest).

    Before the coordinator has saved anything, a coordinator or director gets an unsaved draft to preview. 404 for
    a version the person may not read (a draft, for those who read approved reports only)."""
    region = report_region_get(user=user, region_id=region_id)
    versions = regional_versions(user=user, region=region, year=year)
    if version not in (None, ""):
        chosen = next((v for v in versions if str(v.version) == str(version)), None)
        if chosen is None:
            raise Http404
        return region, versions, chosen
    if versions:
        return region, versions, versions[0]
    if user.has_perm("reports.view_regional_drafts", region):
        return region, versions, RegionalReport(region=region, year=year)
    raise Http404


def approved_reports(*, region: Region) -> QuerySet[RegionalReport]:
    return RegionalReport.objects.filter(region=region, status=RegionalReport.Status.APPROVED).order_by(
        "-year", "-version"
    )
