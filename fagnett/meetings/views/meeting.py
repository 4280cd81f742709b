"""One meeting: its page, changes, cancelling, invitations and the invitation's files."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core.calendar import OSLO, local
from fagnett.core.downloads import download_start
from fagnett.core.exceptions import ConflictError
from fagnett.core.permissions import require_perm
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict
from fagnett.meetings import downloads as meeting_downloads
from fagnett.meetings import exports, pages, selectors, services
from fagnett.meetings.calendar import meeting_invitation
from fagnett.meetings.forms import CancelForm, MeetingForm, ReplyForm
from fagnett.meetings.models import AttendanceReply, Meeting
from fagnett.meetings.views.common import _attachment, _file_stem, _manage


def meeting_detail(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    return _detail_page(request, meeting)


def _detail_page(request: AuthenticatedRequest, meeting: Meeting, reply_form: ReplyForm | None = None) -> HttpResponse:
    """The meeting's page: its rows are read and prepared once by ``selectors.meeting_page`` (issue 23)."""
    can_manage = request.user.has_perm("meetings.manage_meetings", meeting)
    can_see_documents = request.user.has_perm("meetings.view_documents", meeting)
    page = selectors.meeting_page(
        user=request.user,
        meeting=meeting,
        reader=selectors.case_reader(request.user),
        can_manage=can_manage,
        can_see_documents=can_see_documents,
    )
    now = timezone.now()
    open_for_replies = not meeting.is_cancelled and meeting.status != Meeting.Status.HELD and meeting.starts_at > now
    my_reply = page.my_reply
    if reply_form is None and page.invited and open_for_replies:
        reply_form = ReplyForm(
            initial={"answer": my_reply["answer"], "reason": my_reply["reason"]} if my_reply else None
        )
    tools = can_manage and not meeting.is_cancelled
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "invited": page.invited,
            "my_reply": my_reply,
            "reply_form": reply_form,
            "reply_rows": None if page.reply_rows is None else pages.reply_rows(page.reply_rows),
            "reply_counts": page.reply_counts,
            "meeting": meeting,
            "network": meeting.network,
            "head": pages.meeting_head(meeting),
            "agenda": pages.agenda_items(
                page.items,
                action_items=page.action_items,
                network_id=meeting.network_id,
                tools=tools,
                can_manage=can_manage,
                can_see_documents=can_see_documents,
                # Only those who keep the meeting see its forms (the tools, removing a document).
                csrf=csrf_input(request) if can_manage else SafeString(""),
            ),
            "minutes": page.minutes,
            "can_manage": can_manage,
            "can_see_documents": can_see_documents,
            "tools": tools,
            "is_past": meeting.starts_at <= now,
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
def attendance_reply(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    """An invited person's answer from the meeting page; a bad answer is shown on the page with nothing saved."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    if not selectors.is_invited(user=request.user, meeting=meeting):
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply = services.attendance_reply(
                user=request.user,
                meeting=meeting,
                answer=form.cleaned_data["answer"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if reply.answer == AttendanceReply.Answer.COMING:
                messages.success(request, _("Your answer was saved: you are coming."))
            else:
                messages.success(request, _("Your answer was saved: you cannot come."))
            return redirect(f"{meeting.get_absolute_url()}#reply")
    response = _detail_page(request, meeting, reply_form=form)
    response.status_code = 400
    return response


@require_POST
def meeting_pack(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    """Queue the meeting pack (agenda and documents in one PDF) and follow it on the download's page."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    require_perm(request.user, "meetings.view_documents", meeting)
    download = download_start(
        owner=request.user,
        kind=meeting_downloads.KIND,
        title=_("Meeting pack, %(network)s %(date)s")
        % {"network": meeting.network.name, "date": formats.date_format(local(meeting.starts_at), "j. F Y")},
        params={"meeting_id": meeting.pk},
    )
    return redirect(download)


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
            npgettext(
                "meeting",
                "The invitation was sent to %(count)s person.",
                "The invitation was sent to %(count)s people.",
                count,
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
        # A copy for one's own calendar, not an invitation: PUBLISH (a cancelled meeting says so in its STATUS).
        ics = meeting_invitation(meeting, attendees=[], method="PUBLISH")
        return _attachment(ics, f"{stem}.ics", "text/calendar; method=PUBLISH; charset=utf-8")
    raise Http404
