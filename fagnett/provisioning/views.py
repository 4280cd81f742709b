"""Thin views: the coordinator's sign-in and provisioning pages for a region."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core.views_helpers import add_service_errors, key_page
from fagnett.networks.selectors import coordinated_regions
from fagnett.provisioning import selectors, services
from fagnett.provisioning.forms import ScimTokenForm, TrustIdentityForm


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The way in from the region page: the one region the person coordinates, or a choice."""
    regions = list(coordinated_regions(user=request.user))
    if not regions:
        raise PermissionDenied
    if len(regions) == 1:
        return redirect("provisioning:identities", region_id=regions[0].pk)
    return render(request, "provisioning/home.html", {"regions": regions})


@require_http_methods(["GET", "POST"])
def identities(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    """Which trust a person belongs to when single sign-on or provisioning brings someone new."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    form = TrustIdentityForm(region, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity = services.trust_identity_create(
                user=request.user,
                region=region,
                trust=form.cleaned_data["trust"],
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"__all__": "value"})
        else:
            messages.success(
                request, _("%(trust)s is recognised by %(value)s.") % {"trust": identity.trust, "value": identity.value}
            )
            return redirect("provisioning:identities", region_id=region.pk)
    return render(
        request,
        "provisioning/identities.html",
        {"region": region, "form": form, "identities": selectors.trust_identities(region=region)},
    )


@require_POST
def identity_delete(request: AuthenticatedRequest, region_id: int, identity_id: int) -> HttpResponse:
    region = selectors.managed_region(user=request.user, region_id=region_id)
    identity = selectors.trust_identity_get(region=region, identity_id=identity_id)
    services.trust_identity_delete(user=request.user, identity=identity)
    messages.success(
        request, _("%(value)s no longer points to %(trust)s.") % {"value": identity.value, "trust": identity.trust}
    )
    return redirect("provisioning:identities", region_id=region.pk)


@require_http_methods(["GET", "POST"])
def scim_keys(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    """The coordinator issues and revokes the region's provisioning keys; a new key is shown once."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    return key_page(
        request,
        "provisioning/scim_keys.html",
        form=ScimTokenForm(request.POST or None),
        blank_form=ScimTokenForm,
        issue=lambda form: services.scim_token_create(user=request.user, region=region, name=form.cleaned_data["name"]),
        context=lambda: {
            "region": region,
            "keys": selectors.scim_token_list(region=region),
            "tenant_url": settings.FAGNETT_SITE_URL + reverse("scim:users").removesuffix("Users"),
            "counts": selectors.provisioned_count(region=region),
            "groups": selectors.scim_group_list(region=region),
        },
    )


@require_POST
def scim_key_revoke(request: AuthenticatedRequest, region_id: int, key_id: int) -> HttpResponse:
    region = selectors.managed_region(user=request.user, region_id=region_id)
    key = selectors.scim_token_get(region=region, key_id=key_id)
    services.scim_token_revoke(user=request.user, key=key)
    messages.success(request, _("The key %(name)s no longer works.") % {"name": key.name})
    return redirect("provisioning:scim_keys", region_id=region.pk)
