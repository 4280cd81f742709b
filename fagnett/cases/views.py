import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.cases import panels, selectors, services
from fagnett.cases.export import case_docx, common_case_docx
from fagnett.cases.forms import (
    AttachmentForm,
    CaseFilterForm,
    CaseSubmitForm,
    CaseTopicsForm,
    CommentForm,
    CommonCaseForm,
    ConsultationForm,
    DecisionForm,
    LockedForm,
    NoteForm,
    RecommendForm,
    RespondForm,
    ResponsibleForm,
    RouteForm,
)
from fagnett.cases.models import Case, Consultation
from fagnett.cases.workflow import CASE_WORKFLOW
from fagnett.core.exceptions import ConflictError
from fagnett.core.storage import stored_file_response
from fagnett.core.views_helpers import (
    add_service_errors,
    one_button_step,
    paginate,
    rebind_after_conflict,
    render_page_or_part,
)
from fagnett.meetings import services as meeting_services
from fagnett.meetings.forms import CaseActionItemForm
from fagnett.meetings.selectors import meeting_get
from fagnett.networks.models import Network
from fagnett.networks.selectors import coordinated_regions, network_participants
from fagnett.organisations.models import Region
from fagnett.topics.services import set_topics


def _list_page(
    request: AuthenticatedRequest,
    *,
    base: selectors.CaseFilters,
    heading: str,
    network: Network | None = None,
    kind: str = "all",
) -> HttpResponse:
    user = request.user
    networks = selectors.submittable_networks(user=user)
    form = CaseFilterForm(
        request.GET or None,
        networks=networks,
        trusts=selectors.trust_choices(user=user),
        years=selectors.case_years(user=user),
    )
    filters = base
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            q=data["q"],
            network=network.pk if network else (data["network"].pk if data["network"] else None),
            status=data["status"],
            trust=data["trust"].pk if data["trust"] else None,
            year=data["year"],
            overdue=data["overdue"],
            mine=base.mine,
            unrouted=base.unrouted,
        )
    if network is not None:
        del form.fields["network"]
    page = paginate(request, selectors.case_list(user=user, filters=filters))
    access = access_for(user)
    return render_page_or_part(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "heading": heading,
            "network": network,
            "kind": kind,
            "today": timezone.localdate(),
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


@require_http_methods(["GET", "POST"])
def case_submit(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    initial = {"trust": user.trust_id, "network": request.GET.get("network")}
    form = CaseSubmitForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        networks=selectors.submittable_networks(user=user),
        trusts=selectors.trust_choices(user=user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        network = data["network"]
        region = None if network else selectors.home_region(user=user)
        try:
            case = services.case_submit(
                user=user,
                data=data,
                network=network,
                region=region,
                trust=data["trust"],
                files=data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if case.reference:
                messages.success(
                    request,
                    _("Thank you. Your case has number %(reference)s in %(network)s. You can follow it here.")
                    % {"reference": case.reference, "network": case.network},
                )
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. The regional coordinator will send your case to the right network, "
                        "and it gets its case number then. You can follow it here."
                    ),
                )
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form})


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


