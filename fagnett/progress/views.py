"""Thin views for progress on tasks: the overview, a progress report, and the reporting schedule."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest
from fagnett.cases.selectors import case_get, region_networks
from fagnett.core.exceptions import ConflictError
from fagnett.core.locking import NO_VERSION
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict
from fagnett.networks.selectors import coordinated_regions
from fagnett.progress import selectors, services
from fagnett.progress.forms import OverviewFilterForm, ProgressReportForm, ScheduledTaskForm, ScheduleForm
from fagnett.progress.models import ReportingSchedule


def overview(request: AuthenticatedRequest) -> HttpResponse:
    """Every task from the region with its latest report and what is overdue (the medical director's page)."""
    scope = selectors.overview_scope(user=request.user)
    if scope.empty:
        raise PermissionDenied
    form = OverviewFilterForm(request.GET or None, regions=selectors.overview_regions(scope=scope))
    filters = selectors.OverviewFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.OverviewFilters(
            region=data.get("region"), overdue=data["overdue"], finished=data["finished"]
        )
    today = timezone.localdate()
    rows = selectors.task_overview(user=request.user, today=today, filters=filters)
    return render(
        request,
        "progress/overview.html",
        {
            "form": form,
            "rows": rows,
            "overdue_count": sum(1 for row in rows if row.overdue),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
def report_create(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("progress.report_progress", case):
        raise PermissionDenied
    form = ProgressReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_report_submit(user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The progress report was sent to the medical director."))
            return redirect(case)
    progress = selectors.case_progress(case=case, today=timezone.localdate())
    return render(request, "progress/report_form.html", {"case": case, "form": form, "progress": progress})


def _schedule_initial(schedule: ReportingSchedule | None) -> dict[str, Any]:
    if schedule is None:
        return {"unit": ReportingSchedule.Unit.MONTHS, "lock_version": NO_VERSION}
    return {
        "interval": schedule.interval,
        "unit": schedule.unit,
        "first_due": schedule.first_due,
        "lock_version": schedule.lock_version,
    }


@require_http_methods(["GET", "POST"])
def schedule_edit(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("progress.set_schedule", case):
        raise PermissionDenied
    schedule = ReportingSchedule.objects.filter(case=case).first()
    form = ScheduleForm(request.POST or None, initial=_schedule_initial(schedule))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.schedule_set(
                user=request.user,
                case=case,
                interval=data["interval"],
                unit=data["unit"],
                first_due=data["first_due"],
                lock_version=form.version,
            )
        except ConflictError as error:
            conflict = schedule = error.current
            form = rebind_after_conflict(
                request, conflict, lambda data: ScheduleForm(data, initial=_schedule_initial(conflict))
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The reporting schedule was saved."))
            return redirect(case)
    return render(
        request,
        "progress/schedule_form.html",
        {"case": case, "form": form, "schedule": schedule, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def task_assign(request: AuthenticatedRequest) -> HttpResponse:
    """A task from the region to networks, with the schedule of its progress reports."""
    regions = coordinated_regions(user=request.user, include_directed=True)
    if not regions.exists():
        raise PermissionDenied
    form = ScheduledTaskForm(request.POST or None, networks=region_networks(regions=regions))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cases = services.task_assign(
                user=request.user, networks=data["networks"], data=data, schedule=form.schedule()
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=ScheduledTaskForm.SCHEDULE_FIELDS)
        else:
            messages.success(
                request,
                _("The task was sent to %(networks)s as %(references)s.")
                % {
                    "networks": ", ".join(str(c.network) for c in cases),
                    "references": ", ".join(c.reference for c in cases),
                },
            )
            return redirect("cases:list")
    return render(request, "progress/task_form.html", {"form": form})
