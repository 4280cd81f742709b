"""Thin views: parse the form, call one service or selector, render a page, a figure or a file."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.capacity import charts, excel, pages, selectors, sent_files, services
from fagnett.capacity import downloads as capacity_downloads
from fagnett.capacity.forms import (
    ApiKeyForm,
    AssessmentForm,
    DashboardForm,
    DimensioningForm,
    EntryForm,
    GridForm,
    GroupForm,
    RecommendationForm,
    RoundForm,
    UnitProfileForm,
    UploadForm,
)
from fagnett.capacity.models import (
    ENTRY_FIELDS,
    CapacityEntry,
    Category,
    Recommendation,
    ReportRound,
    RestrictionReason,
    Scenario,
)
from fagnett.capacity.validation import jump_warnings
from fagnett.core import formatting, kept
from fagnett.core.downloads import download_start
from fagnett.core.exceptions import ConflictError
from fagnett.core.rows import form_field_groups, form_fields_html
from fagnett.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, TooManyRows, check_rows
from fagnett.core.uploads import check_upload
from fagnett.core.views import download_start_page
from fagnett.core.views_helpers import add_service_errors, key_page, rebind_after_conflict


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def round_list(request: AuthenticatedRequest) -> HttpResponse:
    access = access_for(request.user)
    return render(
        request,
        "capacity/round_list.html",
        {
            "rounds": selectors.round_list(user=request.user),
            "can_open": access.is_coordinator_anywhere,
            "can_report_situation": bool(access.reporter_trusts) or access.is_coordinator_anywhere,
        },
    )


@require_http_methods(["GET", "POST"])
def round_create(request: AuthenticatedRequest) -> HttpResponse:
    regions = selectors.managed_regions(user=request.user)
    if not regions.exists():
        raise PermissionDenied
    form = RoundForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            round_ = services.round_open(user=request.user, region=data.pop("region"), data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round %(name)s is open for reporting.") % {"name": round_.name})
            return redirect(round_)
    return render(request, "capacity/round_form.html", {"form": form})


def _round_context(request: AuthenticatedRequest, round_: ReportRound) -> dict[str, Any]:
    user = request.user
    return {
        "round": round_,
        "can_manage": user.has_perm("capacity.manage_rounds", round_),
        "can_assess": user.has_perm("capacity.assess_round", round_),
    }


def _group(request: AuthenticatedRequest, default: str = selectors.DEFAULT_GROUP) -> str:
    """The patient group asked for (``?group=``); adult units unless another group or "all" is chosen."""
    value = request.GET.get("group")
    return selectors.patient_group(value) if value else default


def round_detail(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    # The reporter's list of units to report: every group unless one is chosen (no figures are summed here).
    group = _group(request, default=selectors.ALL_GROUPS)
    units = selectors.reportable_units(user=request.user, round_=round_)
    if group != selectors.ALL_GROUPS:
        units = [u for u in units if u.age_group == group]
    counts: dict[int, int] = {}
    for entry in selectors.current_entries(round_=round_, units=units).filter(staffed_beds__isnull=False):
        counts[entry.unit_id] = counts.get(entry.unit_id, 0) + 1
    rows = [(unit, counts.get(unit.pk, 0)) for unit in units]
    group_form = GroupForm(initial={"group": group})
    group_form.fields["group"].help_text = ""  # this list sums nothing: every group is shown unless one is chosen
    return render(
        request,
        "capacity/round_detail.html",
        {
            **_round_context(request, round_),
            "unit_rows": rows,
            "cells_per_unit": selectors.CELLS_PER_UNIT,
            "group_form": group_form,
        },
    )


@require_POST
def round_close(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    try:
        services.round_close(user=request.user, round_=round_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is closed. Corrections are now saved as new versions with a reason."))
    return redirect(round_)


def compliance(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    group = _group(request)
    return render(
        request,
        "capacity/compliance.html",
        {
            **_round_context(request, round_),
            "compliance": selectors.compliance(round_=round_, group=group),
            "figures": selectors.round_figures(round_=round_, group=group),
            "group_form": GroupForm(initial={"group": group}),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_report(request: AuthenticatedRequest, round_id: int, unit_id: int) -> HttpResponse:
    """The unit's grid of bed category × scenario: an overview, and a form for the main numbers of every cell."""
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    unit = selectors.unit_for_report(user=request.user, round_=round_, unit_id=unit_id)
    current = selectors.entries_by_cell(selectors.current_entries(round_=round_, units=[unit]))
    existing = {(category, scenario): entry for (_unit, category, scenario), entry in current.items()}
    previous = selectors.previous_values(round_=round_, units=[unit])
    cells = existing
    if not current and previous:
        cells = {(category, scenario): p["entry"] for (_unit, category, scenario), p in previous.items()}
    grid_form = GridForm(request.POST or None, cells=cells, existing=existing) if round_.is_open else None
    warnings: list[str] = []
    conflict = False
    if request.method == "POST":
        if grid_form is None:
            raise PermissionDenied
        if grid_form.is_valid():
            values = grid_form.cell_values()
            for (category, scenario), cell in values.items():
                for warning in jump_warnings(cell, previous.get((unit.pk, category, scenario))):
                    warnings.append(f"{category}, {Scenario(scenario).label}: {warning}")
            if warnings and not grid_form.cleaned_data["confirm_jumps"]:
                grid_form.add_error("confirm_jumps", _("Check the numbers, then tick the box to confirm them."))
            else:
                tokens = grid_form.based_on_tokens()
                items = [
                    services.EntryInput(unit, c, s, v, based_on=tokens.get((c, s), "")) for (c, s), v in values.items()
                ]
                try:
                    services.capacity_entries_save(user=request.user, round_=round_, items=items)
                except ConflictError:
                    conflict = True
                    # The grid above the form now shows what is saved; the form keeps what this person wrote.
                    saved = selectors.entries_by_cell(selectors.current_entries(round_=round_, units=[unit]))
                    data = request.POST.copy()
                    data["based_on"] = GridForm.tokens_of({(c, s): e for (_u, c, s), e in saved.items()})
                    grid_form = GridForm(data, cells=cells, existing={(c, s): e for (_u, c, s), e in saved.items()})
                    grid_form.is_valid()
                except ValidationError as error:
                    add_service_errors(grid_form, error)
                else:
                    messages.success(request, _("The grid for %(unit)s was saved.") % {"unit": unit.name})
                    return redirect("capacity:unit_report", round_.pk, unit.pk)
    return render(
        request,
        "capacity/unit_report.html",
        {
            **_round_context(request, round_),
            "unit": unit,
            "grid": selectors.entry_grid(round_=round_, unit=unit),
            "scenarios": Scenario.choices,
            "grid_form": grid_form,
            "warnings": warnings,
            "conflict": conflict,
            "prefilled_from_previous": not current and bool(previous),
            "profile_form": UnitProfileForm(instance=selectors.unit_profile(unit=unit)),
            "versions": selectors.entry_versions(round_=round_, unit=unit),
        },
    )


