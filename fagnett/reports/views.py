"""Thin views for annual reports: parse the form, call one service or selector, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.core import kept
from fagnett.core.downloads import download_start
from fagnett.core.exceptions import ConflictError
from fagnett.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, TooManyRows
from fagnett.core.views import download_start_page
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict, render_page_or_part
from fagnett.networks.models import Network
from fagnett.organisations.models import Region
from fagnett.reports import charts, consistency, document, exports, freshness, selectors, services, statistics
from fagnett.reports import downloads as report_downloads
from fagnett.reports.forms import ApproveForm, NetworkReportForm, RegionalReportForm, ReturnForm
from fagnett.reports.models import NetworkReport, RegionalReport
from fagnett.reports.workflow import NETWORK_REPORT_WORKFLOW, REGIONAL_REPORT_WORKFLOW


def _check_year(year: int) -> None:
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404


def _report_years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 6, -1))


def index(request: AuthenticatedRequest) -> HttpResponse:
    """Where the annual reports are: the region's report for each year, and the person's own networks' reports."""
    regions = selectors.report_regions(user=request.user)
    if not regions:
        raise PermissionDenied
    last_year = timezone.localdate().year - 1
    own = [
        network
        for network in Network.objects.filter(pk__in=list(access_for(request.user).network_roles)).order_by("name")
        if network.kind == Network.Kind.NETWORK
    ]
    rows = []
    for region in regions:
        can_draft = request.user.has_perm("reports.view_regional_drafts", region)
        rows.append(
            {
                "region": region,
                "can_draft": can_draft,
                "can_switch_early": request.user.has_perm("reports.compile_regional_report", region),
                "approved": list(selectors.approved_reports(region=region)[:6]),
            }
        )
    return render(request, "reports/index.html", {"rows": rows, "own": own, "last_year": last_year})


