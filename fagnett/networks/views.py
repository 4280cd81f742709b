"""Thin views: parse the form, call one service or selector, render a page or a partial."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.accounts.models import User
from fagnett.core import rows as prepared
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, paginate, rebind_after_conflict, render_page_or_part
from fagnett.networks import pages, selectors, services
from fagnett.networks.forms import (
    DecisionForm,
    EndAppointmentForm,
    MandateForm,
    NetworkFilterForm,
    NetworkForm,
    NominationFilterForm,
    NominationForm,
)
from fagnett.networks.models import Appointment, Mandate, Network
from fagnett.organisations.models import Region


def network_list(request: AuthenticatedRequest) -> HttpResponse:
    when = selectors.region_year()
    choices = selectors.network_filter_choices(user=request.user)
    form = NetworkFilterForm(
        request.GET or None, regions=choices.regions, fields=choices.fields, report_year=when.report_year
    )
    filters = selectors.NetworkFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.NetworkFilters(
            region=data["region"],
            status=data["status"],
            field=data["field"],
            q=data["q"].strip(),
            kind=data["kind"],
            concern=data["concern"],
        )
    # The fields' HTML depends on the language, the choices (the person's regions and fields, the reporting year in a
    # concern's label) and what was asked for each field: kept under those. htmx asks for the results only.
    fields_html = None
    if not getattr(request, "htmx", False):
        asked = tuple((name, tuple(request.GET.getlist(name))) for name in form.fields) if form.is_bound else None
        shown = (tuple(choices.regions), tuple(choices.fields), when.report_year)
        fields_html = prepared.form_fields_html(("networks:filter", asked, *shown), form)
    # The annual report's statuses: its app is a layer above this one, so its model is looked up by name.
    report = apps.get_model("reports.NetworkReport")
    listed = selectors.network_list_page(
        user=request.user,
        filters=filters,
        when=when,
        number=request.GET.get("page"),
        report_statuses=(prepared.labels(report._meta.get_field("status").flatchoices), report.STATUS_COLORS),
    )
    return render_page_or_part(
        request,
        "networks/network_list.html",
        {
            "form": form,
            "fields_html": fields_html,
            "page": listed.page,
            "rows": pages.network_rows(listed.page.object_list),
            "count": network_count_text(listed.counts),
            "year": when.year,
            "report_year": when.report_year,
            "can_add": access_for(request.user).is_coordinator_anywhere,
        },
        part="results",
    )


def network_count_text(counts: selectors.NetworkCounts) -> str:
    """ "33 networks, 4 sub-groups": top-level networks, forums and sub-groups counted apart (a part that is none is
    left out, but the networks are always named)."""
    parts = [ngettext("%(n)s network", "%(n)s networks", counts.networks) % {"n": counts.networks}]
    if counts.forums:
        parts.append(ngettext("%(n)s forum", "%(n)s forums", counts.forums) % {"n": counts.forums})
    if counts.subgroups:
        parts.append(ngettext("%(n)s sub-group", "%(n)s sub-groups", counts.subgroups) % {"n": counts.subgroups})
    return ", ".join(parts)


def network_detail(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = selectors.network_get(user=request.user, network_id=network_id)
    mandate = selectors.mandate_current_body(network_id=network.pk)
    today = timezone.localdate()
    can_view_nominations = request.user.has_perm("networks.view_nominations", network)
    can_change = request.user.has_perm("networks.change_network", network)
    access = access_for(request.user)
    can_open_nominations = access.is_coordinator(network.region_id) or access.is_director(network.region_id)
    people = selectors.network_people(network=network)
    nominations = people.nominations if can_view_nominations else []
    return render(
        request,
        "networks/network_detail.html",
        {
            "network": network,
            "mandate": mandate,
            "mandate_expiring": mandate is not None
            and mandate.expires_within(today, settings.MANDATE_EXPIRY_WARNING_MONTHS),
            "mandate_expired": mandate is not None and mandate.has_expired(today),
            "subgroup_items": pages.subgroup_items(selectors.network_subgroups(network_id=network.pk)),
            "members": people.members,
            "member_rows": pages.member_rows(people.members, with_history=can_open_nominations, with_end=can_change),
            "matrix": people.matrix,
            "matrix_rows": pages.matrix_rows(people.matrix),
            "can_view_nominations": can_view_nominations,
            "nominations": nominations,
            "nomination_items": pages.nomination_items(nominations, with_link=can_open_nominations),
            "can_change": can_change,
            "can_view_budget": request.user.has_perm("budget.view_budget", network),
            "can_view_reports": request.user.has_perm("reports.view_network_report", network),
            "can_archive": request.user.has_perm("archive.export", network),
            # The same people as cases.selectors.network_for_cases and networks.view_appointment.
            "can_view_cases": _sees_network_cases(request.user, network),
            # The action items of every meeting (meetings' follow-up register, asked by the permission's name).
            "can_view_followup": request.user.has_perm("meetings.view_action_items", network),
            "can_open_nominations": can_open_nominations,
            "can_nominate": request.user.has_perm("networks.nominate", network),
        },
    )


def _sees_network_cases(user: User, network: Network) -> bool:
    access = access_for(user)
    return (
        bool(access.roles_in(network.pk))
        or access.is_coordinator(network.region_id)
        or access.is_director(network.region_id)
    )


@require_http_methods(["GET", "POST"])
def network_create(request: AuthenticatedRequest) -> HttpResponse:
    access = access_for(request.user)
    regions = Region.objects.all() if access.is_superuser else Region.objects.filter(pk__in=access.coordinator_regions)
    if not regions.exists():
        raise PermissionDenied
    form = NetworkForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        network = services.network_create(user=request.user, region=data.pop("region"), data=data)
        messages.success(request, _("The network %(name)s was created. Give it a mandate next.") % {"name": network})
        return redirect(network)
    return render(request, "networks/network_form.html", {"form": form, "network": None})


@require_http_methods(["GET", "POST"])
def network_update(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = selectors.network_get(user=request.user, network_id=network_id)
    if not request.user.has_perm("networks.change_network", network):
        raise PermissionDenied
    form = NetworkForm(request.POST or None, instance=network, regions=Region.objects.filter(pk=network.region_id))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_update(
                user=request.user, network=network, data=form.cleaned_data, lock_version=form.version
            )
        except ConflictError as error:
            conflict = error.current
            # Bind to a copy: validating writes the submitted values onto the form's instance, and the page
            # must show what is saved now beside them.
            form = rebind_after_conflict(
                request,
                conflict,
                lambda data: NetworkForm(
                    data,
                    instance=Network.objects.get(pk=conflict.pk),
                    regions=Region.objects.filter(pk=network.region_id),
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(network)
    return render(request, "networks/network_form.html", {"form": form, "network": network, "conflict": conflict})


def mandate_history(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = selectors.network_get(user=request.user, network_id=network_id)
    return render(
        request,
        "networks/mandate_history.html",
        {
            "network": network,
            "mandates": selectors.mandate_list(network=network),
            "can_change": request.user.has_perm("networks.change_mandate", network),
        },
    )


def mandate_detail(request: AuthenticatedRequest, network_id: int, version: int) -> HttpResponse:
    mandate = selectors.mandate_get(user=request.user, network_id=network_id, version=version)
    previous = (
        mandate.network.mandates.filter(version__lt=version).prefetch_related("tasks").order_by("-version").first()
    )
    return render(
        request,
        "networks/mandate_detail.html",
        {
            "network": mandate.network,
            "mandate": mandate,
            "body": selectors.MandateBody.of(mandate),
            "changes": _mandate_changes(previous, mandate),
        },
    )


def _mandate_changes(previous: Mandate | None, mandate: Mandate) -> list[tuple[str, str, str]]:
    """What this version changed compared with the one before, field by field, in words."""
    if previous is None:
        return []
    changes = []
    for name in MandateForm.Meta.fields:
        field = Mandate._meta.get_field(name)
        if name == "tasks":
            old = ", ".join(t.title for t in previous.tasks.all())
            new = ", ".join(t.title for t in mandate.tasks.all())
        else:
            old = _display(previous, name)
            new = _display(mandate, name)
        if old != new and name != "change_reason":
            changes.append((str(getattr(field, "verbose_name", name)), old, new))
    return changes


def _display(mandate: Mandate, name: str) -> str:
    display = getattr(mandate, f"get_{name}_display", None)
    value = display() if display else getattr(mandate, name)
    return "" if value is None else str(value)


def _mandate_initial(mandate: Mandate | None, *, as_saved: bool = False) -> dict[str, Any]:
    """A new version's form starts from ``mandate``'s text (the newest version), without its reason for the change
    and approval date; ``as_saved`` keeps those too, to show on the conflict page what is saved."""
    if mandate is None:
        return {}
    own = () if as_saved else ("change_reason", "approved_on")
    initial: dict[str, Any] = {
        name: getattr(mandate, name) for name in MandateForm.Meta.fields if name != "tasks" and name not in own
    }
    initial["tasks"] = list(mandate.tasks.all())
    return initial


@require_http_methods(["GET", "POST"])
def mandate_create(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = selectors.network_get(user=request.user, network_id=network_id)
    if not request.user.has_perm("networks.change_mandate", network):
        raise PermissionDenied
    current = selectors.mandate_current(network=network)
    base_version = current.version if current else None
    initial = _mandate_initial(current)
    form = MandateForm(request.POST or None, initial=initial, network=network, base_version=base_version)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("tasks", form.version_field)}
        try:
            mandate = services.mandate_create_version(
                user=request.user,
                network=network,
                data=data,
                tasks=list(form.cleaned_data["tasks"]),
                base_version=form.version,
            )
        except ConflictError as error:
            conflict = error.current
            form = rebind_after_conflict(
                request,
                conflict,
                lambda data: MandateForm(
                    data,
                    initial=_mandate_initial(conflict, as_saved=True),
                    network=network,
                    base_version=conflict.version if conflict else None,
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Version %(version)s of the mandate was saved.") % {"version": mandate.version})
            return redirect(mandate)
    return render(
        request,
        "networks/mandate_form.html",
        {"network": network, "form": form, "current": current, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def nominate(request: AuthenticatedRequest, network_id: int) -> HttpResponse:
    network = selectors.network_get(user=request.user, network_id=network_id)
    if not request.user.has_perm("networks.nominate", network):
        raise PermissionDenied
    is_coordinator = access_for(request.user).is_coordinator(network.region_id)
    form = NominationForm(
        request.POST or None,
        people=selectors.nominable_people(user=request.user, network=network),
        allow_rhf=is_coordinator,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.appointment_nominate(
                user=request.user,
                network=network,
                person=data["person"],
                role=data["role"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"nomination_note": "note"})
        else:
            messages.success(
                request,
                _("%(person)s was nominated as %(role)s. The regional coordinator decides on the appointment.")
                % {"person": appointment.person, "role": appointment.get_role_display().lower()},
            )
            return redirect(network)
    return render(request, "networks/nominate.html", {"network": network, "form": form})


def nomination_list(request: AuthenticatedRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_coordinator_anywhere or access.is_fagsjef_anywhere):
        raise PermissionDenied
    networks, trusts = selectors.nomination_filter_choices(user=request.user)
    form = NominationFilterForm(request.GET or None, networks=networks, trusts=trusts)
    filters = selectors.NominationFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.NominationFilters(
            q=data["q"].strip(),
            network=data["network"].pk if data["network"] else None,
            trust=data["trust"].pk if data["trust"] else None,
            status=data["status"],
            role=data["role"],
        )
    page = paginate(request, selectors.nomination_list(user=request.user, filters=filters))
    return render_page_or_part(request, "networks/nomination_list.html", {"form": form, "page": page}, part="results")


@require_http_methods(["GET", "POST"])
def nomination_decide(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, appointment_id=appointment_id)
    can_decide = request.user.has_perm("networks.decide_appointment", appointment)
    form = DecisionForm(
        request.POST or None, initial={"start_date": appointment.start_date, "end_date": appointment.end_date}
    )
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if appointment.status == Appointment.Status.NOMINATED and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == DecisionForm.APPOINT:
                    services.appointment_appoint(
                        user=request.user,
                        appointment=appointment,
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                        reason=data["reason"],
                    )
                    messages.success(request, _("%(person)s is appointed.") % {"person": appointment.person})
                else:
                    services.appointment_decline(user=request.user, appointment=appointment, reason=data["reason"])
                    messages.success(request, _("The nomination was declined."))
            except ValidationError as error:
                add_service_errors(form, error, {"decision_reason": "reason"})
            else:
                return redirect("networks:nominations")
    return render(
        request,
        "networks/nomination_decide.html",
        {"appointment": appointment, "form": form, "can_decide": can_decide},
    )


@require_http_methods(["GET", "POST"])
def appointment_end(request: AuthenticatedRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, appointment_id=appointment_id)
    if not request.user.has_perm("networks.end_appointment", appointment):
        raise PermissionDenied
    form = EndAppointmentForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_end(
                user=request.user,
                appointment=appointment,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"decision_reason": "reason"})
        else:
            messages.success(request, _("The appointment of %(person)s has ended.") % {"person": appointment.person})
            return redirect(appointment.network)
    return render(request, "networks/appointment_end.html", {"appointment": appointment, "form": form})
