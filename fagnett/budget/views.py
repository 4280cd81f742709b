"""Thin views for the budget: parse the form, call one service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest
from fagnett.budget import selectors, services
from fagnett.budget.forms import ExpenseForm, GrantForm
from fagnett.core.views_helpers import add_service_errors, year_param
from fagnett.networks.selectors import network_get


def network_budget(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = selectors.budget_network_get(user=request.user, network_id=network_id)
    grants = selectors.grant_list(network=network)
    year = year_param(request, timezone.localdate().year)
    return render(
        request,
        "budget/network_budget.html",
        {
            "network": network,
            "grants": grants,
            "overall": selectors.balance_overall(grants=grants),
            "expenses": selectors.expense_list(network=network),
            "year": year,
            "funds": selectors.use_of_funds(network=network, year=year),
            "by_year": selectors.use_of_funds_by_year(network=network),
            "can_add_grant": request.user.has_perm("budget.add_grant", network),
            "can_add_expense": request.user.has_perm("budget.add_expense", network),
        },
    )


@require_http_methods(["GET", "POST"])
def grant_create(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    if not request.user.has_perm("budget.add_grant", network):
        raise PermissionDenied
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_record(user=request.user, network=network, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The grant was recorded."))
            return redirect(reverse("budget:network_budget", args=[network.pk]))
    return render(request, "budget/grant_form.html", {"form": form, "network": network})


@require_http_methods(["GET", "POST"])
def expense_create(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    if not request.user.has_perm("budget.add_expense", network):
        raise PermissionDenied
    form = ExpenseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.expense_record(user=request.user, network=network, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if recorded.over_budget:
                messages.warning(
                    request,
                    _("The expense was recorded, but it goes %(amount)s kr beyond the grant's balance.")
                    % {"amount": number_format(-recorded.balance, force_grouping=True)},
                )
            else:
                messages.success(
                    request,
                    _("The expense was recorded. %(amount)s kr is left of the grant.")
                    % {"amount": number_format(recorded.balance, force_grouping=True)},
                )
            return redirect(reverse("budget:network_budget", args=[network.pk]))
    return render(request, "budget/expense_form.html", {"form": form, "network": network})
