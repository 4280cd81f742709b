"""Minutes: started from the agenda, saved, circulated for comments, approved and corrected. The steps are refused
by the minutes' workflow table (`meetings/workflow.py`), which the minutes page asks for its buttons too."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fagnett.accounts.models import User
from fagnett.core import kept
from fagnett.core.locking import check_version, locked_get, locked_update
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.meetings.models import Meeting, Minutes, MinutesComment, MinutesItem, MinutesNoRemarks
from fagnett.meetings.services.action_items import action_item_create
from fagnett.meetings.signals import minutes_approved
from fagnett.meetings.workflow import MINUTES_WORKFLOW, approval_step
from fagnett.networks.selectors import network_participants


@transaction.atomic
def minutes_start(*, user: User, meeting: Meeting) -> Minutes:
    """Start the minutes from the agenda: one section per agenda item."""
    require_perm(user, "meetings.manage_meetings", meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("A cancelled meeting has no minutes."))
    if meeting.minutes.exists():
        raise ValidationError(_("The minutes have already been started."))
    items = list(meeting.agenda_items.all())
    if not items:
        raise ValidationError(_("Make the agenda first: the minutes follow its items."))
    minutes = Minutes.objects.create(meeting=meeting, version=1, created_by=user)
    # An item for decision starts from its proposed resolution, as the secretary writes "adopted as proposed" or
    # what the meeting changed.
    bulk_create_with_history(
        [
            MinutesItem(
                minutes=minutes, agenda_item=item, decision=item.proposed_resolution if item.is_decision else ""
            )
            for item in items
        ],
        MinutesItem,
        default_user=user,
    )
    return minutes


@dataclass(frozen=True)
class NewActionItem:
    agenda_item_id: int
    title: str
    owner_id: int
    due_date: datetime.date


@transaction.atomic
def minutes_save(
    *,
    user: User,
    minutes: Minutes,
    texts: dict[int, tuple[str, str]],
    lock_version: int,
    new_action_items: Iterable[NewActionItem] = (),
    decisions: dict[int, str] | None = None,
) -> Minutes:
    """Save the summary and conclusion of each item (``texts``, by agenda item), the decision of each item for
    decision (``decisions``, by agenda item), and any new action items, unless someone saved meanwhile."""
    MINUTES_WORKFLOW.require_permission(user, "save", minutes)
    current = locked_get(Minutes.objects, pk=minutes.pk)
    MINUTES_WORKFLOW.require("save", current)
    check_version(current, lock_version)
    items = {i.agenda_item_id: i for i in current.items.all()}
    changed = set()
    for agenda_item_id, (summary, conclusion) in texts.items():
        item = items.get(agenda_item_id)
        if item is None:
            continue
        item.summary, item.conclusion = summary, conclusion
        changed.add(agenda_item_id)
    for agenda_item_id, decision in (decisions or {}).items():
        item = items.get(agenda_item_id)
        if item is None:
            continue
        item.decision = decision.strip()
        changed.add(agenda_item_id)
    for agenda_item_id in changed:
        items[agenda_item_id].full_clean()
        items[agenda_item_id].save()
    meeting = current.meeting
    network = meeting.network
    members = {p.pk for p in network_participants(network=network)}
    for new in new_action_items:
        if new.owner_id not in members:
            raise ValidationError(_("The owner of an action item must be appointed in the network."))
        action_item_create(
            user=user,
            network=network,
            title=new.title,
            owner=User.objects.get(pk=new.owner_id),
            due_date=new.due_date,
            meeting=meeting,
            agenda_item=meeting.agenda_items.get(pk=new.agenda_item_id),
        )
    return locked_update(current, clean=False)


@transaction.atomic
def minutes_circulate(*, user: User, minutes: Minutes, comments_due: datetime.date) -> Minutes:
    MINUTES_WORKFLOW.require_permission(user, "circulate", minutes)
    current = locked_get(Minutes.objects, pk=minutes.pk)
    MINUTES_WORKFLOW.require("circulate", current)
    if comments_due < timezone.localdate():
        raise ValidationError({"comments_due": _("The deadline for comments cannot be in the past.")})
    current.status = Minutes.Status.CIRCULATED
    current.circulated_at = timezone.now()
    current.comments_due = comments_due
    locked_update(current, clean=False)
    mail_on_commit(
        recipients=[p for p in network_participants(network=current.meeting.network) if p.pk != user.pk],
        template="minutes_circulated",
        context={"minutes": current, "meeting": current.meeting},
        digest=True,
    )
    return current


@transaction.atomic
def minutes_comment(*, user: User, minutes: Minutes, text: str, item_id: int | None = None) -> MinutesComment:
    """A comment on the circulated minutes, on one item (``item_id``, a minutes item of these minutes) or on the
    whole. A comment takes back the person's "no remarks"."""
    MINUTES_WORKFLOW.require_permission(user, "comment", minutes)
    current = Minutes.objects.get(pk=minutes.pk)
    MINUTES_WORKFLOW.require("comment", current)
    item = None
    if item_id is not None:
        item = current.items.filter(pk=item_id).first()
        if item is None:
            raise ValidationError({"item": _("Choose an item of these minutes.")})
    comment = MinutesComment(minutes=current, item=item, author=user, text=text.strip())
    comment.full_clean()
    comment.save()
    MinutesNoRemarks.objects.filter(minutes=current, person=user).delete()
    return comment


