"""The lists of cases: all the user may see, their own, those to route, a network's."""

from collections.abc import Hashable

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.cases import pages, selectors
from fagnett.cases.forms import CaseFilterForm
from fagnett.core import rows as prepared
from fagnett.core.memo import ProcessMemo
from fagnett.core.views_helpers import render_page_or_part
from fagnett.networks.models import Network

#: filter forms checked without errors, kept in the worker (issue 23): building and checking one cost ~0.5 ms a request
_checked_forms: ProcessMemo[CaseFilterForm] = ProcessMemo(size=512)


def _filter_form(
    request: AuthenticatedRequest, choices: selectors.CaseFilterChoices, *, network: bool
) -> tuple[CaseFilterForm, Hashable]:
    """The list's filter form on what was asked, checked (``is_valid``), without its network field on a network's
    list, and the key of what it depends on: what was asked for each field, whether it is a network's list and the
    choices. A form without errors is kept under that key and handed to every request that asks the same
    (read-only: the page reads its cleaned data and its empty errors); a form with errors is made each time (its
    messages are in the reader's language). Its fields' HTML is kept under the same key (and the language)."""
    asked = (
        tuple((name, tuple(request.GET.getlist(name))) for name in CaseFilterForm.base_fields) if request.GET else None
    )
    key = (asked, network, tuple(choices.networks), tuple(choices.trusts), tuple(choices.years))
    form = _checked_forms.get(key)
    if form is not None:
        return form, key
    form = CaseFilterForm(request.GET or None, choices=choices)
    form.is_valid()
    if network:
        del form.fields["network"]
    return (form if form.errors else _checked_forms.put(key, form)), key


def _list_page(
    request: AuthenticatedRequest,
    *,
    base: selectors.CaseFilters,
    heading: str,
    network: Network | None = None,
    kind: str = "all",
) -> HttpResponse:
    user = request.user
    choices = selectors.case_filter_choices(user=user)
    form, form_key = _filter_form(request, choices, network=network is not None)
    filters = base
    if form.is_bound and not form.errors:
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            q=data["q"],
            network=network.pk if network else data["network"],
            status=data["status"],
            trust=data["trust"],
            year=data["year"],
            overdue=data["overdue"],
            mine=base.mine,
            unrouted=base.unrouted,
        )
    fields_html = prepared.form_fields_html(("cases:filter", form_key), form)
    page = selectors.case_list_page(
        user=user,
        filters=filters,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        names=choices.names,
    )
    access = access_for(user)
    return render_page_or_part(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "fields_html": fields_html,
            "page": page,
            "rows": pages.case_rows(page.object_list),
            "heading": heading,
            "network": network,
            "kind": kind,
            "can_assign": access.is_coordinator_anywhere or bool(access.director_regions),
            "can_send_common": access.is_coordinator_anywhere,
        },
        part="results",
    )


def case_list(request: AuthenticatedRequest) -> HttpResponse:
    return _list_page(request, base=selectors.CaseFilters(), heading=_("Cases"))


def my_cases(request: AuthenticatedRequest) -> HttpResponse:
    return _list_page(request, base=selectors.CaseFilters(mine=True), heading=_("My cases"), kind="mine")


def unrouted_cases(request: AuthenticatedRequest) -> HttpResponse:
    if not access_for(request.user).is_coordinator_anywhere:
        raise PermissionDenied
    return _list_page(
        request, base=selectors.CaseFilters(unrouted=True), heading=_("Cases waiting to be routed"), kind="unrouted"
    )


def network_cases(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = selectors.network_for_cases(user=request.user, network_id=network_id)
    return _list_page(
        request,
        base=selectors.CaseFilters(network=network.pk),
        heading=_("Cases in %(network)s") % {"network": network.name},
        network=network,
        kind="network",
    )
