"""Thin views for meetings: parse the form, call one service or selector, render."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.core.calendar import OSLO
from fagnett.core.exceptions import ConflictError
from fagnett.core.storage import stored_file_response
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict, year_param
from fagnett.meetings import exports, selectors, services
from fagnett.meetings.calendar import calendar_feed, meeting_invitation
from fagnett.meetings.forms import (
    ActionItemDoneForm,
    ActionItemFormSet,
    AgendaItemForm,
    AttendanceForm,
    CalendarFeedForm,
    CancelForm,
    CirculateForm,
    CommentForm,
    CorrectionForm,
    DocumentForm,
    MeetingForm,
    MinutesApproveForm,
    MinutesForm,
    MoveForm,
    PlanFormSet,
    ReassignActionItemForm,
)
from fagnett.meetings.models import ActionItem, Meeting, Minutes
from fagnett.networks.selectors import network_get, network_participants
from fagnett.organisations.models import Region


def _manage(request: AuthenticatedRequest, obj: Any) -> None:
    if not request.user.has_perm("meetings.manage_meetings", obj):
        raise PermissionDenied


# --- The network's meetings and the year's plan ---------------------------------------------------------------------


def network_meetings(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    year = year_param(request, timezone.localdate().year)
    can_see_participation = request.user.has_perm("meetings.view_participation", network)
    return render(
        request,
        "meetings/network_meetings.html",
        {
            "network": network,
            "year": year,
            "years": [year - 1, year, year + 1],
            "meetings": selectors.meeting_list(network=network, year=year),
            "plan": selectors.plan_for_network(network=network, year=year),
            "participation": selectors.participation_by_trust(region_id=network.region_id, year=year, network=network)
            if can_see_participation
            else None,
            "can_manage": request.user.has_perm("meetings.manage_meetings", network),
        },
    )


def _suggested_plan(network: Any, year: int, count: int) -> list[dict[str, Any]]:
    """Evenly spread dates (second Tuesday of the month), the time and link the network used last."""
    last = network.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("-starts_at").first()
    start = last.starts_at.astimezone(OSLO).time() if last else datetime.time(12, 0)
    end = last.ends_at.astimezone(OSLO).time() if last else datetime.time(14, 0)
    months = {1: [6], 2: [3, 10], 3: [2, 6, 10], 4: [2, 4, 9, 11], 5: [1, 3, 5, 9, 11], 6: [1, 3, 5, 6, 9, 11]}
    rows = []
    for month in months.get(count, [2, 4, 9, 11]):
        first = datetime.date(year, month, 1)
        first_tuesday = first + datetime.timedelta(days=(1 - first.weekday()) % 7)
        rows.append(
            {
                "date": first_tuesday + datetime.timedelta(days=7),
                "start": start,
                "end": end,
                "form": last.form if last else Meeting.Form.DIGITAL,
                "location": last.location if last else "",
                "video_link": last.video_link if last else "",
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
def plan_year(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = network_get(user=request.user, network_id=network_id)
    _manage(request, network)
    year = year_param(request, timezone.localdate().year + 1)
    plan = selectors.plan_for_network(network=network, year=year)
    minimum = plan.minimum or 4
    formset = PlanFormSet(request.POST or None, initial=_suggested_plan(network, year, max(minimum - plan.counted, 1)))
    error = None
    if request.method == "POST" and formset.is_valid():
        rows = [
            services.PlannedMeeting(
                date=row["date"],
                start=row["start"],
                end=row["end"],
                form=row["form"],
                location=row["location"],
                video_link=row["video_link"],
            )
            for row in formset.cleaned_data
            if row and row.get("date")
        ]
        try:
            created = services.meeting_plan_year(user=request.user, network=network, meetings=rows)
        except ValidationError as exc:
            error = exc.messages
        else:
            messages.success(request, _("%(count)s meetings were added to the plan.") % {"count": len(created)})
            return redirect(f"{reverse('meetings:network_meetings', args=[network.pk])}?year={year}")
    return render(
        request,
        "meetings/plan_year.html",
        {"network": network, "year": year, "formset": formset, "plan": plan, "errors": error},
    )


# --- One meeting ---------------------------------------------------------------------------------------------------


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
        messages.success(request, _("The invitation was sent to %(count)s people.") % {"count": count})
    return redirect(meeting)


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_stem(meeting: Meeting) -> str:
    return f"{slugify(meeting.network.name)}-{meeting.starts_at.astimezone(OSLO):%Y-%m-%d}"


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


# --- Agenda and documents ------------------------------------------------------------------------------------------


@require_POST
def agenda_standard(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    try:
        created = services.agenda_add_standard_items(user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(count)s standard items were added.") % {"count": len(created)})
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


# --- Attendance ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def attendance(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    _manage(request, meeting)
    form = AttendanceForm(request.POST or None, rows=selectors.attendance_rows(meeting=meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(user=request.user, meeting=meeting, statuses=form.statuses())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Attendance was saved."))
            return redirect(meeting)
    return render(request, "meetings/attendance.html", {"meeting": meeting, "form": form})


# --- Minutes -------------------------------------------------------------------------------------------------------


@require_POST
def minutes_start(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    try:
        minutes = services.minutes_start(user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(meeting)
    return redirect(minutes)


@require_http_methods(["GET", "POST"])
def minutes_detail(request: AuthenticatedRequest, meeting_id: int, version: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    can_manage = request.user.has_perm("meetings.manage_meetings", minutes)
    editable = can_manage and not minutes.is_locked
    items = selectors.agenda(meeting=meeting, reader=selectors.case_reader(request.user))
    people = network_participants(network=meeting.network)
    form = MinutesForm(request.POST or None, minutes=minutes) if editable else None
    actions = (
        ActionItemFormSet(request.POST or None, form_kwargs={"items": items, "people": people}, prefix="actions")
        if editable
        else None
    )
    conflict = None
    if request.method == "POST":
        if not editable or form is None or actions is None:
            raise PermissionDenied
        if form.is_valid() and actions.is_valid():
            new_items = [
                services.NewActionItem(
                    agenda_item_id=row["agenda_item"],
                    title=row["title"],
                    owner_id=row["owner"],
                    due_date=row["due_date"],
                )
                for row in actions.cleaned_data
                if row and row.get("title")
            ]
            try:
                services.minutes_save(
                    user=request.user,
                    minutes=minutes,
                    texts=form.texts(),
                    lock_version=form.version,
                    new_action_items=new_items,
                )
            except ConflictError as exc:
                conflict = exc.current
                form = rebind_after_conflict(request, conflict, lambda data: MinutesForm(data, minutes=minutes))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The minutes were saved."))
                return redirect(minutes)
    return render(
        request,
        "meetings/minutes_detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "versions": selectors.minutes_versions(meeting=meeting),
            "form": form,
            "actions": actions,
            "conflict": conflict,
            "can_manage": can_manage,
            "can_comment": minutes.status == Minutes.Status.CIRCULATED
            and request.user.has_perm("meetings.comment_minutes", minutes),
            "can_approve": not minutes.is_locked and request.user.has_perm("meetings.approve_minutes", minutes),
            "circulate_form": CirculateForm() if can_manage and minutes.status == Minutes.Status.DRAFT else None,
            "comment_form": CommentForm(),
        },
    )


@require_POST
def minutes_circulate(request: AuthenticatedRequest, meeting_id: int, version: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    form = CirculateForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_circulate(
                user=request.user, minutes=minutes, comments_due=form.cleaned_data["comments_due"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The minutes were sent to the members for comments."))
    else:
        messages.error(request, _("Give a valid date for comments."))
    return redirect(minutes)


@require_POST
def minutes_comment(request: AuthenticatedRequest, meeting_id: int, version: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_comment(user=request.user, minutes=minutes, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your comment was saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{minutes.get_absolute_url()}#comments")


@require_POST
def minutes_approve(request: AuthenticatedRequest, meeting_id: int, version: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    form = MinutesApproveForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.minutes_approve(user=request.user, minutes=minutes, via=form.cleaned_data["via"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The minutes are approved and locked."))
    return redirect(minutes)


@require_http_methods(["GET", "POST"])
def minutes_correct(request: AuthenticatedRequest, meeting_id: int, version: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    _manage(request, minutes)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.minutes_correct(
                user=request.user, minutes=minutes, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s was started. Version %(old)s stays as it was approved.")
                % {"version": correction.version, "old": minutes.version},
            )
            return redirect(correction)
    return render(request, "meetings/minutes_correct.html", {"meeting": meeting, "minutes": minutes, "form": form})


def minutes_export(request: AuthenticatedRequest, meeting_id: int, version: int, fmt: str) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    stem = f"referat-{_file_stem(meeting)}-v{minutes.version}"
    reader = selectors.case_reader(request.user)
    if fmt == "pdf":
        return _attachment(exports.minutes_pdf(minutes, reader=reader), f"{stem}.pdf", "application/pdf")
    if fmt == "docx":
        return _attachment(
            exports.minutes_docx(minutes, reader=reader),
            f"{stem}.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    raise Http404


# --- Action items, the regional overview, calendar feeds --------------------------------------------------------------


def my_action_items(request: AuthenticatedRequest) -> HttpResponse:
    items = list(selectors.my_action_items(user=request.user)[:300])
    today = timezone.localdate()
    return render(
        request,
        "meetings/my_action_items.html",
        {
            "open_items": [i for i in items if i.status == ActionItem.Status.OPEN],
            "done_items": [i for i in items if i.status == ActionItem.Status.DONE][:50],
            "today": today,
        },
    )


@require_POST
def action_item_toggle(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    item = selectors.action_item_get_for_update(user=request.user, item_id=item_id)
    form = ActionItemDoneForm(request.POST)
    if not form.is_valid():
        raise Http404
    done = form.cleaned_data["done"]
    services.action_item_set_done(user=request.user, item=item, done=done)
    messages.success(request, _("Marked as done.") if done else _("Opened again."))
    next_url = form.cleaned_data["next"]
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("meetings:my_action_items")


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


def region_overview(request: AuthenticatedRequest) -> HttpResponse:
    access = access_for(request.user)
    region_ids = sorted(access.coordinator_regions | access.director_regions)
    if access.is_superuser and not region_ids:
        region_ids = list(Region.objects.values_list("pk", flat=True))
    if not region_ids:
        raise PermissionDenied
    try:
        region_id = int(request.GET.get("region", region_ids[0]))
    except ValueError:
        region_id = region_ids[0]
    if region_id not in region_ids:
        raise Http404
    year = year_param(request, timezone.localdate().year - 1)
    return render(
        request,
        "meetings/region_overview.html",
        {
            "plan": selectors.region_plan(user=request.user, region_id=region_id, year=year),
            "participation": selectors.participation_by_trust(region_id=region_id, year=year),
            "year": year,
            "years": list(range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1)),
            "regions": Region.objects.filter(pk__in=region_ids),
            "region_id": region_id,
        },
    )


def _calendar_feeds_page(
    request: AuthenticatedRequest, *, form: CalendarFeedForm | None = None, new_token: str = "", replaced: bool = False
) -> HttpResponse:
    """The person's addresses, with a new one's full address shown this once (the page is never cached)."""
    return render(
        request,
        "meetings/calendar_feeds.html",
        {
            "feeds": selectors.calendar_feed_list(user=request.user),
            "form": form or CalendarFeedForm(networks=selectors.calendar_feed_networks(user=request.user)),
            "new_url": request.build_absolute_uri(reverse("meetings:calendar_feed", args=[new_token]))
            if new_token
            else "",
            "replaced": replaced,
        },
    )


@require_http_methods(["GET", "POST"])
def calendar_feeds(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return _calendar_feeds_page(request)
    form = CalendarFeedForm(request.POST, networks=selectors.calendar_feed_networks(user=request.user))
    if not form.is_valid():
        return _calendar_feeds_page(request, form=form)
    _feed, token = services.calendar_feed_create(user=request.user, network=form.cleaned_data["network"])
    return _calendar_feeds_page(request, new_token=token)


@require_POST
def calendar_feed_regenerate(request: AuthenticatedRequest, feed_id: int) -> HttpResponse:
    feed = selectors.calendar_feed_get(user=request.user, feed_id=feed_id)
    _feed, token = services.calendar_feed_regenerate(user=request.user, feed=feed)
    return _calendar_feeds_page(request, new_token=token, replaced=True)


@require_POST
def calendar_feed_revoke(request: AuthenticatedRequest, feed_id: int) -> HttpResponse:
    feed = selectors.calendar_feed_get(user=request.user, feed_id=feed_id)
    services.calendar_feed_revoke(user=request.user, feed=feed)
    messages.success(request, _("The address was revoked; calendars using it no longer get updates."))
    return redirect("meetings:calendar_feeds")


@login_not_required  # a calendar program fetches it; the secret address is the key
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The subscribable feed: the secret token is the credential, so no login is asked for."""
    feed = selectors.calendar_feed_by_token(token=token)
    meetings = selectors.feed_meetings(user=feed.user, network=feed.network)
    name = f"Fagnett – {feed.network.name}" if feed.network else f"Fagnett – {feed.user}"
    return HttpResponse(calendar_feed(meetings, name=name), content_type="text/calendar; charset=utf-8")