@transaction.atomic
def minutes_no_remarks(*, user: User, minutes: Minutes) -> MinutesNoRemarks:
    """Record that the person has no remarks on the circulated minutes (once; a second click changes nothing)."""
    MINUTES_WORKFLOW.require_permission(user, "comment", minutes)
    current = Minutes.objects.get(pk=minutes.pk)
    MINUTES_WORKFLOW.require("comment", current)
    if current.comments.filter(author=user).exists():
        raise ValidationError(_("You have commented on these minutes, so they cannot be marked as without remarks."))
    row, _created = MinutesNoRemarks.objects.get_or_create(minutes=current, person=user)
    return row


@transaction.atomic
def minutes_approve(*, user: User, minutes: Minutes, via: str = Minutes.ApprovedVia.LEADER) -> Minutes:
    """Approve and lock. The leader approves; leader or secretary may record approval at a meeting."""
    step = approval_step(via)
    MINUTES_WORKFLOW.require_permission(user, step, minutes)
    current = locked_get(Minutes.objects, pk=minutes.pk)
    MINUTES_WORKFLOW.require(step, current)  # first minutes are circulated before the leader approves them
    current.status = Minutes.Status.APPROVED
    current.approved_by = user
    current.approved_at = timezone.now()
    current.approved_via = via
    approved = locked_update(current, clean=False)
    # The PDF, DOCX and the archive's PDF/A are made by a job after the commit and kept with their checksums
    # (core.kept): what was approved is what is downloaded and archived from then on.
    kept.keep_on_commit(approved, by=user)
    minutes_approved.send(sender=Minutes, minutes=approved, user=user)
    return approved


@transaction.atomic
def minutes_correct(*, user: User, minutes: Minutes, reason: str) -> Minutes:
    """Start a corrected version of approved minutes; the approved version stays unchanged."""
    MINUTES_WORKFLOW.require_permission(user, "correct", minutes)
    MINUTES_WORKFLOW.require("correct", minutes)  # approved, and the newest version
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the correction is for.")})
    correction = Minutes.objects.create(
        meeting=minutes.meeting, version=minutes.version + 1, created_by=user, correction_reason=reason.strip()
    )
    bulk_create_with_history(
        [
            MinutesItem(
                minutes=correction,
                agenda_item_id=i.agenda_item_id,
                summary=i.summary,
                conclusion=i.conclusion,
                decision=i.decision,
            )
            for i in minutes.items.all()
        ],
        MinutesItem,
        default_user=user,
    )
    return correction