@require_POST
def unit_profile(request: AuthenticatedRequest, round_id: int, unit_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    unit = selectors.unit_for_report(user=request.user, round_=round_, unit_id=unit_id)
    form = UnitProfileForm(request.POST, instance=selectors.unit_profile(unit=unit))
    if form.is_valid():
        services.unit_profile_update(user=request.user, unit=unit, data=form.cleaned_data)
        messages.success(request, _("The unit's capabilities were saved."))
    else:
        messages.error(
            request, _("The capabilities were not saved: the number of isolation rooms must be a whole number ≥ 0.")
        )
    return redirect("capacity:unit_report", round_.pk, unit.pk)


@require_http_methods(["GET", "POST"])
def entry_edit(
    request: AuthenticatedRequest, round_id: int, unit_id: int, category: str, scenario: str
) -> HttpResponse:
    """One cell of the grid: prefilled from this round, or else from the trust's last round."""
    if category not in Category.values or scenario not in Scenario.values:
        raise Http404
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    unit = selectors.unit_for_report(user=request.user, round_=round_, unit_id=unit_id)
    cell = (unit.pk, category, scenario)
    current = selectors.entries_by_cell(selectors.current_entries(round_=round_, units=[unit])).get(cell)
    previous = selectors.previous_values(round_=round_, units=[unit]).get(cell)
    source = current or (previous or {}).get("entry")
    initial = {name: getattr(source, name) for name in ENTRY_FIELDS} if source is not None else {}
    initial["based_on"] = current.token if current is not None else ""
    form = EntryForm(request.POST or None, initial=initial, category=category, round_open=round_.is_open)
    warnings: list[str] = []
    conflict = None
    if request.method == "POST" and form.is_valid():
        warnings = jump_warnings(form.values(), previous)
        if warnings and not form.cleaned_data["confirm_jumps"]:
            form.add_error("confirm_jumps", _("Check the numbers, then tick the box to confirm them."))
        else:
            try:
                services.capacity_entry_submit(
                    user=request.user,
                    round_=round_,
                    unit=unit,
                    category=category,
                    scenario=scenario,
                    values=form.values(),
                    correction_reason=form.cleaned_data.get("correction_reason", ""),
                    based_on=form.cleaned_data["based_on"],
                )
            except ConflictError as error:
                conflict = error.current
                data = request.POST.copy()
                data["based_on"] = conflict.token if conflict is not None else ""
                form = EntryForm(data, category=category, round_open=round_.is_open)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Saved: %(unit)s, %(category)s, %(scenario)s.")
                    % {"unit": unit.name, "category": category, "scenario": Scenario(scenario).label},
                )
                return redirect("capacity:unit_report", round_.pk, unit.pk)
    return render(
        request,
        "capacity/entry_form.html",
        {
            **_round_context(request, round_),
            "unit": unit,
            "category_label": Category(category).label,
            "scenario_label": Scenario(scenario).label,
            "form": form,
            "warnings": warnings,
            "prefilled_from_previous": current is None and previous is not None,
            "conflict": conflict,
            "saved_values": _saved_values(conflict, form) if conflict is not None else [],
            "history": selectors.entry_history(entry=current) if current is not None else [],
        },
    )


