"""Thin views for regional funding: parse the form, call one service or selector, render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, one_button_step, rebind_after_conflict
from fagnett.funding import selectors, services
from fagnett.funding.forms import (
    NEW_GROUP,
    ApplicationForm,
    BaseLineFormSet,
    CallForm,
    DecisionForm,
    EndorseForm,
    line_formset_class,
)
from fagnett.funding.models import Application, FundingCall
from fagnett.funding.workflow import APPLICATION_WORKFLOW
from fagnett.networks.selectors import coordinated_regions

LINES_PREFIX = "lines"
#: blank budget lines offered below the filled ones
BLANK_LINES = 3


# --- Calls ---------------------------------------------------------------------------------------------------------


def call_list(request: AuthenticatedRequest) -> HttpResponse:
    calls = list(selectors.call_list(user=request.user))
    user = request.user
    rows = [
        {
            "call": call,
            "can_apply": user.has_perm("funding.apply", call),
            "can_manage": user.has_perm("funding.manage_calls", call),
            "can_see_applications": user.has_perm("funding.view_call_applications", call),
        }
        for call in calls
    ]
    return render(
        request,
        "funding/call_list.html",
        {"rows": rows, "can_create": access_for(user).is_coordinator_anywhere, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def call_create(request: AuthenticatedRequest) -> HttpResponse:
    regions = list(coordinated_regions(user=request.user))
    if not regions:
        raise PermissionDenied
    year = timezone.localdate().year + 1
    form = CallForm(
        request.POST or None,
        regions=regions,
        initial={"year": year, "title": _("Regional funding %(year)s") % {"year": year}},
    )
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data.get("region") or regions[0]
        try:
            call = services.call_create(user=request.user, region=region, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call %(title)s was created.") % {"title": call.title})
            return redirect(call)
    return render(request, "funding/call_form.html", {"form": form, "call": None})


@require_http_methods(["GET", "POST"])
def call_update(request: AuthenticatedRequest, call_id: int) -> HttpResponse:
    call = selectors.call_get(user=request.user, call_id=call_id)
    if not request.user.has_perm("funding.manage_calls", call):
        raise PermissionDenied
    form = CallForm(request.POST or None, instance=call)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_update(user=request.user, call=call, data=form.cleaned_data, lock_version=form.version)
        except ConflictError as error:
            conflict = error.current
            form = rebind_after_conflict(
                request,
                conflict,
                lambda data: CallForm(data, instance=selectors.call_get(user=request.user, call_id=call.pk)),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(call)
    return render(request, "funding/call_form.html", {"form": form, "call": call, "conflict": conflict})


def call_detail(request: AuthenticatedRequest, call_id: int) -> HttpResponse:
    call = selectors.call_get(user=request.user, call_id=call_id)
    user = request.user
    oversees = user.has_perm("funding.view_call_applications", call)
    return render(
        request,
        "funding/call_detail.html",
        {
            "call": call,
            "summary": selectors.call_summary(call=call) if oversees else None,
            "mine": selectors.my_applications_in(user=user, call=call),
            "can_apply": user.has_perm("funding.apply", call),
            "can_manage": user.has_perm("funding.manage_calls", call),
            "deadline_passed": call.deadline_passed(timezone.localdate()),
            "today": timezone.localdate(),
        },
    )


# --- The application form with its budget lines ---------------------------------------------------------------------


def _posted_lines(data: QueryDict) -> list[dict[str, Any]]:
    """The budget lines as posted, without removed and blank ones, to show again with one more blank line."""
    try:
        total = min(int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "0")), services.MAX_LINES)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        row = {name: data.get(f"{LINES_PREFIX}-{i}-{name}", "") for name in ("kind", "description", "amount")}
        if data.get(f"{LINES_PREFIX}-{i}-DELETE") or not any(value.strip() for value in row.values()):
            continue
        rows.append(row)
    return rows


def _line_inputs(formset: BaseLineFormSet) -> list[tuple[int, services.LineInput]]:
    """The lines to save, each with the index of its form, leaving out removed and blank rows."""
    deleted = {id(form) for form in formset.deleted_forms}
    rows = []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if id(form) in deleted or not data or form.is_blank(data):
            continue
        rows.append(
            (index, services.LineInput(kind=data["kind"], description=data["description"], amount=data["amount"]))
        )
    return rows


def _add_line_errors(
    form: ApplicationForm, formset: BaseLineFormSet, error: ValidationError, indexes: list[int]
) -> None:
    """Show a service's errors: a line's on that line's field, the rest on the application form."""
    if not hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return
    rest: dict[str, list[str]] = {}
    for key, messages_ in error.message_dict.items():
        if key.startswith("lines."):
            _, position, name = key.split(".", 2)
            line_form = formset.forms[indexes[int(position)]]
            line_form.add_error(name if name in line_form.fields else None, messages_)
        else:
            rest[key] = messages_
    if rest:
        add_service_errors(form, ValidationError(rest), field_map={"network": "applies_for"})


