from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fagnett.access import AuthenticatedRequest
from fagnett.audit import downloads as audit_downloads
from fagnett.audit import exports, selectors
from fagnett.audit.forms import LogFilterForm
from fagnett.core.downloads import download_start
from fagnett.core.spreadsheet import TooManyRows, check_rows
from fagnett.core.views import download_start_page
from fagnett.core.views_helpers import paginate
from fagnett.organisations.models import Region


@require_GET
def record_history(request: AuthenticatedRequest, kind: str, record_id: int) -> HttpResponse:
    history = selectors.record_history(user=request.user, kind_slug=kind, record_id=record_id)
    return render(request, "audit/record_history.html", {"history": history})


@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The way in from the region page: straight to the one region the person oversees, or a choice of them."""
    regions = list(selectors.audit_regions(user=request.user))
    if not regions:
        raise PermissionDenied
    if len(regions) == 1:
        return redirect("audit:region_log", regions[0].pk)
    return render(request, "audit/index.html", {"regions": regions})


def _filters(request: AuthenticatedRequest, region: Region) -> tuple[LogFilterForm, selectors.LogFilters | None]:
    """The filter form, and its filters; None when they do not hold (the form then says why)."""
    form = LogFilterForm(
        request.GET or None,
        people=selectors.log_people(region=region),
        networks=selectors.log_networks(region=region),
    )
    if not form.is_bound:
        return form, selectors.LogFilters()
    return form, form.filters() if form.is_valid() else None


def _log_page(
    request: AuthenticatedRequest,
    region: Region,
    form: LogFilterForm,
    page: Any = None,
    entries: Any = None,
    status: int = 200,
) -> HttpResponse:
    params = request.GET.copy()
    params.pop("page", None)
    context = {"region": region, "form": form, "page": page, "entries": entries, "export_query": params.urlencode()}
    return render(request, "audit/region_log.html", context, status=status)


@require_GET
def region_log(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    region = selectors.audit_region_get(user=request.user, region_id=region_id)
    form, filters = _filters(request, region)
    if filters is None:
        return _log_page(request, region, form)
    page = paginate(request, selectors.region_log(region=region, filters=filters))
    entries = selectors.log_entries(user=request.user, region=region, rows=page.object_list)
    return _log_page(request, region, form, page, entries)


@require_http_methods(["GET", "POST"])
def region_log_export(request: AuthenticatedRequest, region_id: int, fmt: str) -> HttpResponse:
    """The log with the page's filters (in the query string), made by a background job: GET shows the button, POST
    starts the job and sends the person to follow it. Over the bound it is refused at once, before any job."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    region = selectors.audit_region_get(user=request.user, region_id=region_id)
    form, filters = _filters(request, region)
    if filters is None:
        return _log_page(request, region, form, status=400)
    log = selectors.region_log(region=region, filters=filters)
    query = request.GET.urlencode()
    try:
        check_rows(log.count(), exports.MAX_ROWS)  # before any of it is made: a refused export costs one count
    except TooManyRows as refused:
        messages.error(request, refused.message + " " + audit_downloads.narrow_hint())
        return redirect(reverse("audit:region_log", args=[region.pk]) + (f"?{query}" if query else ""))
    title = _("Audit log, %(region)s (%(format)s)") % {"region": region.name, "format": fmt.upper()}
    if request.method != "POST":
        back = reverse("audit:region_log", args=[region.pk]) + (f"?{query}" if query else "")
        return download_start_page(request, title=title, back_url=back, back_label=_("Audit log"))
    download = download_start(
        owner=request.user,
        kind=audit_downloads.KINDS[fmt],
        title=title,
        params={"region_id": region.pk, "query": query},
    )
    return redirect(download)
