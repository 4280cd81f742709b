"""The agenda and its documents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core.storage import stored_file_response
from fagnett.core.views_helpers import add_service_errors
from fagnett.meetings import selectors, services
from fagnett.meetings.forms import AgendaItemForm, DocumentForm, MoveForm
from fagnett.meetings.views.common import _manage


@require_POST
def agenda_standard(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    try:
        created = services.agenda_add_standard_items(user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)s standard item was added.", "%(count)s standard items were added.", len(created))
            % {"count": len(created)},
        )
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
def agenda_item_add(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    _manage(request, meeting)
    form = AgendaItemForm(request.POST or None, region_id=meeting.network.region_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(user=request.user, meeting=meeting, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The item was added to the agenda."))
            return redirect(meeting)
    return render(request, "meetings/agenda_item_form.html", {"meeting": meeting, "form": form, "item": None})


@require_http_methods(["GET", "POST"])
def agenda_item_update(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    item = selectors.agenda_item_get(user=request.user, item_id=item_id)
    _manage(request, item.meeting)
    form = AgendaItemForm(request.POST or None, instance=item, region_id=item.meeting.network.region_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(user=request.user, item=item, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The agenda item was saved."))
            return redirect(item.meeting)
    return render(request, "meetings/agenda_item_form.html", {"meeting": item.meeting, "form": form, "item": item})


@require_POST
def agenda_item_move(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    item = selectors.agenda_item_get(user=request.user, item_id=item_id)
    try:
        form = MoveForm(request.POST)
        if not form.is_valid():
            raise Http404
        services.agenda_item_move(user=request.user, item=item, up=form.cleaned_data["direction"] == "up")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")


@require_POST
def agenda_item_delete(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    item = selectors.agenda_item_get(user=request.user, item_id=item_id)
    try:
        services.agenda_item_delete(user=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The item was removed from the agenda."))
    return redirect(item.meeting)


@require_POST
def document_upload(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    item = selectors.agenda_item_get(user=request.user, item_id=item_id)
    _manage(request, item.meeting)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_attach(user=request.user, item=item, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s was attached.") % {"name": document.original_name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")


def document_download(request: AuthenticatedRequest, document_id: int) -> FileResponse:
    document = selectors.document_get(user=request.user, document_id=document_id)
    response = stored_file_response(document.file, filename=document.original_name)
    response["Content-Type"] = document.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def document_delete(request: AuthenticatedRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, document_id=document_id)
    meeting = document.item.meeting
    try:
        services.document_delete(user=request.user, document=document)
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, " ".join(exc.messages))
    return redirect(meeting)
