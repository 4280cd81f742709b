"""Situation reports through the capacity API: a hospital system posts a unit's occupied and staffed beds now.

The endpoints are added to ``capacity.api.api`` (the trust's key, the same rules as the web form) when this
module is imported, which ``capacity.urls`` does before it reads the API's URLs.
"""

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from fagnett.capacity import services, situation_selectors, situation_services
from fagnett.capacity.api import AgeGroupParam, ErrorOut, _units, api
from fagnett.capacity.situation_models import SituationReport
from fagnett.capacity.situation_services import MAX_BEDS, SituationInput


class SituationLineIn(Schema):
    category: Literal["K1", "K2", "K3"]
    staffed_beds: int = Field(ge=0, le=MAX_BEDS)
    occupied_beds: int = Field(ge=0, le=MAX_BEDS, description="At most staffed_beds.")


class SituationLineOut(SituationLineIn):
    available_beds: int


class SituationIn(Schema):
    unit_id: int
    lines: list[SituationLineIn] = Field(min_length=1, max_length=3)


class SituationOut(Schema):
    id: int
    unit_id: int
    filed_at: datetime.datetime
    stale: bool = Field(description="Older than 24 hours.")
    lines: list[SituationLineOut]


def _out(report: SituationReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "unit_id": report.unit_id,
        "filed_at": report.filed_at,
        "stale": situation_selectors.is_stale(report.filed_at),
        "lines": [
            {
                "category": line.category,
                "staffed_beds": line.staffed_beds,
                "occupied_beds": line.occupied_beds,
                "available_beds": line.available_beds,
            }
            for line in report.lines.all()
        ],
    }


@api.post(
    "/situation-reports",
    response={201: SituationOut, 400: ErrorOut, 403: ErrorOut},
    summary="File a unit's situation now (occupied and staffed beds per bed category)",
)
def file_situation_report(request: HttpRequest, report: SituationIn) -> Any:
    principal: services.TokenPrincipal = request.auth  # type: ignore[attr-defined]
    unit = next((u for u in _units(principal) if u.pk == report.unit_id), None)
    if unit is None:
        return Status(403, {"detail": _("Unit %(unit)s is not one of your trust's units.") % {"unit": report.unit_id}})
    lines = [SituationInput(line.category, line.staffed_beds, line.occupied_beds) for line in report.lines]
    problems = situation_services.situation_errors(lines)
    if problems:
        return Status(
            400,
            {
                "detail": _("Nothing was saved."),
                "problems": [
                    {"index": index if index >= 0 else None, "field": name or None, "message": message}
                    for index, name, message in problems
                ],
            },
        )
    try:
        saved = situation_services.situation_report_file(user=principal, unit=unit, lines=lines, source="api")
    except PermissionDenied:
        return Status(403, {"detail": _("Not allowed.")})
    except ValidationError as error:
        return Status(400, {"detail": _("Nothing was saved."), "problems": [{"message": m} for m in error.messages]})
    return Status(201, _out(situation_selectors.latest_reports(unit_ids=[unit.pk])[unit.pk]) | {"id": saved.pk})


@api.get(
    "/situation-reports/latest",
    response=list[SituationOut],
    summary="The latest situation report of each of the trust's units that has one",
)
def latest_situation_reports(request: HttpRequest, age_group: AgeGroupParam | None = None) -> Any:
    units = _units(request.auth, age_group)  # type: ignore[attr-defined]
    latest = situation_selectors.latest_reports(unit_ids=[u.pk for u in units])
    return [_out(latest[u.pk]) for u in units if u.pk in latest]
