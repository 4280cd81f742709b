"""Thin views for events across networks: parse the form, call one service or selector, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.core.exceptions import ConflictError
from fagnett.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, TooManyRows
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict
from fagnett.events import exports, selectors, services
from fagnett.events.calendar import event_invitation
from fagnett.events.forms import CancelForm, EventForm, RegistrationForm
from fagnett.events.models import Event
from fagnett.networks.selectors import coordinated_regions, region_list
from fagnett.organisations.models import Region


def _chosen_region(request: AuthenticatedRequest, regions: list[Region], default: Region | None = None) -> Region:
    """The region named by ``?region=``, which must be one of ``regions``; 404 for any other."""
    if not regions:
        raise PermissionDenied
    raw = request.GET.get("region", "")
    if not raw:
        return default or regions[0]
    try:
        region_id = int(raw)
    except ValueError:
        raise Http404 from None
    for region in regions:
        if region.pk == region_id:
            return region
    raise Http404


def _manage(request: AuthenticatedRequest, event: Event) -> None:
    if not request.user.has_perm("events.manage_events", event):
        raise PermissionDenied


def _service_data(form: EventForm) -> tuple[dict[str, Any], list[Any]]:
    data = {name: form.cleaned_data[name] for name in services.EVENT_FIELDS}
    return data, list(form.cleaned_data["networks"])


# --- Events ----------------------------------------------------------------------------------------------------------


def event_list(request: AuthenticatedRequest) -> HttpResponse:
    regions = list(region_list(user=request.user).order_by("name"))
    coordinated = [r for r in regions if access_for(request.user).is_coordinator(r.pk)]
    region = _chosen_region(request, regions, default=coordinated[0] if coordinated else None)
    return render(
        request,
        "events/event_list.html",
        {
            "region": region,
            "regions": regions,
            "events": selectors.event_list(user=request.user, region_id=region.pk),
            "can_manage": request.user.has_perm("events.manage_events", region),
        },
    )


@require_http_methods(["GET", "POST"])
def event_create(request: AuthenticatedRequest) -> HttpResponse:
    region = _chosen_region(request, list(coordinated_regions(user=request.user)))
    form = EventForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        data, networks = _service_data(form)
        try:
            event = services.event_create(user=request.user, region=region, data=data, networks=networks)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(title)s was created. Send the invitations when it is ready.") % {"title": event.title}
            )
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "region": region, "event": None})


def event_detail(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    invitation = selectors.invitation_for(user=request.user, event=event)
    registration = selectors.registration_for(user=request.user, event=event)
    if registration is not None and not registration.is_active:
        registration = None  # a cancelled registration is as none: the person may register again
    can_manage = request.user.has_perm("events.manage_events", event)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "networks": selectors.event_networks(event=event),
            "counts": selectors.registration_counts(event=event),
            "invitation": invitation,
            "registration": registration,
            "waiting_position": selectors.waiting_position(registration=registration) if registration else None,
            "refusal": selectors.registration_refusal(
                event=event, invitation=invitation, cancelling=registration is not None
            ),
            "invited_count": len(selectors.invitees(event=event)) if can_manage else None,
            "can_manage": can_manage,
            "can_see_registrations": request.user.has_perm("events.view_registrations", event),
        },
    )


@require_http_methods(["GET", "POST"])
def event_update(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    _manage(request, event)
    form = EventForm(request.POST or None, instance=event, region=event.region)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data, networks = _service_data(form)
        try:
            event = services.event_update(
                user=request.user,
                event=event,
                data=data,
                networks=networks,
                lock_version=form.version,
            )
        except ConflictError as error:
            conflict = error.current
            fresh = selectors.event_get(user=request.user, event_id=event_id)
            form = rebind_after_conflict(
                request, conflict, lambda data: EventForm(data, instance=fresh, region=fresh.region)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if event.changed_since_invitation:
                messages.warning(
                    request,
                    _("The changes were saved. Send the invitations again so everyone's calendar is updated."),
                )
            else:
                messages.success(request, _("The changes were saved."))
            return redirect(event)
    return render(
        request,
        "events/event_form.html",
        {"form": form, "region": event.region, "event": event, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def event_cancel(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    _manage(request, event)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(user=request.user, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event was cancelled."))
            return redirect(event)
    return render(request, "events/event_cancel.html", {"event": event, "form": form})


@require_POST
def event_invite(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    _manage(request, event)
    try:
        count = services.event_send_invitations(user=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "The invitation was sent to %(count)s person.", "The invitation was sent to %(count)s people.", count
            )
            % {"count": count},
        )
    return redirect(event)


def event_ics(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    """The event for one's own calendar, with the same UID as the invitation, so later updates replace it."""
    event = selectors.event_get(user=request.user, event_id=event_id)
    # A copy for one's own calendar, not an invitation: PUBLISH (a cancelled event says so in its STATUS).
    response = HttpResponse(
        event_invitation(event, attendee=None, method="PUBLISH"),
        content_type="text/calendar; method=PUBLISH; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(event)}.ics"'
    return response


# --- Registration ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def event_register(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    invitation = selectors.invitation_for(user=request.user, event=event)
    registration = selectors.registration_for(user=request.user, event=event)
    active = registration if registration is not None and registration.is_active else None
    initial = {"network": active.network_id, "comment": active.comment} if active else {}
    if not initial and invitation:
        initial = {"network": invitation[0].network_id}
    form = RegistrationForm(request.POST or None, invitation=invitation, initial=initial)
    refusal = selectors.registration_refusal(event=event, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_register(
                user=request.user,
                event=event,
                network=form.cleaned_data.get("network"),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if active is not None:
                messages.success(request, _("Your registration was updated."))
            elif registration.status == registration.Status.WAITING:
                position = selectors.waiting_position(registration=registration)
                messages.warning(
                    request,
                    _(
                        "The event is full, so you are on the waiting list as number %(position)s. You get an e-mail "
                        "if a place becomes free."
                    )
                    % {"position": position},
                )
            else:
                messages.success(request, _("You are registered for %(title)s.") % {"title": event.title})
            return redirect(event)
    return render(
        request,
        "events/register.html",
        {"event": event, "form": form, "refusal": refusal, "registration": active},
    )


@require_POST
def event_unregister(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    registration = selectors.registration_for(user=request.user, event=event)
    if registration is None:
        raise Http404
    try:
        services.registration_cancel(user=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration was cancelled."))
    return redirect(event)


@require_POST
def registration_cancel(request: AuthenticatedRequest, registration_id: int) -> HttpResponse:
    """The coordinator cancels someone's registration, for example after the deadline."""
    registration = selectors.registration_get(user=request.user, registration_id=registration_id)
    if not request.user.has_perm("events.manage_events", registration.event):
        raise PermissionDenied
    try:
        services.registration_cancel(user=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The registration of %(name)s was cancelled.") % {"name": registration.person})
    return redirect("events:registrations", registration.event_id)


def event_registrations(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    if not request.user.has_perm("events.view_registrations", event):
        raise PermissionDenied
    registrations = selectors.registration_list(event=event)
    rows = selectors.invitations(event=event)
    return render(
        request,
        "events/registrations.html",
        {
            "event": event,
            "registrations": registrations,
            "summary": selectors.registration_summary(event=event, registrations=registrations, rows=rows),
            "can_manage": request.user.has_perm("events.manage_events", event),
            "can_cancel": not event.is_cancelled and event.starts_at > timezone.now(),
        },
    )


def _file_stem(event: Event) -> str:
    return f"{slugify(event.title)[:60]}-{timezone.localtime(event.starts_at):%Y-%m-%d}"


def event_registrations_export(request: AuthenticatedRequest, event_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    event = selectors.event_get(user=request.user, event_id=event_id)
    if not request.user.has_perm("events.view_registrations", event):
        raise PermissionDenied
    registrations = selectors.registration_list(event=event)
    stem = f"{_('registrations')}-{_file_stem(event)}"
    try:
        if fmt == "csv":
            response = HttpResponse(exports.registrations_csv(registrations), content_type=CSV_CONTENT_TYPE)
        else:
            response = HttpResponse(exports.registrations_xlsx(event, registrations), content_type=XLSX_CONTENT_TYPE)
    except TooManyRows as refused:
        messages.error(request, refused.message)
        return redirect("events:registrations", event.pk)
    response["Content-Disposition"] = f'attachment; filename="{slugify(stem)}.{fmt}"'
    return response
