"""Changes to events and registrations.

Each service is one transaction, checks permission, and leaves an audit trail (django-simple-history).
Invitations and other mail leave only after the transaction has committed. Registrations for one event are
taken one at a time (the event row is locked), so the capacity holds when many register at once.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.accounts.models import User
from fagnett.core.locking import locked_get, locked_update
from fagnett.core.mail import CalendarPart, mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.events import selectors
from fagnett.events.calendar import event_invitation
from fagnett.events.models import Event, Registration
from fagnett.networks.models import Network
from fagnett.organisations.models import Region

EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "video_link",
    "registration_deadline",
    "capacity",
    "audience",
)
# Changing any of these changes what a calendar holds, so the next invitation sent raises SEQUENCE.
SIGNIFICANT_FIELDS = ("title", "starts_at", "ends_at", "place", "video_link")


def _check_networks(region_id: int, networks: Iterable[Network]) -> list[Network]:
    chosen = list(networks)
    if not chosen:
        raise ValidationError({"networks": _("Choose at least one network to invite.")})
    if any(network.region_id != region_id for network in chosen):
        raise ValidationError({"networks": _("Choose networks in the event's region.")})
    return chosen


def _check_not_past(event: Event) -> None:
    """An event is planned for later: it cannot start, nor close its registration, in the past."""
    if event.starts_at and event.starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The event cannot start in the past.")})
    if event.registration_deadline and event.registration_deadline < timezone.localdate():
        raise ValidationError({"registration_deadline": _("The registration deadline cannot be in the past.")})


# --- Events ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def event_create(*, user: User, region: Region, data: dict[str, Any], networks: Iterable[Network]) -> Event:
    """Plan an event for the region's networks; nobody is told until the invitations are sent."""
    require_perm(user, "events.manage_events", region)
    chosen = _check_networks(region.pk, networks)
    event = Event(region=region, created_by=user, **{name: data[name] for name in EVENT_FIELDS if name in data})
    _check_not_past(event)
    event.full_clean()
    event.save()
    event.networks.set(chosen)
    return event


@transaction.atomic
def event_update(
    *, user: User, event: Event, data: dict[str, Any], networks: Iterable[Network], lock_version: int
) -> Event:
    """Save the changes unless someone saved the event meanwhile.

    A change of time, place, link or title after the invitations went out marks the event as changed: the
    coordinator sends the invitations again, with a raised SEQUENCE. More places move the waiting list up.
    """
    require_perm(user, "events.manage_events", event)
    current = locked_get(Event.objects, pk=event.pk, expected_version=lock_version)
    if current.is_cancelled:
        raise ValidationError(_("A cancelled event cannot be changed."))
    if current.is_past:
        raise ValidationError(_("An event that has been held cannot be changed."))
    chosen = _check_networks(current.region_id, networks)
    significant = any(name in data and data[name] != getattr(current, name) for name in SIGNIFICANT_FIELDS)
    old_when = (current.starts_at, current.registration_deadline)
    for name in EVENT_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    if (current.starts_at, current.registration_deadline) != old_when:
        _check_not_past(current)
    registered = current.registrations.filter(status=Registration.Status.REGISTERED).count()
    if current.capacity is not None and current.capacity < registered:
        raise ValidationError(
            {
                "capacity": ngettext(
                    "%(count)s person is already registered: the places cannot be fewer.",
                    "%(count)s people are already registered: the places cannot be fewer.",
                    registered,
                )
                % {"count": registered}
            }
        )
    if significant and current.invitation_sent_at is not None:
        current.changed_since_invitation = True
    locked_update(current)
    current.networks.set(chosen)
    _move_up_from_waiting_list(current)
    return current


@transaction.atomic
def event_send_invitations(*, user: User, event: Event) -> int:
    """E-mail the invitation with its calendar file to everyone invited and everyone registered.

    Sending again reaches people who joined the audience since; after a significant change it is an update with a
    raised SEQUENCE, so calendars replace the entry. Returns how many were sent to.
    """
    require_perm(user, "events.manage_events", event)
    current = locked_get(Event.objects, pk=event.pk)
    if current.is_cancelled:
        raise ValidationError(_("A cancelled event cannot be sent."))
    if current.starts_at <= timezone.now():
        raise ValidationError(_("The event has already started."))
    recipients = _recipients(current)
    if not recipients:
        raise ValidationError(
            _("Nobody is appointed in the chosen roles of the invited networks, so there is nobody to invite.")
        )
    update = current.invitation_sent_at is not None and current.changed_since_invitation
    if update:
        current.sequence += 1
    current.changed_since_invitation = False
    current.invitation_sent_at = timezone.now()
    current.status = Event.Status.INVITED
    locked_update(current, clean=False)
    _send_calendar_mail(
        current,
        recipients=recipients,
        method="REQUEST",
        template="event_updated" if update else "event_invitation",
        sender=user,
    )
    return len(recipients)


