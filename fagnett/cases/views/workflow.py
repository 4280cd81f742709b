"""The case's steps: submit, route, respond, start, responsible, recommend, decide, close."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.cases import selectors, services
from fagnett.cases.forms import (
    CaseSubmitForm,
    DecisionForm,
    LockedForm,
    NoteForm,
    RecommendForm,
    RespondForm,
    ResponsibleForm,
    RouteForm,
)
from fagnett.cases.models import Case
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, one_button_step, rebind_after_conflict
from fagnett.networks.selectors import network_participants
from fagnett.organisations.models import Region


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
        return services.case_route(
            user=request.user, case=case, network=data["network"], note=data["note"], lock_version=lock
        )

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
