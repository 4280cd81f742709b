"""The Noark 5 archive extract of a network, for those who keep the network's records (the secretariat archives,
as the mandates say): a page to choose the period, and the package as a download."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fagnett.access import AuthenticatedRequest
from fagnett.archive.forms import PeriodForm
from fagnett.archive.noark import build_package, package_problems
from fagnett.core.permissions import require_perm
from fagnett.networks.selectors import network_get


@require_GET
def archive_export(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    """Without a period, the form (this year so far); with a valid ``?start=&end=``, the ZIP package."""
    # 404 outside the person's region (as every page of another region), 403 in it without the right.
    network = network_get(user=request.user, network_id=network_id)
    require_perm(request.user, "archive.export", network)
    today = timezone.localdate()
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET, today=today)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            # Refused before anything is made: the extract must fit in one request's time and memory.
            for problem in package_problems(network=network, start=start, end=end):
                form.add_error("end", problem)
        if form.is_valid():
            user = request.user
            exported_by = user.get_full_name() or user.get_username()
            content = build_package(network=network, start=start, end=end, exported_by=exported_by)
            response = HttpResponse(content, content_type="application/zip")
            filename = f"arkivuttrekk-{network.pk}-{start.isoformat()}-{end.isoformat()}.zip"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    else:
        form = PeriodForm(initial={"start": today.replace(month=1, day=1), "end": today}, today=today)
    return render(request, "archive/export.html", {"network": network, "form": form})