@transaction.atomic
def event_cancel(*, user: User, event: Event, reason: str) -> Event:
    """Cancel the event; if invitations went out, everyone gets a cancellation (METHOD:CANCEL) for their calendar."""
    require_perm(user, "events.manage_events", event)
    current = locked_get(Event.objects, pk=event.pk)
    if current.is_cancelled:
        raise ValidationError(_("The event is already cancelled."))
    if current.is_past:
        raise ValidationError(_("An event that has been held cannot be cancelled."))
    current.status = Event.Status.CANCELLED
    current.cancel_reason = reason.strip()
    current.sequence += 1
    locked_update(current)
    if current.invitation_sent_at is not None:
        _send_calendar_mail(
            current, recipients=_recipients(current), method="CANCEL", template="event_cancelled", sender=user
        )
    return current


def _recipients(event: Event) -> list[Any]:
    """Everyone invited, and everyone registered or waiting who is no longer in the audience; with an address."""
    people = {invitee.person.pk: invitee.person for invitee in selectors.invitees(event=event)}
    for registration in event.registrations.filter(status__in=selectors.ACTIVE).select_related("person"):
        people.setdefault(registration.person_id, registration.person)
    return sorted(
        (person for person in people.values() if person.email), key=lambda p: (p.first_name, p.last_name, p.pk)
    )


def _send_calendar_mail(event: Event, *, recipients: list[Any], method: str, template: str, sender: Any) -> None:
    """One mail per person, in their language, with their own .ics (them as the attendee) as an iTIP part."""

    def calendar_for(person: Any) -> CalendarPart:
        return CalendarPart(event_invitation(event, attendee=person, method=method), method)

    mail_on_commit(recipients=recipients, template=template, context={"event": event}, calendar=calendar_for)


# --- Registrations ---------------------------------------------------------------------------------------------------


@transaction.atomic
def registration_register(
    *, user: User, event: Event, network: Network | None = None, comment: str = ""
) -> Registration:
    """Register the person, or put them on the waiting list when the places are taken.

    Someone already registered or waiting keeps their place and may change the network and comment. Refused, with
    the reason, for an event that is cancelled, not yet open, past its deadline, or that the person is not invited to.
    """
    require_perm(user, "events.register", event)
    current = Event.objects.select_for_update().get(pk=event.pk)
    invitation = selectors.invitation_for(user=user, event=current)
    refusal = selectors.registration_refusal(event=current, invitation=invitation)
    if refusal:
        raise ValidationError(refusal)
    if network is None:
        chosen = invitation[0]
    else:
        matching = [a for a in invitation if a.network_id == network.pk]
        if not matching:
            raise ValidationError({"network": _("Choose one of the networks you are invited through.")})
        chosen = matching[0]
    registration = Registration.objects.select_for_update().filter(event=current, person=user).first()
    if registration is None or not registration.is_active:
        registered = current.registrations.filter(status=Registration.Status.REGISTERED).count()
        full = current.capacity is not None and registered >= current.capacity
        registration = registration or Registration(event=current, person=user)
        registration.status = Registration.Status.WAITING if full else Registration.Status.REGISTERED
        registration.registered_at = timezone.now()
    registration.network = chosen.network
    registration.trust = chosen.trust or user.trust
    registration.comment = comment.strip()
    registration.full_clean()
    registration.save()
    return registration


@transaction.atomic
def registration_cancel(*, user: User, registration: Registration) -> Registration:
    """Cancel a registration: the person themselves before the deadline, or the region's coordinator until the
    event starts. A freed place goes to the first on the waiting list, who is told by e-mail."""
    event = registration.event
    manages = user.has_perm("events.manage_events", event)
    own = registration.person_id == user.pk
    if not (manages or (own and user.has_perm("events.view_event", event))):
        raise PermissionDenied
    current_event = Event.objects.select_for_update().get(pk=event.pk)
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if not current.is_active:
        raise ValidationError(_("The registration is already cancelled."))
    if manages:
        if current_event.is_cancelled:
            raise ValidationError(_("The event is cancelled."))
        if current_event.starts_at <= timezone.now():
            raise ValidationError(_("The event has already started."))
    else:
        refusal = selectors.registration_refusal(event=current_event, invitation=[], cancelling=True)
        if refusal:
            raise ValidationError(refusal)
    was_registered = current.status == Registration.Status.REGISTERED
    current.status = Registration.Status.CANCELLED
    current.save()
    if was_registered:
        _move_up_from_waiting_list(current_event)
    return current


def _move_up_from_waiting_list(event: Event) -> list[Registration]:
    """Give free places to the waiting list in its order; each who moves up is told by e-mail after commit."""
    if event.is_cancelled or event.is_past:
        return []
    waiting = (
        Registration.objects.select_for_update()
        .filter(event=event, status=Registration.Status.WAITING)
        .order_by("registered_at", "pk")
    )
    if event.capacity is None:
        moving = list(waiting)
    else:
        free = event.capacity - event.registrations.filter(status=Registration.Status.REGISTERED).count()
        moving = list(waiting[: max(free, 0)])
    for registration in moving:
        registration.status = Registration.Status.REGISTERED
        registration.save(update_fields=["status", "updated_at"])
    if moving:
        people = User.objects.filter(pk__in=[r.person_id for r in moving])
        mail_on_commit(recipients=list(people), template="event_moved_up", context={"event": event})
    return moving