def _application_initial(application: Application) -> dict[str, Any]:
    return {
        "applies_for": str(application.network_id) if application.network_id else NEW_GROUP,
        "proposed_name": application.proposed_name,
        "proposed_field": application.proposed_field,
        "purpose": application.purpose,
        "activities": application.activities,
        "programme": application.programme,
        "period_start": application.period_start,
        "period_end": application.period_end,
        "lock_version": application.lock_version,
    }


def _application_page(
    request: AuthenticatedRequest,
    *,
    call: FundingCall,
    application: Application | None,
) -> HttpResponse:
    """The form for a new application or a draft, with its budget lines; saved all at once or not at all."""
    networks = selectors.networks_to_apply_for(user=request.user, call=call)
    if application is not None and application.network and application.network not in networks:
        networks = [application.network, *networks]
    editing = application is not None
    conflict = None
    if request.method == "POST" and "add_line" in request.POST:
        # Show the form again with one more blank line; nothing is checked or saved yet.
        posted = _posted_lines(request.POST)
        form = ApplicationForm(initial=request.POST.dict(), networks=networks, editing=editing)
        formset = line_formset_class(extra=1)(initial=posted, prefix=LINES_PREFIX)
    elif request.method == "POST":
        form = ApplicationForm(request.POST, networks=networks, editing=editing)
        formset = line_formset_class(extra=0)(request.POST, prefix=LINES_PREFIX)
        if form.is_valid() and formset.is_valid():
            rows = _line_inputs(formset)
            lines = [line for _, line in rows]
            data = form.cleaned_data
            try:
                if application is None:
                    saved = services.application_create(
                        user=request.user, call=call, data=data, lines=lines, network=form.network
                    )
                else:
                    saved = services.application_update(
                        user=request.user,
                        application=application,
                        data=data,
                        lines=lines,
                        lock_version=form.version,
                        network=form.network,
                    )
            except ConflictError as error:
                conflict = error.current
                form = rebind_after_conflict(
                    request,
                    conflict,
                    lambda data: ApplicationForm(
                        data, initial=_application_initial(conflict), networks=networks, editing=editing
                    ),
                )
            except ValidationError as error:
                _add_line_errors(form, formset, error, [index for index, _ in rows])
            else:
                messages.success(request, _("The application was saved as a draft. Submit it when it is ready."))
                return redirect(saved)
    else:
        if application is None:
            initial: dict[str, Any] = {
                "applies_for": str(networks[0].pk) if networks else NEW_GROUP,
                "period_start": f"{call.year}-01-01",
                "period_end": f"{call.year}-12-31",
            }
            saved_lines: list[dict[str, Any]] = []
        else:
            initial = _application_initial(application)
            saved_lines = [
                {"kind": line.kind, "description": line.description, "amount": line.amount}
                for line in selectors.line_list(application=application)
            ]
        form = ApplicationForm(initial=initial, networks=networks, editing=editing)
        extra = 2 if saved_lines else BLANK_LINES
        formset = line_formset_class(extra=extra)(initial=saved_lines, prefix=LINES_PREFIX)
    line_errors = formset.is_bound and (any(f.errors for f in formset.forms) or bool(formset.non_form_errors()))
    return render(
        request,
        "funding/application_form.html",
        {
            "call": call,
            "application": application,
            "form": form,
            "formset": formset,
            "line_errors": line_errors,
            "conflict": conflict,
            "trust": application.trust if application else request.user.trust,
        },
    )


@require_http_methods(["GET", "POST"])
def application_create(request: AuthenticatedRequest, call_id: int) -> HttpResponse:
    call = selectors.call_get(user=request.user, call_id=call_id)
    if not request.user.has_perm("funding.apply", call):
        raise PermissionDenied
    return _application_page(request, call=call, application=None)


