"""Changes to networks, mandates and appointments. Each is one transaction that checks permission.

History (who, when, what) is written by django-simple-history on every save.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.access import access_for
from fagnett.accounts.models import RegionRole, User
from fagnett.core.locking import NO_VERSION, check_version, locked_get, locked_update
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network, TaskListItem, default_period_end
from fagnett.organisations.models import HealthTrust, Region

NETWORK_FIELDS = (
    "name",
    "code",
    "field",
    "kind",
    "parent",
    "status",
    "merged_into",
    "established_on",
    "description",
    "minutes_visible_to_region",
)


def _full_clean(instance: Any, **kwargs: Any) -> None:
    """Model validation as a form would do it: field validators, choices and constraints."""
    instance.full_clean(**kwargs)


@transaction.atomic
def network_create(*, user: User, region: Region, data: dict[str, Any]) -> Network:
    require_perm(user, "networks.add_network", region)
    network = Network(region=region, **{k: data[k] for k in NETWORK_FIELDS if k in data})
    _full_clean(network)
    network.save()
    return network


@transaction.atomic
def network_update(*, user: User, network: Network, data: dict[str, Any], lock_version: int) -> Network:
    """Save the changes unless someone else saved the network since ``lock_version`` was read."""
    require_perm(user, "networks.change_network", network)
    current = locked_get(Network.objects, pk=network.pk, expected_version=lock_version)
    for name in NETWORK_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    if current.status != Network.Status.MERGED:
        current.merged_into = None
    return locked_update(current)


@transaction.atomic
def mandate_create_version(
    *,
    user: User,
    network: Network,
    data: dict[str, Any],
    tasks: list[TaskListItem],
    base_version: int | None,
) -> Mandate:
    """Add a new version of the network's mandate; earlier versions are kept unchanged.

    ``base_version`` is the version the person started from (``None`` or 0 for the first): if someone
    else added a version meanwhile, nothing is saved and ``ConflictError`` names the newer one.
    """
    require_perm(user, "networks.change_mandate", network)
    Network.objects.select_for_update().filter(pk=network.pk).first()  # serialise version numbering
    latest = network.mandates.order_by("-version").first()
    # A mandate is a versioned copy: the person started from the newest one's number (NO_VERSION before the first).
    check_version(latest, base_version or NO_VERSION, saved_version=latest.version if latest else NO_VERSION)
    if any(task.region_id != network.region_id for task in tasks):
        raise ValidationError({"tasks": _("Choose tasks from this region's standard list.")})
    start = data["period_start"]
    mandate = Mandate(
        network=network,
        version=(latest.version + 1) if latest else 1,
        created_by=user,
        **{**data, "period_end": data.get("period_end") or default_period_end(start)},
    )
    for trust_field in ("secretariat_trust", "archive_trust"):
        trust: HealthTrust | None = getattr(mandate, trust_field)
        if trust is not None and trust.region_id != network.region_id:
            raise ValidationError({trust_field: _("Choose a health trust in this region.")})
    _full_clean(mandate)
    mandate.save()
    mandate.tasks.set(tasks)
    return mandate


@transaction.atomic
def appointment_nominate(
    *,
    user: User,
    network: Network,
    person: Any,
    role: str,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    note: str = "",
) -> Appointment:
    """Nominate ``person`` for ``role``; the region's coordinator then appoints or declines.

    A fagsjef nominates people of their own trusts; the person represents the trust they work in.
    """
    require_perm(user, "networks.nominate", network)
    access = access_for(user)
    is_coordinator = access.is_coordinator(network.region_id)
    if role == AppointmentRole.RHF_REPRESENTATIVE:
        if not is_coordinator:
            raise ValidationError({"role": _("Only the regional coordinator appoints the RHF's representative.")})
        trust = None
    else:
        trust = person.trust
        if trust is None or trust.region_id != network.region_id:
            raise ValidationError({"person": _("The person must work in a health trust in this region.")})
        if not is_coordinator and trust.pk not in access.fagsjef_trusts:
            raise ValidationError({"person": _("You can only nominate people from your own health trust.")})
    appointment = Appointment(
        network=network,
        person=person,
        role=role,
        trust=trust,
        nominated_by=user,
        nominated_at=timezone.now(),
        nomination_note=note,
        start_date=start_date,
        end_date=end_date,
    )
    _full_clean(appointment, validate_constraints=False)
    if Appointment.objects.filter(
        network=network,
        person=person,
        role=role,
        status__in=[Appointment.Status.NOMINATED, Appointment.Status.APPOINTED],
    ).exists():
        raise ValidationError(
            {"person": _("%(person)s is already nominated or appointed in this role.") % {"person": person}}
        )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        raise ValidationError(
            {"person": _("%(person)s is already nominated or appointed in this role.") % {"person": person}}
        ) from None
    # The region's coordinators decide: they are told (or find it in their digest), not the one who nominated.
    coordinators = User.objects.filter(
        region_roles__region_id=network.region_id, region_roles__role=RegionRole.Role.COORDINATOR, is_active=True
    ).exclude(pk=user.pk)
    mail_on_commit(
        recipients=coordinators.distinct(),
        template="nomination_received",
        context={"appointment": appointment},
        digest=True,
    )
    return appointment


def _locked_open_nomination(appointment: Appointment) -> Appointment:
    current = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("network", "person", "nominated_by")
        .get(pk=appointment.pk)
    )
    if current.status != Appointment.Status.NOMINATED:
        raise ValidationError(_("This nomination has already been decided."))
    return current


@transaction.atomic
def appointment_appoint(
    *,
    user: User,
    appointment: Appointment,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    reason: str = "",
) -> Appointment:
    require_perm(user, "networks.decide_appointment", appointment)
    current = _locked_open_nomination(appointment)
    current.status = Appointment.Status.APPOINTED
    current.start_date = start_date or current.start_date or timezone.localdate()
    current.end_date = end_date or current.end_date
    current.decided_by = user
    current.decided_at = timezone.now()
    current.decision_reason = reason
    _full_clean(current)
    current.save()
    mail_on_commit(
        recipients=_distinct(current.person, current.nominated_by),
        template="appointment_decided",
        context={"appointment": current, "period_end": _appointment_period_end(current)},
    )
    return current


def _appointment_period_end(appointment: Appointment) -> datetime.date | None:
    """Where an appointment without its own end date ends: with the network's current mandate period."""
    if appointment.end_date:
        return appointment.end_date
    mandate = appointment.network.mandates.order_by("-version").first()
    return mandate.period_end if mandate else None


@transaction.atomic
def appointment_decline(*, user: User, appointment: Appointment, reason: str) -> Appointment:
    require_perm(user, "networks.decide_appointment", appointment)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason when declining a nomination.")})
    current = _locked_open_nomination(appointment)
    current.status = Appointment.Status.DECLINED
    current.decided_by = user
    current.decided_at = timezone.now()
    current.decision_reason = reason.strip()
    _full_clean(current)
    current.save()
    mail_on_commit(
        recipients=_distinct(current.person, current.nominated_by),
        template="appointment_decided",
        context={"appointment": current},
    )
    return current


@transaction.atomic
def appointment_end(*, user: User, appointment: Appointment, end_date: datetime.date, reason: str = "") -> Appointment:
    require_perm(user, "networks.end_appointment", appointment)
    current = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if current.status != Appointment.Status.APPOINTED:
        raise ValidationError(_("Only an appointed member can be ended."))
    if current.start_date and end_date < current.start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the appointment started.")})
    current.status = Appointment.Status.ENDED
    current.end_date = end_date
    current.decision_reason = reason
    _full_clean(current)
    current.save()
    return current


def _distinct(*people: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    for person in people:
        if person is not None:
            seen.setdefault(person.pk, person)
    return list(seen.values())