@require_POST
def early_reports(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    """The coordinator allows (or stops) networks submitting their annual report in December."""
    region = next((r for r in selectors.report_regions(user=request.user) if r.pk == region_id), None)
    if region is None:
        raise Http404
    allowed = request.POST.get("allowed") == "1"
    services.region_early_reports_set(user=request.user, region=region, allowed=allowed)
    if allowed:
        messages.success(request, _("Networks may now submit their annual report in December."))
    else:
        messages.success(request, _("Networks submit their annual report when the year is over."))
    return redirect("reports:index")


# --- Network reports --------------------------------------------------------------------------------------------


def network_report_latest(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    selectors.report_network_get(user=request.user, network_id=network_id)
    return redirect("reports:network_report", network_id, timezone.localdate().year - 1)


def network_report(request: AuthenticatedRequest, network_id: int, year: int) -> HttpResponse:
    network = selectors.report_network_get(user=request.user, network_id=network_id)
    _check_year(year)
    report = selectors.network_report_find(network=network, year=year)
    facts = report.facts if report and report.facts else statistics.network_facts(network=network, year=year)
    user = request.user
    may_submit = user.has_perm("reports.submit_network_report", network)
    steps = (
        NETWORK_REPORT_WORKFLOW.available(user, report)
        if report
        else dict.fromkeys(["save", "submit", "accept"], False)
    )
    return render(
        request,
        "reports/network_report.html",
        {
            "network": network,
            "year": year,
            "years": _report_years(),
            "report": report,
            "facts": facts,
            "frozen": bool(report and report.facts),
            # Why it cannot be submitted yet, for whoever may submit it (the year, December's rule, what is missing).
            "blockers": services.submission_blockers(report) if report and report.is_editable and may_submit else [],
            # Before the first save there is no report to ask the workflow about: writing starts it.
            "can_write": steps["save"] if report else user.has_perm("reports.write_network_report", network),
            "can_submit": steps.get("submit", False),
            "can_review": steps.get("accept", False),
            "export_formats": [("pdf", _("The report as PDF")), ("docx", _("The report as Word (DOCX)"))],
        },
    )


@require_http_methods(["GET", "POST"])
def network_report_edit(request: AuthenticatedRequest, network_id: int, year: int) -> HttpResponse:
    network = selectors.report_network_get(user=request.user, network_id=network_id)
    _check_year(year)
    if not request.user.has_perm("reports.write_network_report", network):
        raise PermissionDenied
    # Nothing is stored until the first save: opening the form creates no report.
    report = selectors.network_report_find(network=network, year=year) or NetworkReport(network=network, year=year)
    if not report.is_editable:
        messages.info(request, _("The report has been submitted and can no longer be changed."))
        return redirect(report)
    form = NetworkReportForm(request.POST or None, instance=report)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            # One transaction: a refused first save leaves no empty report behind.
            with transaction.atomic():
                started = services.network_report_start(user=request.user, network=network, year=year)
                services.network_report_save(
                    user=request.user,
                    report=started,
                    data=data,
                    rankings=form.rankings(),
                    worked_well_points=list(data.pop("worked_well_points")),
                    improve_points=list(data.pop("improve_points")),
                    lock_version=form.version,
                    topics=list(data.pop("topics")),
                )
        except ConflictError as error:
            conflict = error.current
            current = selectors.network_report_find(network=network, year=year) or report
            form = rebind_after_conflict(request, conflict, lambda data: NetworkReportForm(data, instance=current))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report was saved."))
            return redirect(started)
    return render(
        request,
        "reports/network_report_form.html",
        {"form": form, "network": network, "year": year, "report": report, "conflict": conflict},
    )


@require_POST
def network_report_submit(request: AuthenticatedRequest, network_id: int, year: int) -> HttpResponse:
    network = selectors.report_network_get(user=request.user, network_id=network_id)
    report = selectors.network_report_find(network=network, year=year)
    if report is None:
        raise Http404
    try:
        services.network_report_submit(user=request.user, report=report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The report was submitted to the coordinator."))
    return redirect(report)


@require_POST
def network_report_accept(request: AuthenticatedRequest, network_id: int, year: int) -> HttpResponse:
    network = selectors.report_network_get(user=request.user, network_id=network_id)
    report = selectors.network_report_find(network=network, year=year)
    if report is None:
        raise Http404
    try:
        services.network_report_accept(user=request.user, report=report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The report of %(network)s was accepted.") % {"network": network})
    return redirect(report)


@require_http_methods(["GET", "POST"])
def network_report_return(request: AuthenticatedRequest, network_id: int, year: int) -> HttpResponse:
    network = selectors.report_network_get(user=request.user, network_id=network_id)
    report = selectors.network_report_find(network=network, year=year)
    if report is None:
        raise Http404
    if not request.user.has_perm("reports.review_network_report", network):
        raise PermissionDenied
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_report_return(user=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report was sent back to the network."))
            return redirect(report)
    return render(request, "reports/network_report_return.html", {"form": form, "network": network, "report": report})


@require_http_methods(["GET", "POST"])
def network_report_export(request: AuthenticatedRequest, network_id: int, year: int, fmt: str) -> HttpResponseBase:
    """The network's own report as PDF or DOCX, made by a background job: GET shows the button, POST starts it."""
    network = selectors.report_network_get(user=request.user, network_id=network_id)
    report = selectors.network_report_find(network=network, year=year)
    if report is None or fmt not in report_downloads.NETWORK_KINDS:
        raise Http404
    title = _("Annual report %(year)s for %(network)s (%(format)s)") % {
        "year": year,
        "network": network.name,
        "format": fmt.upper(),
    }
    if request.method != "POST":
        return download_start_page(
            request, title=title, back_url=report.get_absolute_url(), back_label=_("Annual report %s") % year
        )
    download = download_start(
        owner=request.user,
        kind=report_downloads.NETWORK_KINDS[fmt],
        title=title,
        params={"network_id": network.pk, "year": year},
    )
    return redirect(download)


# --- Regional reports -------------------------------------------------------------------------------------------


def _regional(
    request: AuthenticatedRequest, region_id: int, year: int
) -> tuple[Region, list[RegionalReport], RegionalReport]:
    """The region, the versions the person may read, and the one asked for (``?version=``, else the newest).

    Before the coordinator has saved anything, a coordinator or director gets an unsaved draft to preview."""
    _check_year(year)
    return selectors.regional_report_for(
        user=request.user, region_id=region_id, year=year, version=request.GET.get("version", "")
    )


def _stats(report: RegionalReport) -> dict[str, Any]:
    """The approved version's frozen statistics, or a draft's from the records (cached while nothing they are
    computed from has changed: ``freshness``)."""
    if report.is_locked:
        return report.statistics
    return freshness.region_statistics_cached(region=report.region, year=report.year)


def regional_report(request: AuthenticatedRequest, region_id: int, year: int) -> HttpResponse:
    region, versions, report = _regional(request, region_id, year)
    stats = _stats(report)
    # The workflow's table (reports/workflow.py); an unsaved preview is compiled first, and only the newest version
    # is followed by a new one.
    steps = REGIONAL_REPORT_WORKFLOW.available(request.user, report)
    version_query = f"?version={report.version}" if report.pk else ""
    return render(
        request,
        "reports/regional_report.html",
        {
            "region": region,
            "year": year,
            "years": _report_years(),
            "report": report,
            "versions": versions,
            # The appendices are listed by heading and built when opened (regional_report_appendix).
            "document": document.build(report, stats, appendices=False),
            "appendices": [
                {
                    "heading": document.appendix_heading(number, appendix),
                    "url": reverse("reports:regional_report_appendix", args=[region.pk, year, number]) + version_query,
                }
                for number, appendix in enumerate(stats["appendices"], 1)
            ],
            "submissions": stats["submissions"],
            "version_query": version_query,
            "figure_sources": {
                n: reverse("reports:figure", args=[region.pk, year, n]) + version_query for n in (1, 2, 3)
            },
            "can_compile": steps["save"],
            "contradictions": [
                (RegionalReportForm.base_fields[c.field].label, c)
                for c in (consistency.contradictions(report, stats) if steps["save"] else [])
            ],
            "can_new_version": steps["new_version"] and report.pk == versions[0].pk,
            "can_approve": steps["approve"] and report.pk is not None,
            "can_see_drafts": request.user.has_perm("reports.view_regional_drafts", region),
            **kept.kept_context(report),
        },
    )


def regional_report_appendix(request: AuthenticatedRequest, region_id: int, year: int, number: int) -> HttpResponse:
    """One network's appendix of the regional report: its own page, or the part htmx puts into the report's page
    when the reader opens the appendix there. Read as the report is (the same versions, the same people)."""
    region, _versions, report = _regional(request, region_id, year)
    section = document.appendix_section(_stats(report), number)
    if section is None:
        raise Http404
    version_query = f"?version={report.version}" if report.pk else ""
    return render_page_or_part(
        request,
        "reports/regional_report_appendix.html",
        {
            "region": region,
            "year": year,
            "report": report,
            "section": section,
            "title": _("Annual report %(year)s") % {"year": year},
            "report_url": reverse("reports:regional_report", args=[region.pk, year]) + version_query,
            # Under the report page's "Appendices" (h2) when htmx asks; under the page's own h1 otherwise.
            "level": 3 if getattr(request, "htmx", False) else 2,
        },
        "appendix",
    )


@require_http_methods(["GET", "POST"])
def regional_report_edit(request: AuthenticatedRequest, region_id: int, year: int) -> HttpResponse:
    region = selectors.report_region_get(user=request.user, region_id=region_id)
    _check_year(year)
    if not request.user.has_perm("reports.compile_regional_report", region):
        raise PermissionDenied
    versions = selectors.regional_versions(user=request.user, region=region, year=year)
    report = versions[0] if versions else RegionalReport(region=region, year=year)
    if not REGIONAL_REPORT_WORKFLOW.allows("save", report):
        messages.info(request, _("This version is approved and locked. Make a new version to change it."))
        return redirect(report)
    form = RegionalReportForm(request.POST or None, instance=report)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            # One transaction: a refused first save leaves no empty report behind.
            with transaction.atomic():
                report = services.regional_report_start(user=request.user, region=region, year=year)
                report = services.regional_report_save(
                    user=request.user, report=report, data=data, lock_version=form.version
                )
        except ConflictError as error:
            conflict = error.current
            form = rebind_after_conflict(
                request,
                conflict,
                lambda data: RegionalReportForm(data, instance=RegionalReport.objects.get(pk=report.pk)),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report was saved."))
            return redirect(report)
    return render(
        request,
        "reports/regional_report_form.html",
        {"form": form, "region": region, "year": year, "report": report, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def regional_report_approve(request: AuthenticatedRequest, region_id: int, year: int) -> HttpResponse:
    region, _versions, report = _regional(request, region_id, year)
    if not request.user.has_perm("reports.approve_regional_report", region):
        raise PermissionDenied
    if report.pk is None or not REGIONAL_REPORT_WORKFLOW.allows("approve", report):
        raise Http404
    form = ApproveForm(request.POST or None, initial={"lock_version": report.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.regional_report_approve(
                user=request.user,
                report=report,
                approved_on=form.cleaned_data["approved_on"],
                approved_by_body=form.cleaned_data["approved_by_body"],
                lock_version=form.version,
            )
        except ConflictError:
            form.add_error(
                None,
                _("The text has been changed since you opened this page. Read it again, then record the approval."),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The approval was recorded; version %(v)s is locked.") % {"v": report.version})
            return redirect(report)
    stats = statistics.region_statistics(region=region, year=year)
    return render(
        request,
        "reports/regional_report_approve.html",
        {"form": form, "region": region, "year": year, "report": report, "submissions": stats["submissions"]},
    )


@require_POST
def regional_report_new_version(request: AuthenticatedRequest, region_id: int, year: int) -> HttpResponse:
    region, _versions, report = _regional(request, region_id, year)
    if not request.user.has_perm("reports.compile_regional_report", region):
        raise PermissionDenied
    try:
        new = services.regional_report_new_version(user=request.user, report=report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(report) if report.pk else redirect("reports:regional_report", region.pk, year)
    messages.success(request, _("Version %(v)s was made as a draft.") % {"v": new.version})
    return redirect("reports:regional_report_edit", region.pk, year)


def _filename(report: RegionalReport, suffix: str) -> str:
    return report_downloads.filename(report, suffix)


def figure(request: AuthenticatedRequest, region_id: int, year: int, number: int) -> HttpResponse:
    _region, _versions, report = _regional(request, region_id, year)
    draw = charts.DRAW.get(number)
    if draw is None:
        raise Http404
    response = HttpResponse(draw(_stats(report), "svg"), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def export_docx(request: AuthenticatedRequest, region_id: int, year: int) -> HttpResponseBase:
    return _export(request, region_id, year, "docx")


@require_http_methods(["GET", "POST"])
def export_pdf(request: AuthenticatedRequest, region_id: int, year: int) -> HttpResponseBase:
    return _export(request, region_id, year, "pdf")


def _export(request: AuthenticatedRequest, region_id: int, year: int, fmt: str) -> HttpResponseBase:
    """An approved version's kept file at once (core.kept); anything else — a draft, or an approved version whose
    files are still being made — is made by a job: GET shows the button, POST starts
    it and sends the person to the page that follows it."""
    _region, _versions, report = _regional(request, region_id, year)
    kept_row = kept.kept_file(report, fmt) if report.is_locked else None
    if kept_row is not None:
        # The bytes kept at approval, checked against their checksum (a mismatch is an error page, not the file).
        return kept.kept_response(request, kept_row)
    title = _("Annual report %(year)s for %(region)s, version %(version)s (%(format)s)") % {
        "year": year,
        "region": report.region.short_name,
        "version": report.version,
        "format": fmt.upper(),
    }
    if request.method != "POST":
        return download_start_page(
            request, title=title, back_url=report.get_absolute_url(), back_label=_("Annual report %s") % year
        )
    download = download_start(
        owner=request.user,
        kind=report_downloads.KINDS[fmt],
        title=title,
        params={"region_id": report.region_id, "year": year, "version": report.version if report.pk else None},
    )
    return redirect(download)


def export_figure_csv(request: AuthenticatedRequest, region_id: int, year: int, number: int) -> HttpResponse:
    _region, _versions, report = _regional(request, region_id, year)
    if number not in charts.DRAW:
        raise Http404
    try:
        response = HttpResponse(exports.figures_csv(_stats(report), number), content_type=CSV_CONTENT_TYPE)
    except TooManyRows as refused:
        messages.error(request, refused.message)
        return redirect("reports:regional_report", region_id, year)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, f"figur{number}.csv")}"'
    return response


def export_figures_xlsx(request: AuthenticatedRequest, region_id: int, year: int) -> HttpResponse:
    _region, _versions, report = _regional(request, region_id, year)
    try:
        response = HttpResponse(exports.figures_xlsx(_stats(report)), content_type=XLSX_CONTENT_TYPE)
    except TooManyRows as refused:
        messages.error(request, refused.message)
        return redirect("reports:regional_report", region_id, year)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "figurer.xlsx")}"'
    return response
