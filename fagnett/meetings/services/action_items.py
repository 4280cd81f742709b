"""Action items: created from the minutes or a case, closed with what was done, opened again, given to another
owner."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.locking import check_version, locked_get, locked_update
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.meetings.models import ActionItem, AgendaItem, Meeting
from fagnett.networks.models import Network
from fagnett.networks.selectors import network_participants


@transaction.atomic
def action_item_create(
    *,
    user: User,
    network: Network,
    title: str,
    owner: Any,
    due_date: datetime.date,
    description: str = "",
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    case: Any = None,
) -> ActionItem:
    require_perm(user, "meetings.manage_meetings", network)
    if case is None and agenda_item is not None:
        case = agenda_item.case
    if case is not None and case.network_id != network.pk:
        raise ValidationError(_("The case belongs to another network."))
    item = ActionItem(
        network=network,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        meeting=meeting,
        agenda_item=agenda_item,
        case=case,
        created_by=user,
    )
    item.full_clean()
    item.save()
    mail_on_commit(recipients=[owner], template="action_item_assigned", context={"item": item}, digest=True)
    return item


@transaction.atomic
def action_item_close(*, user: User, item: ActionItem, note: str, expected_version: int | None) -> ActionItem:
    """Close an open action item with what was done (required); its owner, leader, secretary or the coordinator.

    ``expected_version`` is the version the person's form was opened on: if someone closed, reopened or reassigned
    the item meanwhile, ``ConflictError`` is raised and nothing changes (two people closing at once keep both notes:
    the second is told and sees the first one's).
    """
    current = locked_get(ActionItem.objects.select_related("network"), pk=item.pk, of=("self",))
    require_perm(user, "meetings.update_action_item", current)
    check_version(current, expected_version)
    if current.status == ActionItem.Status.DONE:
        raise ValidationError(_("The action item is already done."))
    note = note.strip()
    if not note:
        raise ValidationError({"done_note": _("Write what was done. The action item is not closed without it.")})
    current.status = ActionItem.Status.DONE
    current.done_at = timezone.now()
    current.done_by = user
    current.done_note = note
    # Only the note is new: the rest may hold what older versions saved without a check (no creator, an old date).
    current.clean_fields(exclude=[f.name for f in ActionItem._meta.concrete_fields if f.name != "done_note"])
    current._change_reason = "Closed"  # type: ignore[attr-defined]
    return locked_update(current, clean=False)


@transaction.atomic
def action_item_reopen(*, user: User, item: ActionItem, expected_version: int | None) -> ActionItem:
    """Open a closed action item again (the network's leader, secretary or the coordinator): it is back on the
    register and the next agenda. What was written when it was closed stays in its history."""
    current = locked_get(ActionItem.objects.select_related("network"), pk=item.pk, of=("self",))
    require_perm(user, "meetings.reopen_action_item", current)
    check_version(current, expected_version)
    if current.status != ActionItem.Status.DONE:
        raise ValidationError(_("The action item is open already."))
    current.status = ActionItem.Status.OPEN
    current.done_at = None
    current.done_by = None
    current.done_note = ""
    current._change_reason = "Reopened"  # type: ignore[attr-defined]
    return locked_update(current, clean=False)


@transaction.atomic
def action_item_reassign(*, user: User, item: ActionItem, owner: Any, expected_owner_id: int | None) -> ActionItem:
    """Give an open action item to another of the network's people (its owner left, or the work moved on); the new
    owner is told by e-mail after commit.

    ``expected_owner_id`` is the owner the form showed: if someone reassigned the item meanwhile, ``ConflictError``
    is raised and nothing changes (a missing one counts as a conflict, as a missing version does elsewhere).
    """
    require_perm(user, "meetings.manage_meetings", item)
    current = ActionItem.objects.select_for_update(of=("self",)).select_related("network").get(pk=item.pk)
    # The owner is the item's version here; a form that sent none expects "0", which no owner has.
    check_version(current, expected_owner_id or 0, saved_version=current.owner_id)
    if current.status != ActionItem.Status.OPEN:
        raise ValidationError({"owner": _("The action item is done; only open action items are given to others.")})
    if owner.pk == current.owner_id:
        raise ValidationError({"owner": _("The person already owns the action item.")})
    if owner.pk not in {p.pk for p in network_participants(network=current.network)}:
        raise ValidationError({"owner": _("The new owner must be an active person appointed in the network.")})
    current.owner = owner
    current._change_reason = "Reassigned"  # type: ignore[attr-defined]
    # A new version, so that a close form opened before the owner changed is told (core.locking).
    locked_update(current, clean=False, update_fields=["owner"])
    mail_on_commit(recipients=[owner], template="action_item_assigned", context={"item": current}, digest=True)
    return current
