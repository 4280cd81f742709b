"""The network's meetings, the year's plan, and the region's overview of meetings held."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.core.calendar import OSLO
from fagnett.core.views_helpers import year_param
from fagnett.meetings import pages, selectors, services
from fagnett.meetings.forms import PlanFormSet
from fagnett.meetings.models import Meeting
from fagnett.meetings.views.common import _manage
from fagnett.networks.selectors import network_get
from fagnett.organisations.models import Region


def network_meetings(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    year = year_param(request, timezone.localdate().year)
    can_see_participation = request.user.has_perm("meetings.view_participation", network)
    return render(
        request,
        "meetings/network_meetings.html",
        {
            "network": network,
            "year": year,
            "years": [year - 1, year, year + 1],
            "meetings": selectors.meeting_list(network=network, year=year),
            "plan": selectors.plan_for_network(network=network, year=year),
            "participation_rows": pages.participation_rows(
                selectors.participation_by_trust(region_id=network.region_id, year=year, network=network)
            )
            if can_see_participation
            else None,
            "can_manage": request.user.has_perm("meetings.manage_meetings", network),
        },
    )


#: The months of a spread of n meetings over a whole year; the second Tuesday of each is suggested.
SPREAD_MONTHS = {1: [6], 2: [3, 10], 3: [2, 6, 10], 4: [2, 4, 9, 11], 5: [1, 3, 5, 9, 11], 6: [1, 3, 5, 6, 9, 11]}
#: The months a meeting is suggested in when the year is partly over (July is the summer holiday).
MEETING_MONTHS = [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]


def _second_tuesday(year: int, month: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(1 - first.weekday()) % 7 + 7)


def suggested_dates(year: int, count: int, today: datetime.date) -> list[datetime.date]:
    """Up to ``count`` dates spread over ``year``, none of them today or earlier.

    A year not yet begun gets the usual spread; a year partly over gets the count spread evenly over the months
    still ahead (fewer when fewer months are left), so a plan made in June never proposes February."""
    usual = [_second_tuesday(year, month) for month in SPREAD_MONTHS.get(count, SPREAD_MONTHS[4])]
    if all(day > today for day in usual):
        return usual
    ahead = [day for day in (_second_tuesday(year, month) for month in MEETING_MONTHS) if day > today]
    wanted = min(count, len(ahead))
    return [ahead[i * len(ahead) // wanted] for i in range(wanted)]


def _suggested_plan(network: Any, year: int, count: int) -> list[dict[str, Any]]:
    """Evenly spread future dates (second Tuesday of the month), the time and link the network used last."""
    last = network.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("-starts_at").first()
    start = last.starts_at.astimezone(OSLO).time() if last else datetime.time(12, 0)
    end = last.ends_at.astimezone(OSLO).time() if last else datetime.time(14, 0)
    return [
        {
            "date": day,
            "start": start,
            "end": end,
            "form": last.form if last else Meeting.Form.DIGITAL,
            "location": last.location if last else "",
            "video_link": last.video_link if last else "",
        }
        for day in suggested_dates(year, count, timezone.localdate())
    ]


@require_http_methods(["GET", "POST"])
def plan_year(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    _manage(request, network)
    year = year_param(request, timezone.localdate().year + 1)
    plan = selectors.plan_for_network(network=network, year=year)
    minimum = plan.minimum or 4
    suggested = _suggested_plan(network, year, max(minimum - plan.counted, 1))
    formset = PlanFormSet(request.POST or None, initial=suggested)
    error = None
    if request.method == "POST" and formset.is_valid():
        rows = [
            services.PlannedMeeting(
                date=row["date"],
                start=row["start"],
                end=row["end"],
                form=row["form"],
                location=row["location"],
                video_link=row["video_link"],
            )
            for row in formset.cleaned_data
            if row and row.get("date")
        ]
        try:
            created = services.meeting_plan_year(user=request.user, network=network, meetings=rows)
        except ValidationError as exc:
            error = exc.messages
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s meeting was added to the plan.",
                    "%(count)s meetings were added to the plan.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect(f"{reverse('meetings:network_meetings', args=[network.pk])}?year={year}")
    return render(
        request,
        "meetings/plan_year.html",
        {
            "network": network,
            "year": year,
            "formset": formset,
            "plan": plan,
            "errors": error,
            "no_dates_left": not suggested,
        },
    )


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
    year = year_param(request, timezone.localdate().year - 1)
    regions = selectors.overview_regions(region_ids)
    plan = selectors.region_plan(
        user=request.user,
        region_id=region_id,
        year=year,
        region=next((r for r in regions if r.pk == region_id), None),
    )
    participation = selectors.participation_by_trust(region_id=region_id, year=year)
    return render(
        request,
        "meetings/region_overview.html",
        {
            "plan": plan,
            "plan_rows": pages.network_plan_rows(plan.rows, year=year),
            "total": len(plan.rows),
            "below": len(plan.below),
            "participation": participation,
            "participation_rows": pages.participation_rows(participation),
            "year": year,
            "years": list(range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1)),
            "regions": regions,
            "region_id": region_id,
        },
    )
