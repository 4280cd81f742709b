"""The region's read-only open-data API (django-ninja, OpenAPI schema at ``/api/open/v1/openapi.json``).

A key belongs to one region (``Authorization: Bearer <key>``) and reads that region's rows only.
Every list is paginated with ``limit`` and ``offset`` and costs the same few queries however many
rows there are. No free text is served except titles.
"""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, P, QueryEx, Schema
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer

from fagnett.cases.models import Case
from fagnett.meetings.models import Meeting
from fagnett.networks.models import Network
from fagnett.opendata import selectors, services
from fagnett.opendata.models import RegionApiKey
from fagnett.organisations.models import Region
from fagnett.procedures.models import Procedure
from fagnett.procedures.models import Status as ProcedureStatus
from fagnett.reports.models import RegionalReport
from fagnett.reports.statistics import region_statistics

YEAR_MIN, YEAR_MAX = 2000, 2100
PAGE_DEFAULT, PAGE_MAX = 100, 1000
#: Beyond this an offset would overflow the database's integers; no region has that many rows.
OFFSET_MAX = 1_000_000_000
ID_MAX = 2**63 - 1


class RegionKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> RegionApiKey | None:
        return services.region_api_key_authenticate(raw=token)


api = NinjaAPI(
    title="Fagnett open data API",
    version="1",
    urls_namespace="opendata:open_api",  # mounted inside the opendata app's namespace
    auth=RegionKey(),
    description=(
        "Read-only figures of one region's clinical networks for the region's analysis portal: networks, "
        "meetings, cases and procedures. One key per region; a key reads only its own region. Lists are "
        f"paginated with `limit` (1–{PAGE_MAX}, default {PAGE_DEFAULT}) and `offset`, and return "
        "`{items, count}`. Codes (status, kind, source, form) are stable English identifiers."
    ),
    # The interactive docs load Swagger UI from a CDN with inline script, which our CSP forbids;
    # the schema itself is served at openapi.json.
    docs_url=None,
)


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="Rows per page.")
        offset: int = Field(0, ge=0, le=OFFSET_MAX, description="Rows to skip.")


