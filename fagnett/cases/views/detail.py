"""A case's page, and what is added on it: comments, consultations, topics."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.cases import panels, selectors, services
from fagnett.cases.forms import (
    AttachmentForm,
    CaseTopicsForm,
    CommentForm,
    ConsultationForm,
    LockedForm,
    ResponsibleForm,
)
from fagnett.cases.models import Case, Consultation
from fagnett.cases.workflow import CASE_WORKFLOW
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict
from fagnett.meetings.forms import CaseActionItemForm
from fagnett.networks.selectors import network_participants
from fagnett.topics.services import set_topics


def case_detail(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, case_id=case_id)
    return _detail(request, case)


def _detail(
    request: AuthenticatedRequest,
    case: Case,
    *,
    comment_form: CommentForm | None = None,
    attachment_form: AttachmentForm | None = None,
    consultation_form: ConsultationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    perms = {name: user.has_perm(f"cases.{name}", case) for name in ("comment_case", "attach_case")}
    # The workflow's table says which steps this person may take on the case now (cases/workflow.py).
    actions = CASE_WORKFLOW.available(user, case)
    panel_templates, panel_context = panels.page_panels(request, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "events": selectors.case_events(case=case),
            "attachments": selectors.case_attachments(case=case),
            "overdue": case.is_overdue(timezone.localdate()),
            "actions": actions,
            "can": perms,
            "can_view_network_cases": case.network is not None
            and selectors.sees_network_cases(request.user, case.network),
            "comment_form": comment_form or CommentForm(),
            "attachment_form": attachment_form or AttachmentForm(),
            "start_form": LockedForm(initial={"lock_version": case.lock_version}),
            "can_view_common": case.common_case is not None
            and user.has_perm("cases.view_common_case", case.common_case),
            **_consultations(case, can_record=actions["consult"], bound=consultation_form),
            "topics": list(case.topics.all()),
            "topics_form": CaseTopicsForm(case=case) if user.has_perm("cases.set_topics", case) else None,
            **_follow_up(request, case, can_set_responsible=actions["set_responsible"]),
            "panel_templates": panel_templates,
            **panel_context,
        },
        status=status,
    )


def _consultations(case: Case, *, can_record: bool, bound: ConsultationForm | None) -> dict[str, Any]:
    """The case's consultations, what still stands in the way of a recommendation, and a form per kind when the
    workflow's "consult" step is available (the network's leader and secretary while the case is worked on)."""
    rows = selectors.case_consultations(case=case)
    forms = []
    if can_record:
        for row in rows:
            form = bound if bound is not None and bound.kind == row.kind else None
            forms.append({"row": row, "form": form or ConsultationForm(kind=row.kind, consultation=row.consultation)})
    return {
        "consultations": rows,
        # Before the network takes the case on, or once it has declined it, there is nothing to consult on yet.
        "consultations_shown": case.status not in (Case.Status.RECEIVED, Case.Status.DECLINED)
        or any(row.consultation for row in rows),
        "consultation_blocking": [row.label for row in rows if row.blocks_recommendation],
        "consultation_forms": forms,
    }


def _follow_up(request: AuthenticatedRequest, case: Case, *, can_set_responsible: bool) -> dict[str, Any]:
    """The case's action items and the meetings it was on; the form to add an action item for its managers."""
    can_add = case.network is not None and request.user.has_perm("meetings.manage_meetings", case.network)
    return {
        "responsible_form": ResponsibleForm(
            people=network_participants(network=case.network),
            initial={"responsible": case.responsible_id, "lock_version": case.lock_version},
        )
        if can_set_responsible and case.network
        else None,
        "action_items": list(case.action_items.select_related("owner").order_by("status", "due_date")),
        "agenda_items": list(case.agenda_items.select_related("meeting").order_by("meeting__starts_at")),
        "action_item_form": CaseActionItemForm(people=network_participants(network=case.network))
        if can_add and case.network
        else None,
    }


@require_POST
def case_comment(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("cases.comment_case", case):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.case_comment(user=request.user, case=case, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect(case)
    return _detail(request, case, comment_form=form, status=400)


@require_POST
def case_consult(request: AuthenticatedRequest, case_id: int, kind: str) -> HttpResponse:
    """Record one kind of consultation from its form on the case page."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("cases.consult_case", case):
        raise PermissionDenied
    if kind not in Consultation.Kind.values:
        raise Http404
    if not CASE_WORKFLOW.allows("consult", case):
        # A tab left open while the case moved on: the form is no longer on the page to show an error on.
        messages.error(request, _("The case has moved on: consultations can no longer be recorded on it."))
        return redirect(f"{case.get_absolute_url()}#consultations-heading")
    form = ConsultationForm(request.POST, kind=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consultation_record(
                user=request.user,
                case=case,
                kind=kind,
                required=data["required"],
                not_required_reason=data["not_required_reason"],
                status=data["status"],
                consulted_on=data["consulted_on"],
                consulted=data["consulted"],
                outcome=data["outcome"],
                lock_version=form.version,
            )
        except ConflictError as error:
            messages.error(
                request,
                _(
                    "Someone else recorded this consultation first. Nothing you wrote was saved: compare it "
                    "with what is saved now, then save again."
                ),
            )
            saved = error.current
            form = rebind_after_conflict(
                request, saved, lambda data: ConsultationForm(data, kind=kind, consultation=saved)
            )
            return _detail(request, case, consultation_form=form, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(consultation)s was recorded.") % {"consultation": Consultation.Kind(kind).label},
            )
            return redirect(case)
    return _detail(request, case, consultation_form=form, status=400)


@require_POST
def case_topics(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Put topics from the region's list on the case (the network's leader or secretary, or the coordinator)."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("cases.set_topics", case):
        raise PermissionDenied
    form = CaseTopicsForm(request.POST, case=case)
    if form.is_valid():
        try:
            set_topics(relation=case.topics, region_id=case.region_id, topics=form.cleaned_data["topics"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The topics were saved."))
    else:
        messages.error(request, _("Choose topics from the region's list."))
    return redirect(f"{case.get_absolute_url()}#topics-heading")
