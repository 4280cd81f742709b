"""Situation reports: the reporter's list of units, the one-minute form per unit, and the region's "now" view."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest
from fagnett.capacity import selectors, situation_selectors, situation_services
from fagnett.capacity.forms import GroupForm
from fagnett.capacity.models import CATEGORIES, Category, ReportRound
from fagnett.capacity.situation_forms import SituationForm
from fagnett.capacity.situation_models import STALE_AFTER_HOURS
from fagnett.core.views_helpers import add_service_errors


def _group(request: AuthenticatedRequest, default: str) -> str:
    value = request.GET.get("group")
    return selectors.patient_group(value) if value else default


def situation_list(request: AuthenticatedRequest) -> HttpResponse:
    """The units the person files for, each with the age of its latest report (every patient group unless one is
    chosen: nothing is summed here)."""
    group = _group(request, selectors.ALL_GROUPS)
    units = situation_selectors.situation_units(user=request.user, group=group)
    latest = situation_selectors.latest_reports(unit_ids=[u.pk for u in units])
    group_form = GroupForm(initial={"group": group})
    group_form.fields["group"].help_text = ""
    return render(
        request,
        "capacity/situation_list.html",
        {
            "rows": [(unit, latest.get(unit.pk)) for unit in units],
            "regions": situation_selectors.situation_regions(units=units),
            "group_form": group_form,
            "stale_hours": STALE_AFTER_HOURS,
        },
    )


@require_http_methods(["GET", "POST"])
def situation_file(request: AuthenticatedRequest, unit_id: int) -> HttpResponse:
    unit = situation_selectors.situation_unit_get(user=request.user, unit_id=unit_id)
    latest = situation_selectors.latest_reports(unit_ids=[unit.pk]).get(unit.pk)
    categories = situation_selectors.unit_categories(units=[unit], latest={unit.pk: latest} if latest else {})[unit.pk]
    form = SituationForm(request.POST or None, categories=categories, latest=latest)
    if request.method == "POST" and form.is_valid():
        try:
            situation_services.situation_report_file(user=request.user, unit=unit, lines=form.lines())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The situation report for %(unit)s is saved.") % {"unit": unit.name})
            return redirect("capacity:situation_list")
    return render(
        request,
        "capacity/situation_form.html",
        {"unit": unit, "form": form, "latest": latest, "stale_hours": STALE_AFTER_HOURS},
    )


def situation_now(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    """The region's situation now: each unit's latest report with its age, totals per trust and for the region
    over the units that have one, and how many of the expected units that is."""
    region = situation_selectors.region_get(user=request.user, region_id=region_id)
    group = _group(request, selectors.DEFAULT_GROUP)
    data = situation_selectors.situation_now(region=region, group=group)
    latest_round = ReportRound.objects.filter(region=region).order_by("-period_start", "-pk").first()
    return render(
        request,
        "capacity/situation_now.html",
        {
            "region": region,
            "data": data,
            "figures": data,  # capacity/_patient_group.html reads the group from ``figures``
            "group_form": GroupForm(initial={"group": group}),
            "categories": [(c, Category(c).label) for c in CATEGORIES],
            "stale_hours": STALE_AFTER_HOURS,
            "latest_round": latest_round,
        },
    )
