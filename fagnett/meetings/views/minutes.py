"""Minutes: the page, circulation, comments, approval, corrections and the exported files."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core import kept
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict
from fagnett.meetings import approved_files, exports, selectors, services
from fagnett.meetings.forms import (
    ActionItemFormSet,
    CirculateForm,
    CommentForm,
    CorrectionForm,
    MinutesApproveForm,
    MinutesForm,
)
from fagnett.meetings.models import Meeting, Minutes
from fagnett.meetings.views.common import _attachment, _file_stem, _manage
from fagnett.meetings.workflow import MINUTES_WORKFLOW
from fagnett.networks.selectors import network_participants


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
    # The workflow's table (meetings/workflow.py) says which steps the page offers, as the services refuse by it.
    steps = MINUTES_WORKFLOW.available(request.user, minutes)
    editable = steps["save"]
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
                    decisions=form.decisions(),
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
    return _minutes_page(request, meeting, minutes, steps, form=form, actions=actions, conflict=conflict)


def _minutes_page(
    request: AuthenticatedRequest,
    meeting: Meeting,
    minutes: Minutes,
    steps: dict[str, bool],
    *,
    form: Any = None,
    actions: Any = None,
    conflict: Any = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    items = list(minutes.items.all())  # marked for the person by selectors.minutes_get
    by_item: dict[int | None, list[Any]] = {}
    for comment in minutes.comments.all():
        by_item.setdefault(comment.item_id, []).append(comment)
    for item in items:
        item.item_comments = by_item.get(item.pk, [])  # type: ignore[attr-defined]
    reader = selectors.case_reader(request.user)
    can_manage = request.user.has_perm("meetings.manage_meetings", minutes)
    no_remarks_given = minutes.no_remarks.filter(person=request.user).exists() if steps["comment"] else False
    return render(
        request,
        "meetings/minutes_detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "items": items,
            "general_comments": by_item.get(None, []),
            "versions": selectors.minutes_versions(meeting=meeting),
            "form": form,
            "actions": actions,
            "conflict": conflict,
            "steps": steps,
            "circulate_form": CirculateForm() if steps["circulate"] else None,
            "comment_form": comment_form or CommentForm(items=[i for i in items if not i.withholds_case]),
            "attendance": selectors.attendance_by_trust(meeting=meeting),
            "action_items": selectors.meeting_action_items(meeting=meeting, reader=reader),
            "feedback": selectors.minutes_feedback(minutes=minutes)
            if can_manage and minutes.status != Minutes.Status.DRAFT
            else None,
            "no_remarks_given": no_remarks_given,
            **kept.kept_context(minutes),
        },
        status=status,
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
    form = CommentForm(request.POST, items=[i for i in minutes.items.all() if not i.withholds_case])
    if form.is_valid():
        try:
            services.minutes_comment(
                user=request.user, minutes=minutes, text=form.cleaned_data["text"], item_id=form.cleaned_data["item"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your comment was saved."))
            return redirect(f"{minutes.get_absolute_url()}#comments")
    # The page again with the comment as written and what is wrong with it; nothing saved.
    steps = MINUTES_WORKFLOW.available(request.user, minutes)
    return _minutes_page(request, meeting, minutes, steps, comment_form=form, status=400)


@require_POST
def minutes_no_remarks(request: AuthenticatedRequest, meeting_id: int, version: int) -> HttpResponse:
    """One click: the member has no remarks on the circulated minutes."""
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    try:
        services.minutes_no_remarks(user=request.user, minutes=minutes)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Recorded: you have no remarks on the minutes."))
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


def minutes_export(request: AuthenticatedRequest, meeting_id: int, version: int, fmt: str) -> HttpResponseBase:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    minutes = selectors.minutes_get(user=request.user, meeting=meeting, version=version)
    stem = f"referat-{_file_stem(meeting)}-v{minutes.version}"
    reader = selectors.case_reader(request.user)
    if minutes.is_locked and fmt in ("pdf", "docx"):
        kept_row = kept.kept_file(minutes, fmt)
        if kept_row is not None and approved_files.reads_as_network(minutes, reader):
            # The bytes kept at approval, checked against their checksum (core.kept).
            return kept.kept_response(request, kept_row)
    if fmt == "pdf":
        return _attachment(exports.minutes_pdf(minutes, reader=reader), f"{stem}.pdf", "application/pdf")
    if fmt == "docx":
        return _attachment(
            exports.minutes_docx(minutes, reader=reader),
            f"{stem}.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    raise Http404
