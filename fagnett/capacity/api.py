"""The capacity API for the trusts' own systems (django-ninja, OpenAPI schema at ``/api/capacity/openapi.json``).

Each trust has its own key (``Authorization: Bearer <key>``) and reaches only its own units in the
rounds of its region. Writes are all-or-nothing and follow the same rules as the web form and Excel.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema, Status
from ninja.security import HttpBearer

from fagnett.capacity import selectors, services
from fagnett.capacity.excel import MAX_ROWS
from fagnett.capacity.models import NUMBER_FIELDS, ApiToken, CapacityEntry, ReportRound, entry_field
from fagnett.capacity.validation import COMMENT_MAX_LENGTH, entry_errors, jump_warnings, scenario_order_errors
from fagnett.core import formatting
from fagnett.organisations.models import Unit

#: The most entries one PUT saves, as many as one workbook (the body itself is at most DATA_UPLOAD_MAX_MEMORY_SIZE)
MAX_ENTRIES = MAX_ROWS


class TrustKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> services.TokenPrincipal | None:
        key = ApiToken.authenticate(token, ApiToken.objects.select_related("trust"))
        return services.TokenPrincipal(key) if key else None


api = NinjaAPI(
    title="Fagnett ICU capacity API",
    version="1",
    urls_namespace="capacity:capacity_api",  # mounted inside the capacity app's namespace
    auth=TrustKey(),
    description="Report ICU capacity by unit, bed category and scenario. One key per health trust.",
    # The interactive docs load Swagger UI from a CDN with inline script, which our CSP forbids;
    # the schema itself is served at openapi.json.
    docs_url=None,
)


class RoundOut(Schema):
    id: int
    name: str
    period_start: datetime.date
    period_end: datetime.date
    deadline: datetime.date
    status: str


class UnitOut(Schema):
    id: int
    name: str
    hospital: str
    age_group: str


Count = int | None
Amount = Decimal | None


class EntryValues(Schema):
    physical_beds: Count = Field(None, ge=0, le=100_000)
    staffed_beds: Count = Field(None, ge=0, le=100_000)
    ventilated_beds: Count = Field(None, ge=0, le=100_000)
    ventilators: Count = Field(None, ge=0, le=100_000)
    ecmo_devices: Count = Field(None, ge=0, le=100_000)
    nurses_fte: Amount = Field(None, ge=0, lt=100_000, decimal_places=1)
    nurses_day: Count = Field(None, ge=0, le=100_000)
    nurses_night: Count = Field(None, ge=0, le=100_000)
    vacancies_fte: Amount = Field(None, ge=0, lt=100_000, decimal_places=1)
    hours_to_activate: Count = Field(None, ge=0, le=100_000)
    occupancy_mean: Amount = Field(None, ge=0, le=999, decimal_places=1)
    occupancy_p90: Amount = Field(None, ge=0, le=999, decimal_places=1)
    admissions: Count = Field(None, ge=0, le=100_000)
    mean_length_of_stay: Amount = Field(None, ge=0, lt=10_000, decimal_places=1)
    refused: Count = Field(None, ge=0, le=100_000)
    transferred_out: Count = Field(None, ge=0, le=100_000)
    status: Literal["", "available", "limited", "full"] = ""
    restrictions: list[Literal["staff", "rooms", "equipment", "consumables"]] = Field(
        default_factory=list, max_length=4
    )
    # The limit is checked with the other rules (``validation.entry_errors``), so its message is the form's.
    comment: str = Field("", description=f"At most {COMMENT_MAX_LENGTH} characters.")


class EntryIn(EntryValues):
    unit_id: int
    category: Literal["K1", "K2", "K3"]
    scenario: Literal["normal", "low_activity", "surge_7d", "max_surge"]


class EntryOut(EntryIn):
    version: int


class Problem(Schema):
    index: int | None = None
    field: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    problems: list[Problem] = []


class SavedOut(Schema):
    saved: int
    warnings: list[Problem] = Field(
        default_factory=list, description="Big changes from the last round: saved, but worth a second look."
    )


def _round(principal: services.TokenPrincipal, round_id: int) -> ReportRound | None:
    return ReportRound.objects.filter(pk=round_id, region_id=principal.region_id).first()


#: ``?age_group=`` on the list endpoints: one patient group; without it, every unit of the trust.
AgeGroupParam = Literal["adult", "paediatric", "neonatal", "mixed"]


def _units(principal: services.TokenPrincipal, age_group: str | None = None) -> list[Unit]:
    units = Unit.objects.filter(hospital__trust_id=principal.trust_id, kind=Unit.Kind.ICU, active=True)
    if age_group:
        units = units.filter(age_group=age_group)
    return list(units.select_related("hospital", "hospital__trust").order_by("hospital__name", "name"))


@api.get("/rounds", response=list[RoundOut], summary="Report rounds of the trust's region")
def list_rounds(request: HttpRequest) -> Any:
    principal: services.TokenPrincipal = request.auth  # type: ignore[attr-defined]
    return ReportRound.objects.filter(region_id=principal.region_id).order_by("-period_start")


@api.get("/units", response=list[UnitOut], summary="The trust's ICU units")
def list_units(request: HttpRequest, age_group: AgeGroupParam | None = None) -> Any:
    return [
        {"id": u.pk, "name": u.name, "hospital": u.hospital.name, "age_group": u.age_group}
        for u in _units(request.auth, age_group)  # type: ignore[attr-defined]
    ]


@api.get(
    "/rounds/{round_id}/entries",
    response={200: list[EntryOut], 404: ErrorOut},
    summary="The trust's current entries in a round",
)
def list_entries(request: HttpRequest, round_id: int, age_group: AgeGroupParam | None = None) -> Any:
    principal: services.TokenPrincipal = request.auth  # type: ignore[attr-defined]
    round_ = _round(principal, round_id)
    if round_ is None:
        return Status(404, {"detail": _("No such round.")})
    entries = CapacityEntry.objects.filter(
        round=round_, is_current=True, unit__hospital__trust_id=principal.trust_id
    ).order_by("unit_id", "category", "scenario")
    if age_group:
        entries = entries.filter(unit__age_group=age_group)
    return Status(
        200,
        [
            {
                "unit_id": e.unit_id,
                "category": e.category,
                "scenario": e.scenario,
                "version": e.version,
                "status": e.status,
                "restrictions": e.restrictions,
                "comment": e.comment,
                **{name: getattr(e, name) for name in NUMBER_FIELDS},
            }
            for e in entries
        ],
    )


def _scenario_order_problems(items: list[services.EntryInput]) -> list[dict[str, Any]]:
    """The scenarios sent for each unit and category, in order; the service checks again with those saved."""
    groups: dict[tuple[int, str], dict[str, int]] = {}
    for index, item in enumerate(items):
        groups.setdefault((item.unit.pk, item.category), {})[item.scenario] = index
    problems = []
    for (_unit, category), indices in groups.items():
        values = {scenario: items[index].values for scenario, index in indices.items()}
        for scenario, name, message in scenario_order_errors(category, values):
            problems.append({"index": indices[scenario], "field": name, "message": message})
    return sorted(problems, key=lambda p: p["index"])


@api.put(
    "/rounds/{round_id}/entries",
    response={200: SavedOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Save entries (all or nothing)",
    description=f"At most {MAX_ENTRIES} entries in one request; all are saved or none.",
)
def save_entries(request: HttpRequest, round_id: int, entries: list[EntryIn]) -> Any:
    principal: services.TokenPrincipal = request.auth  # type: ignore[attr-defined]
    round_ = _round(principal, round_id)
    if round_ is None:
        return Status(404, {"detail": _("No such round.")})
    if not round_.is_open:
        return Status(409, {"detail": _("The round is closed: corrections are made in Fagnett with a reason.")})
    if not entries:
        return Status(400, {"detail": _("Send at least one entry.")})
    if len(entries) > MAX_ENTRIES:
        limit = {"limit": formatting.number(MAX_ENTRIES)}
        return Status(400, {"detail": _("Nothing was saved: send at most %(limit)s entries at a time.") % limit})
    units = {u.pk: u for u in _units(principal)}
    comment_field = entry_field("comment")
    problems: list[dict[str, Any]] = []
    items = []
    seen: set[tuple[int, str, str]] = set()
    for index, entry in enumerate(entries):
        unit = units.get(entry.unit_id)
        if unit is None:
            return Status(
                403, {"detail": _("Unit %(unit)s is not one of your trust's units.") % {"unit": entry.unit_id}}
            )
        key = (entry.unit_id, entry.category, entry.scenario)
        if key in seen:
            problems.append({"index": index, "field": "unit_id", "message": _("The same cell is sent twice.")})
        seen.add(key)
        values = entry.model_dump(exclude={"unit_id", "category", "scenario"})
        # The comment's clean-up and identity-number guard, reported with the entry's index like the other checks.
        values["comment"] = comment_field.to_python(values["comment"])
        try:
            comment_field.run_validators(values["comment"])
        except ValidationError as error:
            problems += [{"index": index, "field": "comment", "message": m} for m in error.messages]
        for name, messages in entry_errors(entry.category, values).items():
            problems += [{"index": index, "field": name, "message": m} for m in messages]
        items.append(services.EntryInput(unit, entry.category, entry.scenario, values, label=f"#{index}"))
    if not problems:
        problems = _scenario_order_problems(items)
    if problems:
        return Status(400, {"detail": _("Nothing was saved."), "problems": problems})
    try:
        saved = services.capacity_entries_save(user=principal, round_=round_, items=items, source="api")
    except PermissionDenied:
        return Status(403, {"detail": _("Not allowed.")})
    except ValidationError as error:
        return Status(400, {"detail": _("Nothing was saved."), "problems": [{"message": m} for m in error.messages]})
    previous = selectors.previous_values(round_=round_, units=list(units.values()))
    warnings = [
        {"index": index, "field": None, "message": message}
        for index, item in enumerate(items)
        for message in jump_warnings(item.values, previous.get((item.unit.pk, item.category, item.scenario)))
    ]
    return Status(200, {"saved": len(saved), "warnings": warnings})