#: Friendlier words than pydantic's for the parameters people get wrong most.
_HINTS = {
    "year": lambda: (
        _("year must be a whole number from %(min)s to %(max)s, for example 2025.") % {"min": YEAR_MIN, "max": YEAR_MAX}
    ),
    "limit": lambda: _("limit must be a whole number from 1 to %(max)s.") % {"max": PAGE_MAX},
    "offset": lambda: _("offset must be a whole number from 0 to %(max)s.") % {"max": OFFSET_MAX},
}


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with one readable sentence in ``detail`` and the problem per parameter in ``errors``."""
    errors = []
    for error in exc.errors:
        name = str(error.get("loc", ["", ""])[-1])
        hint = _HINTS.get(name)
        errors.append({"field": name, "message": hint() if hint else str(error.get("msg", ""))})
    detail = _("Invalid query: %(problems)s") % {"problems": " ".join(e["message"] for e in errors)}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _region_id(request: HttpRequest) -> int:
    key: RegionApiKey = request.auth  # type: ignore[attr-defined]
    return key.region_id


Year = QueryEx[
    int | None,
    P(ge=YEAR_MIN, le=YEAR_MAX, description=f"Only this year ({YEAR_MIN}–{YEAR_MAX}); all years if left out."),
]


class ProblemOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ProblemOut] = []


class NetworkOut(Schema):
    id: int
    name: str
    field: str
    kind: Network.Kind
    status: Network.Status
    parent_id: int | None


class MeetingOut(Schema):
    id: int
    network_id: int
    network_name: str = Field(alias="network.name")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    form: Meeting.Form
    status: Meeting.Status
    present_count: int = Field(description="People recorded as present.")
    trusts_present_count: int = Field(description="Health trusts represented by the people present.")


class CaseOut(Schema):
    id: int
    reference: str | None = Field(
        description="The case number as people write it, the network's code, year and number: `ANI-2026/014`; "
        "null until routed."
    )
    year: int
    title: str
    network_id: int | None
    network_name: str | None
    status: Case.Status
    source: Case.Source
    trust_short_name: str | None = Field(description="The health trust the case comes from.")
    submitted_at: datetime.date = Field(description="The day the case was submitted (Europe/Oslo).")
    decided_at: datetime.datetime | None = Field(description="When an escalated case's decision was recorded.")
    common_case_id: int | None

    @staticmethod
    def resolve_reference(case: Case) -> str | None:
        return case.reference or None

    @staticmethod
    def resolve_network_name(case: Case) -> str | None:
        return case.network.name if case.network else None

    @staticmethod
    def resolve_trust_short_name(case: Case) -> str | None:
        return case.trust.short_name if case.trust else None

    @staticmethod
    def resolve_submitted_at(case: Case) -> datetime.date:
        return timezone.localdate(case.submitted_at)


class ProcedureOut(Schema):
    id: int
    network_id: int
    network_name: str = Field(alias="network.name")
    kind: Procedure.Kind
    title: str
    status: ProcedureStatus
    review_date: datetime.date | None
    url: str | None = Field(description="Where the document lives; null if not given.")

    @staticmethod
    def resolve_url(procedure: Procedure) -> str | None:
        return procedure.url or None


ERRORS: dict[int, Any] = {401: ErrorOut, 422: ErrorOut}


@api.get("/networks", response={200: list[NetworkOut], **ERRORS}, summary="The region's networks and sub-groups")
@paginate(Pagination)
def list_networks(request: HttpRequest) -> Any:
    return selectors.open_networks(region_id=_region_id(request))


@api.get("/meetings", response={200: list[MeetingOut], **ERRORS}, summary="The region's meetings with attendance")
@paginate(Pagination)
def list_meetings(request: HttpRequest, year: Year = None) -> Any:
    return selectors.open_meetings(region_id=_region_id(request), year=year)


@api.get("/cases", response={200: list[CaseOut], **ERRORS}, summary="The region's cases (no free text but the title)")
@paginate(Pagination)
def list_cases(request: HttpRequest, year: Year = None) -> Any:
    return selectors.open_cases(region_id=_region_id(request), year=year)


@api.get(
    "/procedures",
    response={200: list[ProcedureOut], **ERRORS},
    summary="The region's regional procedures and patient pathways",
)
@paginate(Pagination)
def list_procedures(
    request: HttpRequest,
    network: QueryEx[int | None, P(ge=1, le=ID_MAX, description="Only this network's (its id).")] = None,
    kind: Procedure.Kind | None = None,
    status: ProcedureStatus | None = None,
) -> Any:
    return selectors.open_procedures(region_id=_region_id(request), network_id=network, kind=kind, status=status)


# --- Annual report figures -----------------------------------------------------------------------------------------


ReportYear = QueryEx[
    int | None,
    P(ge=YEAR_MIN, le=YEAR_MAX, description="The year the report is about; last year if left out."),
]


class MeetingsRowOut(Schema):
    network: str
    counts: list[int] = Field(description="Meetings held in each of `years`, oldest first.")
    minimum: int | None = Field(description="The minimum number of meetings a year in the network's mandate.")
    below: bool = Field(description="Fewer meetings than the minimum in the report's year.")


class TaskRowOut(Schema):
    code: str
    title: str
    first: int = Field(description="Networks that ranked the task as the year's most central.")
    second: int
    third: int


class TopicRowOut(Schema):
    topic: str
    last_year: int = Field(description="Networks that worked on the topic the year before.")
    this_year: int = Field(description="Networks that worked on the topic in the report's year.")
    change: int


class FiguresOut(Schema):
    year: int
    source: str = Field(description="`approved`: frozen in the newest approved version; `live`: from the records now.")
    version: int | None = Field(description="The approved version the numbers come from, if any.")
    years: list[int] = Field(description="The years of figure 1.")
    meetings: list[MeetingsRowOut] = Field(description="Figure 1: meetings per network per year.")
    below_minimum: int
    reporting_networks: int
    tasks: list[TaskRowOut] = Field(description="Figure 2: how many networks ranked each task 1st, 2nd, 3rd.")
    topics: list[TopicRowOut] = Field(description="Figure 3: networks per topic, the year before and this year.")
    procedures_worked_on: int
    procedures_worked_on_last_year: int
    registry_data_reviewed: int
    registry_data_reviewed_last_year: int


@api.get(
    "/annual-report/figures",
    response={200: FiguresOut, **ERRORS},
    summary="The annual report's figures for a year: from the approved report, or live while it is a draft",
)
def annual_report_figures(request: HttpRequest, year: ReportYear = None) -> Any:
    region = Region.objects.get(pk=_region_id(request))
    year = year or timezone.localdate().year - 1
    approved = (
        RegionalReport.objects.filter(region=region, year=year, status=RegionalReport.Status.APPROVED)
        .order_by("-version")
        .first()
    )
    stats = approved.statistics if approved else region_statistics(region=region, year=year)
    meetings, procedures, registry = stats["meetings"], stats["procedures"], stats["registry"]
    return {
        "year": year,
        "source": "approved" if approved else "live",
        "version": approved.version if approved else None,
        "years": meetings["years"],
        "meetings": meetings["rows"],
        "below_minimum": meetings["below_minimum"],
        "reporting_networks": meetings["reporting"],
        "tasks": stats["tasks"]["rows"],
        "topics": (stats.get("topics") or {}).get("rows", []),
        "procedures_worked_on": procedures["worked_on"],
        "procedures_worked_on_last_year": procedures["last_year"],
        "registry_data_reviewed": registry["this_year"],
        "registry_data_reviewed_last_year": registry["last_year"],
    }
