"""Action items: the person's own list and giving an item to another owner (closing one: ``followup.py``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors
from fagnett.meetings import pages, selectors, services
from fagnett.meetings.forms import ReassignActionItemForm
from fagnett.networks.selectors import network_participants


def my_action_items(request: AuthenticatedRequest) -> HttpResponse:
    items = selectors.my_action_item_rows(user=request.user)
    return render(
        request,
        "meetings/my_action_items.html",
        {
            "open_rows": pages.open_action_item_rows(items.open, back_to=request.path),
            "done_rows": pages.done_action_item_rows(items.done),
        },
    )


@require_http_methods(["GET", "POST"])
def action_item_reassign(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """Give an open action item to another of the network's people, e.g. when its owner has left."""
    item = selectors.action_item_to_manage(user=request.user, item_id=item_id)
    people = [p for p in network_participants(network=item.network) if p.pk != item.owner_id]
    initial = {"expected_owner": item.owner_id}
    form = ReassignActionItemForm(request.POST or None, initial=initial, people=people)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        owner = next(p for p in people if p.pk == form.cleaned_data["owner"])
        try:
            services.action_item_reassign(
                user=request.user, item=item, owner=owner, expected_owner_id=form.cleaned_data["expected_owner"]
            )
        except ConflictError as conflict:
            item = selectors.action_item_to_manage(user=request.user, item_id=conflict.current.pk)
            people = [p for p in network_participants(network=item.network) if p.pk != item.owner_id]
            form = ReassignActionItemForm(initial={"expected_owner": item.owner_id}, people=people)
            messages.error(
                request, _("Someone else changed the action item's owner first. Check the owner and choose again.")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(owner)s now owns the action item and has been told by e-mail.") % {"owner": owner},
            )
            return redirect(next_url or item.network.get_absolute_url())
    return render(request, "meetings/action_item_reassign.html", {"item": item, "form": form, "next": next_url})
