"""The network's follow-up register (oppfølgingsliste): every action item of the network, closing one with what was
done, opening it again, and the register as CSV or Excel."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core.exceptions import ConflictError
from fagnett.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, TooManyRows, check_rows
from fagnett.core.views_helpers import add_service_errors, one_button_step, paginate, render_page_or_part
from fagnett.meetings import followup_exports, selectors, services
from fagnett.meetings.forms import ActionItemCloseForm, FollowUpFilterForm
from fagnett.meetings.models import ActionItem
from fagnett.networks.models import Network


def _filters(request: AuthenticatedRequest, network: Network) -> tuple[FollowUpFilterForm, selectors.FollowUpFilters]:
    form = FollowUpFilterForm(
        request.GET or None,
        owners=selectors.followup_owners(network=network),
        meetings=selectors.followup_meetings(network=network),
    )
    if not form.is_valid():
        return form, selectors.FollowUpFilters()
    data = form.cleaned_data
    return form, selectors.FollowUpFilters(owner=data["owner"], meeting=data["meeting"], status=data["status"])


@require_GET
def network_followup(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    """The register: filters by owner, meeting and status, the counts per status, a page of items."""
    network = selectors.followup_network_get(user=request.user, network_id=network_id)
    form, filters = _filters(request, network)
    page = paginate(request, selectors.followup_items(network=network, filters=filters))
    page.object_list = selectors.followup_mark(page.object_list, user=request.user, network=network)
    return render_page_or_part(
        request,
        "meetings/followup.html",
        {
            "network": network,
            "form": form,
            "page": page,
            "counts": selectors.followup_counts(network=network, filters=filters),
            "today": timezone.localdate(),
        },
        part="results",
    )


@require_GET
def network_followup_export(request: AuthenticatedRequest, network_id: int, fmt: str) -> HttpResponse:
    """The register under the page's filters as CSV or Excel (``core.spreadsheet``), refused whole when too long."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    network = selectors.followup_network_get(user=request.user, network_id=network_id)
    _form, filters = _filters(request, network)
    items = selectors.followup_items(network=network, filters=filters)
    try:
        check_rows(items.count(), followup_exports.MAX_ROWS)
        marked = selectors.followup_mark(items, user=request.user, network=network)
        if fmt == "csv":
            response = HttpResponse(followup_exports.followup_csv(marked), content_type=CSV_CONTENT_TYPE)
        else:
            response = HttpResponse(followup_exports.followup_xlsx(network, marked), content_type=XLSX_CONTENT_TYPE)
    except TooManyRows as refused:
        messages.error(request, refused.message)
        return redirect("meetings:followup", network.pk)
    stem = slugify(f"{_('follow-up')}-{network.name}-{timezone.localdate():%Y-%m-%d}")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _next_url(request: AuthenticatedRequest, item: ActionItem, value: str) -> str:
    """Where to go after closing or reopening: the page the person came from, if it is this site's; otherwise the
    register of the item's network."""
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure()):
        return value
    return reverse("meetings:followup", args=[item.network_id])


@require_http_methods(["GET", "POST"])
def action_item_close(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """Close an action item with what was done: its owner, the network's leader or secretary (or coordinator)."""
    item = selectors.action_item_get_for_update(user=request.user, item_id=item_id)
    (item,) = selectors.mark_cases([item], selectors.case_reader(request.user))
    next_value = request.POST.get("next") or request.GET.get("next", "")
    form = ActionItemCloseForm(request.POST or None, initial={"lock_version": item.lock_version, "next": next_value})
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_close(
                user=request.user, item=item, note=form.cleaned_data["done_note"], expected_version=form.version
            )
        except ConflictError as error:
            # Someone closed, reopened or reassigned it meanwhile: show it as it is now, keep what the person wrote.
            conflict = True
            item = selectors.action_item_get_for_update(user=request.user, item_id=error.current.pk)
            (item,) = selectors.mark_cases([item], selectors.case_reader(request.user))
            data = request.POST.copy()
            data["lock_version"] = str(item.lock_version)
            form = ActionItemCloseForm(data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action item is closed, with what was done."))
            return redirect(_next_url(request, item, form.cleaned_data["next"]))
    context: dict[str, Any] = {"item": item, "form": form, "conflict": conflict, "next": next_value}
    return render(request, "meetings/action_item_close.html", context)


@require_POST
def action_item_reopen(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """Open a closed action item again: the network's leader or secretary (or coordinator)."""
    item = selectors.action_item_to_manage(user=request.user, item_id=item_id)
    one_button_step(
        request,
        lambda version: services.action_item_reopen(user=request.user, item=item, expected_version=version),
        done=_("The action item is open again."),
        conflict=_("Someone else changed the action item first. Check it and try again."),
    )
    return redirect(_next_url(request, item, request.POST.get("next", "")))
