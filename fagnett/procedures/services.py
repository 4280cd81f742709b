"""Changes to the procedures register. Each is one transaction that checks permission.

History of the procedure's fields is kept by django-simple-history; every change of status is also a
dated ``StatusEvent``, from which the year's counts are made.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.locking import locked_get, locked_update
from fagnett.core.permissions import require_perm
from fagnett.networks.models import Network
from fagnett.procedures.models import Procedure, Status, StatusEvent

PROCEDURE_FIELDS = ("kind", "title", "url", "responsible", "review_date", "description")
#: statuses a procedure may be registered with: new work, or a document that already exists
INITIAL_STATUSES = (Status.PROPOSED, Status.IN_PROGRESS, Status.PUBLISHED)


def _check_date(happened_on: datetime.date) -> None:
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("The date cannot be in the future.")})


def _check_responsible(responsible: Any) -> None:
    if responsible is not None and not responsible.is_active:
        raise ValidationError({"responsible": _("Choose an active person.")})


@transaction.atomic
def procedure_create(
    *, user: User, network: Network, data: dict[str, Any], status: str, happened_on: datetime.date
) -> Procedure:
    """Register a procedure or pathway with its first status, dated ``happened_on``."""
    require_perm(user, "procedures.manage_procedures", network)
    if status not in INITIAL_STATUSES:
        raise ValidationError({"status": _("Choose proposed, in progress or published.")})
    _check_date(happened_on)
    procedure = Procedure(network=network, status=status, **{k: data[k] for k in PROCEDURE_FIELDS if k in data})
    _check_responsible(procedure.responsible)
    procedure.full_clean()
    procedure.save()
    StatusEvent.objects.create(procedure=procedure, status=status, happened_on=happened_on, recorded_by=user)
    return procedure


@transaction.atomic
def procedure_update(*, user: User, procedure: Procedure, data: dict[str, Any], lock_version: int) -> Procedure:
    """Save the changes unless someone else saved the procedure since ``lock_version`` was read."""
    require_perm(user, "procedures.manage_procedures", procedure)
    current = locked_get(Procedure.objects.select_related("network"), pk=procedure.pk, expected_version=lock_version)
    for name in PROCEDURE_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    _check_responsible(current.responsible)
    return locked_update(current)


@transaction.atomic
def procedure_change_status(
    *, user: User, procedure: Procedure, status: str, happened_on: datetime.date, note: str = ""
) -> StatusEvent:
    """Move the procedure to ``status`` as of ``happened_on`` (today or earlier, not before its last change)."""
    require_perm(user, "procedures.manage_procedures", procedure)
    current = locked_get(Procedure.objects, pk=procedure.pk)
    if status not in current.next_statuses:
        raise ValidationError(
            {
                "status": _("A procedure that is %(current)s cannot be moved to %(new)s.")
                % {"current": current.get_status_display().lower(), "new": Status(status).label.lower()}
            }
        )
    _check_date(happened_on)
    last = current.events.order_by("-happened_on", "-pk").first()
    if last is not None and happened_on < last.happened_on:
        raise ValidationError(
            {
                "happened_on": _("The date cannot be before the last change of status (%(date)s).")
                % {"date": date_format(last.happened_on, "SHORT_DATE_FORMAT")}
            }
        )
    event = StatusEvent(
        procedure=current,
        from_status=current.status,
        status=status,
        happened_on=happened_on,
        note=note,
        recorded_by=user,
    )
    event.full_clean()
    event.save()
    current.status = status
    locked_update(current, clean=False, update_fields=["status"])
    return event