def _shown(value: Any) -> str:
    return "–" if value is None or value == "" else str(formats.localize(value))


def _saved_values(saved: CapacityEntry, form: EntryForm) -> list[tuple[str, str, str, bool]]:
    """(label, saved now, this person's, whether they differ) for each field of the form, after a conflict."""
    rows = []
    for name in ENTRY_FIELDS:
        if name not in form.fields:
            continue
        mine = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else form[name].value()
        ours = getattr(saved, name)
        if name == "status":
            ours, mine = saved.get_status_display(), dict(CapacityEntry.Status.choices).get(mine or "", "")
        elif name == "restrictions":
            labels = dict(RestrictionReason.choices)
            ours = ", ".join(str(labels.get(r, r)) for r in ours or [])
            mine = ", ".join(str(labels.get(r, r)) for r in mine or [])
        differs = (ours if ours not in (None, "") else None) != (mine if mine not in (None, "") else None)
        rows.append((str(form.fields[name].label), _shown(ours), _shown(mine), differs))
    return rows


def excel_template(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    units = selectors.reportable_units(user=request.user, round_=round_)
    if not units:
        raise PermissionDenied
    try:
        content = excel.template(
            round_=round_,
            units=units,
            current=selectors.entries_by_cell(selectors.current_entries(round_=round_, units=units)),
            previous=selectors.previous_values(round_=round_, units=units),
        )
    except TooManyRows as refused:
        messages.error(request, refused.message)
        return redirect(round_)
    return _download(content, XLSX_CONTENT_TYPE, f"capacity-{slugify(round_.name)}.xlsx")


@require_http_methods(["GET", "POST"])
def excel_upload(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    units = selectors.reportable_units(user=request.user, round_=round_)
    if not units:
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[excel.ImportProblem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Name, size, type and the package's unpacking bounds. The text is not scanned here: the import reads
            # every cell it keeps and names the row and column of an identity number; nothing else is stored.
            check_upload(upload, extensions={".xlsx"}, scan=False)
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            try:
                items = excel.read_upload(data=upload.read(), round_=round_, units=units)
                warnings = excel.jump_warnings_for(items, selectors.previous_values(round_=round_, units=units))
                if warnings and not form.cleaned_data["confirm_jumps"]:
                    raise excel.JumpWarnings(warnings)
                saved = services.capacity_entries_save(user=request.user, round_=round_, items=items, source="excel")
            except excel.JumpWarnings as failure:
                problems = failure.problems
                form.add_error(
                    "confirm_jumps",
                    _("Nothing was imported: check the big changes listed, then tick the box and upload again."),
                )
            except excel.ImportFailed as failure:
                problems = failure.problems
                form.add_error(
                    "file",
                    ngettext(
                        "Nothing was imported: the file has %(count)s problem.",
                        "Nothing was imported: the file has %(count)s problems.",
                        len(problems),
                    )
                    % {"count": len(problems)},
                )
            except ValidationError as error:
                form.add_error("file", " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext("%(count)s entry was imported.", "%(count)s entries were imported.", len(saved))
                    % {"count": len(saved)},
                )
                return redirect(round_)
    return render(
        request,
        "capacity/upload.html",
        {**_round_context(request, round_), "form": form, "problems": problems[:500], "problem_count": len(problems)},
    )


def _scenario(request: AuthenticatedRequest) -> str:
    form = DashboardForm(request.GET or None)
    return (form.cleaned_data.get("scenario") if form.is_valid() else "") or Scenario.NORMAL


def dashboard(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    scenario = _scenario(request)
    group = _group(request)
    data = selectors.dashboard(round_=round_, scenario=scenario, group=group)
    return render(
        request,
        "capacity/dashboard.html",
        {
            **_round_context(request, round_),
            "form_html": form_fields_html(
                ("capacity:dashboard", scenario, group), DashboardForm(initial={"scenario": scenario, "group": group})
            ),
            "data": data,
            "tables": pages.dashboard_tables(data),
            "categories": Category.choices,
            "scenario": scenario,
        },
    )


def chart(request: AuthenticatedRequest, round_id: int, name: str) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    if name not in charts.CHARTS:
        raise Http404
    if name == "dimensioning":
        level, scenario, target = _dimensioning_params(request)
        content = charts.dimensioning(
            selectors.dimensioning(round_=round_, level=level, scenario=scenario, target=target, group=_group(request))
        )
    else:
        data = selectors.dashboard(round_=round_, scenario=_scenario(request), group=_group(request))
        content = getattr(charts, name)(data)
    return HttpResponse(content, content_type="image/svg+xml")


def export(request: AuthenticatedRequest, round_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    name = f"capacity-{slugify(round_.name)}"
    table = request.GET.get("table", "")
    if table in ("trusts", "dimensioning"):  # a page's table as the page shows it (``excel.export_trust_table``)
        return _table_download(request, round_, table, fmt, f"{name}-{table}")
    # each unit of the patient group with its latest report, and how complete the round is
    figures = selectors.round_figures(round_=round_, group=_group(request))
    try:
        check_rows(excel.export_row_count(figures), excel.MAX_EXPORT_ROWS)
        if fmt == "csv":
            return _download(excel.export_csv(figures), CSV_CONTENT_TYPE, f"{name}.csv")
        return _download(excel.export_xlsx(figures), XLSX_CONTENT_TYPE, f"{name}.xlsx")
    except TooManyRows as refused:
        messages.error(request, refused.message)
        return redirect(round_)


def _table_download(
    request: AuthenticatedRequest, round_: ReportRound, table: str, fmt: str, name: str
) -> HttpResponse:
    if table == "trusts":
        data = selectors.dashboard(round_=round_, scenario=_scenario(request), group=_group(request))
        content = excel.export_trust_table(data, fmt)
    else:
        level, scenario, target = _dimensioning_params(request)
        group = _group(request)
        results = selectors.dimensioning(round_=round_, level=level, scenario=scenario, target=target, group=group)
        content = excel.export_dimensioning_table(results, fmt)
    return _download(content, CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE, f"{name}.{fmt}")


def _dimensioning_params(request: AuthenticatedRequest) -> tuple[str, str, float]:
    form = DimensioningForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    target: Decimal = data.get("target") or Decimal("5")
    return data.get("level") or "trust", data.get("scenario") or Scenario.NORMAL, float(target) / 100


def dimensioning(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    level, scenario, target = _dimensioning_params(request)
    group = _group(request)
    figures = selectors.round_figures(round_=round_, group=group)
    hospitals = selectors.dimensioning_hospitals(figures=figures)
    initial = {"level": level, "scenario": scenario, "target": Decimal("5.0"), "group": group}
    sites: list[int] = []
    if request.GET:
        form = DimensioningForm(request.GET, initial=initial, hospitals=hospitals)
        sites = [int(pk) for pk in form.cleaned_data.get("sites", [])] if form.is_valid() else []
    else:
        form = DimensioningForm(initial=initial, hospitals=hospitals)
    # The form's HTML depends on what was asked (or the choices shown first) and the hospitals to choose from.
    asked = tuple((name, tuple(values)) for name, values in sorted(request.GET.lists()))
    form_key = ("capacity:dimensioning", asked, level, scenario, group, tuple((h.pk, h.name) for h in hospitals))
    results = selectors.dimensioning(round_=round_, level=level, scenario=scenario, target=target, figures=figures)
    return render(
        request,
        "capacity/dimensioning.html",
        {
            **_round_context(request, round_),
            "form_html": form_field_groups(form_key, form),
            "results": results,
            "rows": pages.dimensioning_table(results),
            "site_pooling": selectors.site_pooling(
                figures=figures, scenario=scenario, target=target, hospital_ids=sites
            )
            if len(sites) > 1
            else [],
            "site_names": [h.name for h in hospitals if h.pk in sites],
            "figures": figures,
            "target_percent": formatting.number(Decimal(str(target)) * 100, 1),
            "query": request.GET.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
def assessment(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    round_ = selectors.round_get(user=request.user, round_id=round_id)
    can_assess = request.user.has_perm("capacity.assess_round", round_)
    form = AssessmentForm(
        request.POST or None,
        trusts=selectors.region_trusts(round_=round_),
        hospitals=selectors.region_hospitals(round_=round_),
    )
    if request.method == "POST":
        if not can_assess:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.assessment_record(user=request.user, round_=round_, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The assessment was saved."))
                return redirect("capacity:assessment", round_.pk)
    scenario = _scenario(request)
    figures = selectors.round_figures(round_=round_, group=_group(request))
    return render(
        request,
        "capacity/assessment.html",
        {
            **_round_context(request, round_),
            "form": form,
            "assessments": selectors.assessment_list(round_=round_),
            "basis_form": DashboardForm(initial={"scenario": scenario, "group": figures.group}, auto_id="basis_%s"),
            "scenario_label": Scenario(scenario).label,
            "basis": selectors.dimensioning(round_=round_, level="trust", scenario=scenario, figures=figures),
            "figures": figures,
        },
    )


@require_http_methods(["GET", "POST"])
def recommendation_detail(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    """The network's recommendation: its text by the mandate's criteria, consensus or dissent, where it stands (on an
    agenda, decided in a meeting, sent to the medical director, the director's decision), and for its leader and
    secretary the form while it may still change. The steps into meetings and cases are the cases app's pages."""
    round_ = selectors.recommendation_round(user=request.user, round_id=round_id)
    current = selectors.recommendation_for(round_=round_)
    user = request.user
    can_write = user.has_perm("capacity.write_recommendation", round_)
    editable = can_write and (current is None or current.is_editable) and round_.network_id is not None
    form = None
    conflict = None
    if editable:
        form = RecommendationForm(request.POST or None, instance=current or Recommendation(round=round_))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.recommendation_save(
                    user=user, round_=round_, data=form.cleaned_data, lock_version=form.version
                )
            except ConflictError as error:
                conflict = error.current
                form = rebind_after_conflict(
                    request, conflict, lambda data: RecommendationForm(data, instance=conflict or Recommendation())
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The recommendation was saved."))
                return redirect("capacity:recommendation_detail", round_.pk)
    return render(
        request,
        "capacity/recommendation.html",
        {
            **_round_context(request, round_),
            "recommendation": current,
            "form": form,
            "conflict": conflict,
            "can_write": can_write,
            "can_send": current is not None
            and current.status == Recommendation.Status.DECIDED
            and user.has_perm("capacity.send_recommendation", current),
            "case_visible": current is not None
            and current.case is not None
            and user.has_perm("cases.view_case", current.case),
            "assessments": selectors.assessment_list(round_=round_),
            **(kept.kept_context(current) if current is not None else {}),
        },
    )


@require_http_methods(["GET", "POST"])
def recommendation(request: AuthenticatedRequest, round_id: int, fmt: str) -> HttpResponse:
    """Made by a background job: GET shows the button, POST starts the job and sends the person to follow it. The
    document is the network's recommendation, so it is read by those who read the recommendation."""
    if fmt not in ("docx", "pdf"):
        raise Http404
    round_ = selectors.recommendation_round(user=request.user, round_id=round_id)
    title = _("Recommendation, %(round)s (%(format)s)") % {"round": round_.name, "format": fmt.upper()}
    if request.method != "POST":
        back = reverse("capacity:recommendation_detail", args=[round_.pk])
        return download_start_page(request, title=title, back_url=back, back_label=_("Recommendation"))
    download = download_start(
        owner=request.user,
        kind=capacity_downloads.KINDS[fmt],
        title=title,
        params={"round_id": round_.pk, "group": _group(request)},
    )
    return redirect(download)


@require_GET
def recommendation_sent(request: AuthenticatedRequest, round_id: int, fmt: str) -> HttpResponseBase:
    """The recommendation's file as it was sent to the medical director: the kept bytes, checked against their
    checksum (core.kept), for those who read the recommendation."""
    round_ = selectors.recommendation_round(user=request.user, round_id=round_id)
    current = selectors.recommendation_for(round_=round_)
    row = kept.kept_file(current, fmt) if current is not None and fmt in sent_files.KINDS else None
    if row is None or row.state != row.State.KEPT:
        raise Http404
    return kept.kept_response(request, row)


def chart_url(round_: ReportRound, name: str, query: str = "") -> str:
    url = reverse("capacity:chart", args=[round_.pk, name])
    return f"{url}?{query}" if query else url


@require_http_methods(["GET", "POST"])
def api_keys(request: AuthenticatedRequest) -> HttpResponse:
    """The coordinator issues and withdraws the trusts' keys for the capacity API; a new key is shown once."""
    trusts = selectors.coordinated_trusts(user=request.user)
    if not trusts.exists():
        raise PermissionDenied
    return key_page(
        request,
        "capacity/api_keys.html",
        form=ApiKeyForm(request.POST or None, trusts=trusts),
        blank_form=lambda: ApiKeyForm(trusts=trusts),
        issue=lambda form: services.api_token_create(
            user=request.user, trust=form.cleaned_data["trust"], name=form.cleaned_data["name"]
        ),
        context=lambda: {"tokens": selectors.api_token_list(user=request.user)},
    )


@require_POST
def api_key_withdraw(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get(user=request.user, token_id=token_id)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("The key %(name)s no longer works.") % {"name": token.name})
    return redirect("capacity:api_keys")
