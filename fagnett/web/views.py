import contextlib

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from prometheus_client import CONTENT_TYPE_LATEST

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.accounts.services import user_language_set
from fagnett.core.health import readiness
from fagnett.core.metrics import exposition, scrape_allowed
from fagnett.events.selectors import upcoming_event_rows
from fagnett.meetings.selectors import my_open_action_items, upcoming_meeting_rows
from fagnett.networks.selectors import home_summary
from fagnett.web import pages
from fagnett.web.for_you import DUE_WITHIN
from fagnett.web.region_state import region_state
from fagnett.web.start import start_reads


def home(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    # The list of open action items and For you's counts of them come from one statement; For you, the case card,
    # the employer's name and the region panel's cases to route from another.
    action_items = my_open_action_items(user=request.user, today=today, due_within=DUE_WITHIN)
    reads = start_reads(user=request.user, today=today, action_items=(action_items.overdue, action_items.due_soon))
    summary = home_summary(user=request.user)
    state = region_state(user=request.user, unrouted=reads.unrouted)
    return render(
        request,
        "web/home.html",
        {
            "summary": summary,
            "expiring": pages.expiring_rows(summary.expiring),
            "upcoming": pages.meeting_rows(upcoming_meeting_rows(user=request.user)),
            "action_items": pages.action_item_rows(action_items.first),
            "case_summary": reads.case_summary,
            "upcoming_events": upcoming_event_rows(user=request.user),
            "for_you": pages.for_you_rows(reads.for_you),
            "employer": reads.employer,
            "region_state": state,
            "region_rows": pages.region_state_rows(state) if state else "",
        },
    )


def region(request: AuthenticatedRequest) -> HttpResponse:
    """The coordinator's, medical director's and fagsjef's way into the region-wide overviews."""
    access = access_for(request.user)
    oversees = access.is_coordinator_anywhere or bool(access.director_regions)
    if not (oversees or access.is_fagsjef_anywhere):
        raise PermissionDenied
    return render(
        request,
        "web/region.html",
        {
            "oversees": oversees,
            "is_coordinator": access.is_coordinator_anywhere,
            "is_fagsjef": access.is_fagsjef_anywhere,
        },
    )


@login_not_required  # the login page offers English too
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch language; a logged-in person keeps the choice (e-mails use it too)."""
    if request.user.is_authenticated:
        with contextlib.suppress(ValidationError):  # Django's set_language below ignores an unknown language too
            user_language_set(person=request.user, language=request.POST.get("language", ""))
    return set_language(request)


@login_not_required  # the load balancer's probe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_not_required  # the load balancer's probe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: the database, file storage and job queue answer (fagnett.core.health); 503 names what fails."""
    ready, report = readiness()
    return JsonResponse(report, status=200 if ready else 503)


@login_not_required  # Prometheus has no session: its token or address is checked here (core.metrics)
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: request latency by view (django-prometheus), the job queue, failed jobs, mails pending."""
    if not scrape_allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