def _step(
    request: AuthenticatedRequest,
    case_id: int,
    *,
    perm: str,
    form_class: Callable[..., LockedForm],
    run: Callable[[Case, dict[str, Any], int | None], Any],
    title: str,
    button: str,
    done: str,
    form_kwargs: Callable[[Case], dict[str, Any]] | None = None,
    context: Callable[[Case], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One workflow step on its own page: a form, one service call, and the conflict/validation answers."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm(perm, case):
        raise PermissionDenied
    extra = form_kwargs(case) if form_kwargs else {}
    form = form_class(request.POST or None, initial={"lock_version": case.lock_version}, **extra)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            run(case, form.cleaned_data, form.version)
        except ConflictError as error:
            conflict = error.current
            case = conflict
            form = rebind_after_conflict(request, conflict, lambda data: form_class(data, **extra))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("cases:detail", case.pk)
    return render(
        request,
        "cases/case_step.html",
        {
            "case": case,
            "form": form,
            "title": title,
            "button": button,
            "conflict": conflict,
            **(context(case) if context else {}),
        },
    )


@require_http_methods(["GET", "POST"])
def case_route(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    def run(case: Case, data: dict[str, Any], lock: int | None) -> Any:
        return services.case_route(user=request.user, case=case, network=data["network"], lock_version=lock)

    return _step(
        request,
        case_id,
        perm="cases.route_case",
        form_class=RouteForm,
        form_kwargs=lambda case: {"networks": selectors.region_networks(regions=_one_region(case))},
        run=run,
        title=_("Route the case"),
        button=_("Send to the network"),
        done=_("The case was sent to the network and has got its case number."),
    )


def _one_region(case: Case) -> Any:
    return Region.objects.filter(pk=case.region_id)


@require_http_methods(["GET", "POST"])
def case_respond(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    def run(case: Case, data: dict[str, Any], lock: int | None) -> Any:
        if data["decision"] == RespondForm.ACCEPT:
            return services.case_accept(user=request.user, case=case, note=data["reason"], lock_version=lock)
        return services.case_decline(user=request.user, case=case, reason=data["reason"], lock_version=lock)

    return _step(
        request,
        case_id,
        perm="cases.respond_case",
        form_class=RespondForm,
        run=run,
        title=_("Accept or decline the case"),
        button=_("Record the answer"),
        done=_("The answer was recorded. The submitter can see it."),
    )


@require_POST
def case_start(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("cases.work_case", case):
        raise PermissionDenied
    one_button_step(
        request,
        lambda version: services.case_start(user=request.user, case=case, lock_version=version),
        done=_("The work on the case has started."),
        conflict=_("Someone else changed the case first. Check it and try again."),
    )
    return redirect(case)


@require_POST
def case_responsible(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("cases.work_case", case):
        raise PermissionDenied
    people = network_participants(network=case.network) if case.network else []
    form = ResponsibleForm(request.POST, people=people)
    if form.is_valid():
        person = next(p for p in people if p.pk == form.cleaned_data["responsible"])
        try:
            services.case_set_responsible(user=request.user, case=case, person=person, lock_version=form.version)
        except ConflictError:
            messages.error(request, _("Someone else changed the case first. Check it and try again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(person)s is responsible for the case.") % {"person": person})
    else:
        messages.error(request, _("Choose a person appointed in the network."))
    return redirect(case)


@require_http_methods(["GET", "POST"])
def case_recommend(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    def run(case: Case, data: dict[str, Any], lock: int | None) -> Any:
        if data["consensus"]:
            return services.case_recommend(
                user=request.user, case=case, recommendation=data["recommendation"], lock_version=lock
            )
        return services.case_escalate(
            user=request.user,
            case=case,
            recommendation=data["recommendation"],
            other_view=data["other_view"],
            escalate_to=data["escalate_to"],
            lock_version=lock,
        )

    return _step(
        request,
        case_id,
        perm="cases.recommend_case",
        form_class=RecommendForm,
        run=run,
        title=_("Give the network's recommendation"),
        button=_("Record the recommendation"),
        done=_("The recommendation was recorded."),
        context=lambda case: {
            "consultation_blocking": [
                row.label for row in selectors.case_consultations(case=case) if row.blocks_recommendation
            ]
        },
    )


@require_http_methods(["GET", "POST"])
def case_decide(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    def run(case: Case, data: dict[str, Any], lock: int | None) -> Any:
        return services.case_record_decision(user=request.user, case=case, decision=data["decision"], lock_version=lock)

    return _step(
        request,
        case_id,
        perm="cases.record_decision",
        form_class=DecisionForm,
        run=run,
        title=_("Record the decision"),
        button=_("Record the decision"),
        done=_("The decision was recorded. The network and the submitter can see it."),
    )


@require_http_methods(["GET", "POST"])
def case_close(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    def run(case: Case, data: dict[str, Any], lock: int | None) -> Any:
        return services.case_close(user=request.user, case=case, note=data["note"], lock_version=lock)

    return _step(
        request,
        case_id,
        perm="cases.close_case",
        form_class=NoteForm,
        run=run,
        title=_("Close the case"),
        button=_("Close the case"),
        done=_("The case was closed."),
    )


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


def case_export(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    """The case record as a Word document, consultations and timeline included."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    content = case_docx(
        case=case,
        consultations=selectors.case_consultations(case=case),
        events=selectors.case_events(case=case),
    )
    name = f"sak-{case.year}-{case.number:03d}" if case.number else f"sak-{case.pk}"
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{name}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@require_POST
def case_attach(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("cases.attach_case", case):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            for upload in form.cleaned_data["attachments"]:
                services.case_attach(user=request.user, case=case, upload=upload)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The attachment was added."))
            return redirect(case)
    return _detail(request, case, attachment_form=form, status=400)


def attachment_download(request: AuthenticatedRequest, attachment_id: int) -> HttpResponseBase:
    attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    response = stored_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def common_case_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "cases/common_case_list.html",
        {
            "common_cases": selectors.common_case_list(user=request.user),
            "can_send": access_for(request.user).is_coordinator_anywhere,
        },
    )


@require_http_methods(["GET", "POST"])
def common_case_create(request: AuthenticatedRequest) -> HttpResponse:
    regions = coordinated_regions(user=request.user)
    if not regions.exists():
        raise PermissionDenied
    form = CommonCaseForm(request.POST or None, regions=regions, networks=selectors.region_networks(regions=regions))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            common = services.common_case_send(
                user=request.user,
                region=data["region"],
                networks=None if data["all_networks"] else list(data["networks"]),
                data=data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The common case was sent to the networks."))
            return redirect(common)
    return render(request, "cases/common_case_form.html", {"form": form})


def common_case_detail(request: AuthenticatedRequest, common_case_id: int) -> HttpResponse:
    common = selectors.common_case_get(user=request.user, common_case_id=common_case_id)
    return render(
        request,
        "cases/common_case_detail.html",
        {
            "common": common,
            "matrix": selectors.common_case_matrix(user=request.user, common_case=common),
            "today": timezone.localdate(),
        },
    )


def common_case_export(request: AuthenticatedRequest, common_case_id: int) -> HttpResponseBase:
    common = selectors.common_case_get(user=request.user, common_case_id=common_case_id)
    matrix = selectors.common_case_matrix(user=request.user, common_case=common)
    content = common_case_docx(
        common=common,
        matrix=matrix,
        consultations=selectors.consultations_by_case(case_ids=[row.case.pk for row in matrix.rows]),
    )
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"felles-sak-{common.pk}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


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


# --- Cases on the network's meetings (cases sits above meetings: it asks meetings' services) -----------------------


@require_POST
def agenda_cases(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get(user=request.user, meeting_id=meeting_id)
    try:
        created = services.agenda_add_open_cases(user=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            messages.success(request, _("%(count)s open cases were put on the agenda.") % {"count": len(created)})
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
