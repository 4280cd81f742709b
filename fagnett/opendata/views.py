"""Thin views: the region coordinator's page for open-data API keys."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core.views_helpers import key_page
from fagnett.networks.selectors import coordinated_regions
from fagnett.opendata import selectors, services
from fagnett.opendata.forms import RegionApiKeyForm


def key_home(request: AuthenticatedRequest) -> HttpResponse:
    """The way in from the menu: straight to the keys of the one region the person coordinates, or a choice."""
    regions = list(coordinated_regions(user=request.user))
    if not regions:
        raise PermissionDenied
    if len(regions) == 1:
        return redirect("opendata:api_keys", region_id=regions[0].pk)
    return render(request, "opendata/key_home.html", {"regions": regions})


@require_http_methods(["GET", "POST"])
def api_keys(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    """The coordinator issues and revokes the region's open-data keys; a new key is shown once."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    return key_page(
        request,
        "opendata/api_keys.html",
        form=RegionApiKeyForm(request.POST or None),
        blank_form=RegionApiKeyForm,
        issue=lambda form: services.region_api_key_create(
            user=request.user, region=region, name=form.cleaned_data["name"]
        ),
        context=lambda: {"region": region, "keys": selectors.region_api_key_list(region=region)},
    )


@require_POST
def api_key_revoke(request: AuthenticatedRequest, region_id: int, key_id: int) -> HttpResponse:
    region = selectors.managed_region(user=request.user, region_id=region_id)
    key = selectors.region_api_key_get(region=region, key_id=key_id)
    services.region_api_key_revoke(user=request.user, key=key)
    messages.success(request, _("The key %(name)s no longer works.") % {"name": key.name})
    return redirect("opendata:api_keys", region_id=region.pk)
