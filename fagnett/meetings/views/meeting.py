"""One meeting: its page, changes, cancelling, invitations and the invitation's files."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core.calendar import OSLO
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict
from fagnett.meetings import exports, selectors, services
from fagnett.meetings.calendar import meeting_invitation
from fagnett.meetings.forms import CancelForm, DocumentForm, MeetingForm
from fagnett.meetings.models import Meeting
from fagnett.meetings.views.common import _attachment, _file_stem, _manage
from fagnett.networks.selectors import network_participants


def meeting_detail(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    can_manage = request.user.has_perm("meetings.manage_meetings", meeting)
    reader = selectors.case_reader(request.user)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "network": meeting.network,
            "items": selectors.agenda(meeting=meeting, reader=reader),
            "action_items": selectors.open_action_items(
                network=meeting.network, reader=reader, before=meeting.starts_at
            ),
            "minutes": [
                m
                for m in selectors.minutes_versions(meeting=meeting)
                if request.user.has_perm("meetings.view_minutes", m)
            ],
            "can_manage": can_manage,
            "can_see_documents": request.user.has_perm("meetings.view_documents", meeting),
            "document_form": DocumentForm() if can_manage else None,
            "is_past": meeting.starts_at <= timezone.now(),
        },
    )


def _meeting_initial(meeting: Meeting) -> dict[str, Any]:
    start, end = meeting.starts_at.astimezone(OSLO), meeting.ends_at.astimezone(OSLO)
    return {
        "title": meeting.title,
        "date": start.date(),
        "start": start.time(),
        "end": end.time(),
        "form": meeting.form,
        "location": meeting.location,
        "video_link": meeting.video_link,
        "lock_version": meeting.lock_version,
    }


@require_http_methods(["GET", "POST"])
def meeting_update(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    _manage(request, meeting)
    form = MeetingForm(request.POST or None, initial=_meeting_initial(meeting))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "title": data["title"],
            "starts_at": datetime.datetime.combine(data["date"], data["start"], tzinfo=OSLO),
            "ends_at": datetime.datetime.combine(data["date"], data["end"], tzinfo=OSLO),
            "form": data["form"],
            "location": data["location"],
            "video_link": data["video_link"],
        }
        try:
            meeting = services.meeting_update(
                user=request.user, meeting=meeting, data=values, lock_version=form.version
            )
        except ConflictError as exc:
            conflict = exc.current
            form = rebind_after_conflict(
                request, conflict, lambda data: MeetingForm(data, initial=_meeting_initial(conflict))
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"starts_at": "start", "ends_at": "end"})
        else:
            if meeting.invitation_sent_at:
                messages.success(request, _("The meeting was changed, and an updated invitation was sent."))
            else:
                messages.success(request, _("The meeting was changed."))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"meeting": meeting, "form": form, "conflict": conflict})


@require_http_methods(["GET", "POST"])
def meeting_cancel(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    _manage(request, meeting)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(user=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting was cancelled."))
            return redirect(meeting)
    return render(request, "meetings/meeting_cancel.html", {"meeting": meeting, "form": form})


@require_POST
def meeting_invite(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    try:
        count = services.meeting_send_invitations(user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "The invitation was sent to %(count)s person.", "The invitation was sent to %(count)s people.", count
            )
            % {"count": count},
        )
    return redirect(meeting)


def meeting_export(request: AuthenticatedRequest, meeting_id: int, fmt: str) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    stem = f"innkalling-{_file_stem(meeting)}"
    show_documents = request.user.has_perm("meetings.view_documents", meeting)
    reader = selectors.case_reader(request.user)
    if fmt == "pdf":
        pdf = exports.agenda_pdf(meeting, reader=reader, show_documents=show_documents)
        return _attachment(pdf, f"{stem}.pdf", "application/pdf")
    if fmt == "docx":
        return _attachment(
            exports.agenda_docx(meeting, reader=reader, show_documents=show_documents),
            f"{stem}.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    if fmt == "ics":
        method = "CANCEL" if meeting.is_cancelled else "REQUEST"
        ics = meeting_invitation(
            meeting, organizer=None, attendees=network_participants(network=meeting.network), method=method
        )
        return _attachment(ics, f"{stem}.ics", f"text/calendar; method={method}; charset=utf-8")
    raise Http404
