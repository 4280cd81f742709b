"""The Noark 5 archive extract of a network, for those who keep the network's records (the secretariat archives,
as the mandates say): a page to choose the period, and the package made by a background job."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest
from fagnett.archive import downloads as archive_downloads
from fagnett.archive.forms import PeriodForm
from fagnett.archive.noark import package_problems
from fagnett.core.downloads import download_start
from fagnett.core.permissions import require_perm
from fagnett.networks.selectors import network_get


@require_http_methods(["GET", "POST"])
def archive_export(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    """GET: the form (this year so far; a ``?start=&end=`` fills and checks it, but never starts work). POST with a
    valid period: the job that makes the ZIP package, and the page that follows it."""
    # 404 outside the person's region (as every page of another region), 403 in it without the right.
    network = network_get(user=request.user, network_id=network_id)
    require_perm(request.user, "archive.export", network)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    if "start" in data or "end" in data:
        form = PeriodForm(data, today=today)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            # Refused before the job is queued, with the reason on the form; the job checks again.
            for problem in package_problems(network=network, start=start, end=end):
                form.add_error("end", problem)
        if form.is_valid() and request.method == "POST":
            download = download_start(
                owner=request.user,
                kind=archive_downloads.KIND,
                title=_("Archive extract for %(network)s, %(start)s–%(end)s")
                % {"network": network.name, "start": start.isoformat(), "end": end.isoformat()},
                params={"network_id": network.pk, "start": start.isoformat(), "end": end.isoformat()},
            )
            return redirect(download)
    else:
        form = PeriodForm(initial={"start": today.replace(month=1, day=1), "end": today}, today=today)
    return render(request, "archive/export.html", {"network": network, "form": form})
