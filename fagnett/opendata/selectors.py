"""Reads for open data: the coordinator's keys, and the region's rows the API serves.

The API's row selectors take a region id (the key's region) rather than a person: a key reads
exactly one region. Each returns one queryset with its joins and counts, so a page of any size
costs the same queries.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.cases.models import Case
from fagnett.meetings.models import Attendance, Meeting
from fagnett.networks.models import Network
from fagnett.opendata.models import RegionApiKey
from fagnett.organisations.models import Region
from fagnett.procedures.models import Procedure


def managed_region(*, user: User, region_id: int) -> Region:
    """The region, if the person coordinates it.

    Someone of the region who is not its coordinator is refused (403); for anyone else the region
    does not exist (404), as for other region-wide pages.
    """
    access = access_for(user)
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not access.in_region(region_id):
        raise Http404
    if not access.is_coordinator(region_id):
        raise PermissionDenied
    return region


def region_api_key_list(*, region: Region) -> QuerySet[RegionApiKey]:
    return RegionApiKey.objects.filter(region=region).select_related("created_by", "revoked_by")


def region_api_key_get(*, region: Region, key_id: int) -> RegionApiKey:
    key = RegionApiKey.objects.filter(region=region, pk=key_id).first()
    if key is None:
        raise Http404
    return key


# --- Rows for the API ----------------------------------------------------------------------------------------------


def open_meetings(*, region_id: int, year: int | None = None) -> QuerySet[Meeting]:
    """The region's meetings, with the number of people present and of trusts they represented."""
    present = Q(attendance__status=Attendance.Status.PRESENT)
    meetings = (
        Meeting.objects.filter(network__region_id=region_id)
        .select_related("network")
        .annotate(
            present_count=Count("attendance", filter=present),
            trusts_present_count=Count("attendance__trust", filter=present, distinct=True),
        )
        .order_by("starts_at", "pk")
    )
    # starts_at__year is the year in Europe/Oslo (the current time zone), as the meeting plan counts it.
    return meetings.filter(starts_at__year=year) if year is not None else meetings


def open_cases(*, region_id: int, year: int | None = None) -> QuerySet[Case]:
    """The region's cases by their numbering year; the API shows none of their free text but the title."""
    cases = (
        # Only cases a network has received: a submission still waiting to be routed is not yet the region's.
        Case.objects.filter(region_id=region_id, network__isnull=False)
        .select_related("network", "trust")
        .only(
            "pk",
            "year",
            "number",
            "reference",
            "title",
            "status",
            "source",
            "submitted_at",
            "decided_at",
            "common_case_id",
            "network",
            "network__id",
            "network__name",
            "trust",
            "trust__id",
            "trust__short_name",
        )
        .order_by("submitted_at", "pk")
    )
    return cases.filter(year=year) if year is not None else cases


def open_procedures(
    *, region_id: int, network_id: int | None = None, kind: str | None = None, status: str | None = None
) -> QuerySet[Procedure]:
    procedures = (
        Procedure.objects.filter(network__region_id=region_id)
        .select_related("network")
        .only("pk", "kind", "title", "status", "review_date", "url", "network", "network__id", "network__name")
        .order_by("network__name", "title", "pk")
    )
    if network_id is not None:
        procedures = procedures.filter(network_id=network_id)
    if kind:
        procedures = procedures.filter(kind=kind)
    if status:
        procedures = procedures.filter(status=status)
    return procedures


def open_networks(*, region_id: int) -> QuerySet[Network]:
    return (
        Network.objects.filter(region_id=region_id)
        .only("pk", "name", "field", "kind", "status", "parent_id")
        .order_by("name", "pk")
    )