@require_http_methods(["GET", "POST"])
def application_update(request: AuthenticatedRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get(user=request.user, application_id=application_id)
    if not request.user.has_perm("funding.change_application", application):
        raise PermissionDenied
    return _application_page(request, call=application.call, application=application)


# --- One application and the steps on it ----------------------------------------------------------------------------


def application_detail(request: AuthenticatedRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get(user=request.user, application_id=application_id)
    lines = selectors.line_list(application=application)
    user = request.user
    today = timezone.localdate()
    # The workflow's table (funding/workflow.py): a late submission is not offered; the page says why instead.
    steps = APPLICATION_WORKFLOW.available(user, application)
    can = {
        "change": steps["change"],
        "submit": steps["submit"],
        "endorse": steps["endorse"],
        "decide": steps["grant"],
        "see_call": user.has_perm("funding.view_call_applications", application.call),
        "see_budget": application.network is not None and user.has_perm("budget.view_budget", application.network),
    }
    return render(
        request,
        "funding/application_detail.html",
        {
            "application": application,
            "call": application.call,
            "lines": lines,
            "total": sum(line.amount for line in lines),
            "events": selectors.event_list(application=application),
            "can": can,
            "deadline_passed": application.call.deadline_passed(today),
        },
    )


@require_POST
def application_submit(request: AuthenticatedRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get(user=request.user, application_id=application_id)
    if not request.user.has_perm("funding.submit_application", application):
        raise PermissionDenied
    one_button_step(
        request,
        lambda version: services.application_submit(user=request.user, application=application, lock_version=version),
        done=_("The application was submitted. The management of %(trust)s has been asked to endorse it.")
        % {"trust": application.trust.name},
        conflict=_("Someone else changed the application first. Check it and try again."),
    )
    return redirect(application)


def _step(
    request: AuthenticatedRequest,
    application: Application,
    *,
    make_form: Callable[[Any, Application], EndorseForm | DecisionForm],
    run: Callable[[dict[str, Any], int | None], str],
    title: str,
    button: str,
    field_map: dict[str, str],
) -> HttpResponse:
    """One step on its own page: the form, one service call, and the conflict and validation answers."""
    form = make_form(request.POST or None, application)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            done = run(form.cleaned_data, form.version)
        except ConflictError as error:
            # Keep what the person chose; the page shows the application as it is now.
            conflict = application = error.current
            form = rebind_after_conflict(request, conflict, lambda data: make_form(data, application))
        except ValidationError as error:
            add_service_errors(form, error, field_map=field_map)
        else:
            messages.success(request, done)
            return redirect(application)
    lines = selectors.line_list(application=application)
    return render(
        request,
        "funding/application_step.html",
        {
            "application": application,
            "call": application.call,
            "lines": lines,
            "total": sum(line.amount for line in lines),
            "form": form,
            "title": title,
            "button": button,
            "conflict": conflict,
        },
    )


@require_http_methods(["GET", "POST"])
def application_endorse(request: AuthenticatedRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get(user=request.user, application_id=application_id)
    if not request.user.has_perm("funding.endorse_application", application):
        raise PermissionDenied

    def run(data: dict[str, Any], lock: int | None) -> str:
        if data["decision"] == EndorseForm.ENDORSE:
            services.application_endorse(
                user=request.user, application=application, lock_version=lock, note=data["reason"]
            )
            return _("The application was endorsed and sent to the region for a decision.")
        services.application_return(
            user=request.user, application=application, reason=data["reason"], lock_version=lock
        )
        return _("The application was sent back to the applicant.")

    return _step(
        request,
        application,
        make_form=lambda data, current: EndorseForm(data, initial={"lock_version": current.lock_version}),
        run=run,
        title=_("Endorse or send back"),
        button=_("Record the answer"),
        field_map={"text": "reason", "returned_reason": "reason"},
    )


@require_http_methods(["GET", "POST"])
def application_decide(request: AuthenticatedRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get(user=request.user, application_id=application_id)
    if not request.user.has_perm("funding.decide_application", application):
        raise PermissionDenied
    applied = services.applied_total(application)

    def make_form(data: Any, current: Application) -> DecisionForm:
        return DecisionForm(
            data,
            initial={"lock_version": current.lock_version},
            application=current,
            applied=applied,
            networks=selectors.networks_in_region(call=current.call),
        )

    def run(data: dict[str, Any], lock: int | None) -> str:
        if data["decision"] == DecisionForm.GRANT:
            granted = services.application_grant(
                user=request.user,
                application=application,
                amount=data["amount_granted"],
                decision_reference=data["decision_reference"],
                reason=data["reason"],
                network=data.get("network"),
                lock_version=lock,
            )
            assert granted.network is not None
            return _("The application was granted. The grant is recorded in the budget of %(network)s.") % {
                "network": granted.network.name
            }
        services.application_decline(
            user=request.user,
            application=application,
            reason=data["reason"],
            decision_reference=data["decision_reference"],
            lock_version=lock,
        )
        return _("The application was declined.")

    return _step(
        request,
        application,
        make_form=make_form,
        run=run,
        title=_("Decide on the application"),
        button=_("Record the decision"),
        field_map={"decision_reason": "reason", "amount": "amount_granted", "name": "network", "field": "network"},
    )


def my_applications(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "funding/my_applications.html",
        {
            "applications": selectors.my_applications(user=request.user),
            "awaiting": selectors.awaiting_endorsement(user=request.user)
            if access_for(request.user).is_fagsjef_anywhere
            else None,
        },
    )
