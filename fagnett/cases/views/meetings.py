"""Cases on the network's meetings (cases sits above meetings: it asks meetings' services)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.cases import selectors, services
from fagnett.meetings import services as meeting_services
from fagnett.meetings.forms import CaseActionItemForm
from fagnett.meetings.selectors import meeting_get
from fagnett.networks.selectors import network_participants


@require_POST
def agenda_cases(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get(user=request.user, meeting_id=meeting_id)
    try:
        created = services.agenda_add_open_cases(user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            messages.success(
                request,
                ngettext(
                    "%(count)s open case was put on the agenda.",
                    "%(count)s open cases were put on the agenda.",
                    len(created),
                )
                % {"count": len(created)},
            )
        else:
            messages.info(request, _("The network has no open cases that are not already on the agenda."))
    return redirect(meeting)


@require_POST
def action_item_add(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """An action item on a case, from the case's page; it then follows the network's agendas until done."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    if case.network is None:
        raise Http404
    if not request.user.has_perm("meetings.manage_meetings", case.network):
        raise PermissionDenied
    people = network_participants(network=case.network)
    form = CaseActionItemForm(request.POST, people=people)
    if form.is_valid():
        owner = next((p for p in people if p.pk == form.cleaned_data["owner"]), None)
        if owner is None:
            messages.error(request, _("The owner of an action item must be appointed in the network."))
        else:
            try:
                meeting_services.action_item_create(
                    user=request.user,
                    network=case.network,
                    title=form.cleaned_data["title"],
                    owner=owner,
                    due_date=form.cleaned_data["due_date"],
                    case=case,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The action item was added; it stays on the network's agendas until done."))
    else:
        messages.error(
            request, " ".join(f"{form.fields[n].label}: {e}" for n, errs in form.errors.items() for e in errs)
        )
    return redirect(f"{case.get_absolute_url()}#follow-up-heading")
