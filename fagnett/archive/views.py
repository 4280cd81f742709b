"""Download of a network's Noark 5 archive extract, for those who keep the network's records."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fagnett.archive.noark import build_package
from fagnett.networks.models import Network
from fagnett.networks.rules import manages_network


def _date(value: str | None, default: datetime.date) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else default


@login_required
@require_GET
def archive_download(request: HttpRequest, network_id: int) -> HttpResponse:
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD``; without them, this year up to today."""
    network = get_object_or_404(Network.objects.select_related("region"), pk=network_id)
    if not manages_network(request.user, network):
        raise PermissionDenied
    today = timezone.localdate()
    try:
        start = _date(request.GET.get("from"), today.replace(month=1, day=1))
        end = _date(request.GET.get("to"), today)
    except ValueError:
        return HttpResponseBadRequest(_("Enter a valid date."))
    if end < start:
        return HttpResponseBadRequest(_("The period must end after it starts."))
    user = request.user
    exported_by = user.get_full_name() or user.get_username()  # type: ignore[union-attr]
    content = build_package(network=network, start=start, end=end, exported_by=exported_by)
    response = HttpResponse(content, content_type="application/zip")
    filename = f"arkivuttrekk-network{network.pk}-{start.isoformat()}-{end.isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
