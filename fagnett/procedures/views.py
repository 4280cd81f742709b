"""Thin views for the procedures register: parse the form, call one service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict, year_param
from fagnett.networks.selectors import network_get
from fagnett.organisations.models import Region
from fagnett.procedures import selectors, services
from fagnett.procedures.forms import ProcedureFilterForm, ProcedureForm, StatusChangeForm


def network_register(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    if not request.user.has_perm("procedures.view_procedure", network):
        raise Http404
    year = year_param(request, timezone.localdate().year)
    form = ProcedureFilterForm(request.GET or None, initial={"year": year})
    filters = selectors.ProcedureFilters()
    if form.is_valid():
        filters = selectors.ProcedureFilters(kind=form.cleaned_data["kind"], status=form.cleaned_data["status"])
    return render(
        request,
        "procedures/network_register.html",
        {
            "network": network,
            "form": form,
            "procedures": selectors.procedure_list(network=network, filters=filters),
            "counts": selectors.network_counts(network=network, year=year),
            "year": year,
            "can_manage": request.user.has_perm("procedures.manage_procedures", network),
        },
    )


def procedure_detail(request: AuthenticatedRequest, procedure_id: int) -> HttpResponse:
    procedure = selectors.procedure_get(user=request.user, procedure_id=procedure_id)
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "procedure": procedure,
            "network": procedure.network,
            "events": selectors.event_list(procedure=procedure),
            "can_manage": request.user.has_perm("procedures.manage_procedures", procedure),
        },
    )


@require_http_methods(["GET", "POST"])
def procedure_create(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    if not request.user.has_perm("procedures.manage_procedures", network):
        raise PermissionDenied
    form = ProcedureForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        status, happened_on = data.pop("status"), data.pop("happened_on")
        try:
            procedure = services.procedure_create(
                user=request.user, network=network, data=data, status=status, happened_on=happened_on
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(title)s was added to the register.") % {"title": procedure.title})
            return redirect(procedure)
    return render(request, "procedures/procedure_form.html", {"form": form, "network": network, "procedure": None})


@require_http_methods(["GET", "POST"])
def procedure_update(request: AuthenticatedRequest, procedure_id: int) -> HttpResponse:
    procedure = selectors.procedure_get(user=request.user, procedure_id=procedure_id)
    if not request.user.has_perm("procedures.manage_procedures", procedure):
        raise PermissionDenied
    form = ProcedureForm(request.POST or None, instance=procedure, network=procedure.network)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_update(
                user=request.user, procedure=procedure, data=form.cleaned_data, lock_version=form.version
            )
        except ConflictError as error:
            conflict = error.current
            # A fresh copy for the form: binding changes its instance, and the page shows ``conflict`` as saved.
            fresh = selectors.procedure_get(user=request.user, procedure_id=procedure.pk)
            form = rebind_after_conflict(
                request, conflict, lambda data: ProcedureForm(data, instance=fresh, network=procedure.network)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(procedure)
    return render(
        request,
        "procedures/procedure_form.html",
        {"form": form, "network": procedure.network, "procedure": procedure, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def procedure_change_status(request: AuthenticatedRequest, procedure_id: int) -> HttpResponse:
    procedure = selectors.procedure_get(user=request.user, procedure_id=procedure_id)
    if not request.user.has_perm("procedures.manage_procedures", procedure):
        raise PermissionDenied
    form = StatusChangeForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.procedure_change_status(user=request.user, procedure=procedure, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(title)s is now %(status)s.")
                % {"title": procedure.title, "status": event.get_status_display().lower()},
            )
            return redirect(procedure)
    return render(request, "procedures/status_form.html", {"form": form, "procedure": procedure})


def region_overview(request: AuthenticatedRequest) -> HttpResponse:
    access = access_for(request.user)
    region_ids = sorted(access.coordinator_regions | access.director_regions)
    if access.is_superuser and not region_ids:
        region_ids = list(Region.objects.values_list("pk", flat=True))
    if not region_ids:
        raise PermissionDenied
    try:
        region_id = int(request.GET.get("region", region_ids[0]))
    except ValueError:
        region_id = region_ids[0]
    if region_id not in region_ids:
        raise Http404
    this_year = timezone.localdate().year
    year = year_param(request, this_year - 1)  # the year the annual report is about
    regions = list(Region.objects.filter(pk__in=region_ids).order_by("name"))
    return render(
        request,
        "procedures/region_overview.html",
        {
            "counts": selectors.procedure_counts(region_id=region_id, year=year),
            "region": next(r for r in regions if r.pk == region_id),
            "regions": regions,
            "region_id": region_id,
            "year": year,
            "years": list(range(this_year, this_year - 6, -1)),
        },
    )
