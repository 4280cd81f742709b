"""Changes to meetings, agendas, attendance, minutes and action items.

Each service is one transaction, checks permission, and leaves an audit trail (django-simple-history).
Invitations and other mail leave only after the transaction has committed.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fagnett.accounts.models import User
from fagnett.core.calendar import OSLO
from fagnett.core.locking import check_version, locked_get, locked_update
from fagnett.core.mail import CalendarPart, mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.core.uploads import check_upload
from fagnett.meetings import selectors
from fagnett.meetings.calendar import meeting_invitation
from fagnett.meetings.models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Meeting,
    Minutes,
    MinutesComment,
    MinutesItem,
)
from fagnett.networks.models import Appointment, Network
from fagnett.networks.selectors import network_participants
from fagnett.topics.services import set_topics

# Changing any of these changes what a calendar holds, so the invitation's SEQUENCE is raised.
SIGNIFICANT_FIELDS = ("starts_at", "ends_at", "location", "video_link", "form", "title")
MEETING_FIELDS = ("title", "starts_at", "ends_at", "form", "location", "video_link")


# --- The year's plan and single meetings --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMeeting:
    date: datetime.date
    start: datetime.time
    end: datetime.time
    form: str
    location: str = ""
    video_link: str = ""
    title: str = ""


def _aware(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(date, time, tzinfo=OSLO)


@transaction.atomic
def meeting_plan_year(*, user: User, network: Network, meetings: Sequence[PlannedMeeting]) -> list[Meeting]:
    """Create a whole plan at once; if any meeting is invalid, none is created."""
    require_perm(user, "meetings.manage_meetings", network)
    if not meetings:
        raise ValidationError(_("Add at least one meeting to the plan."))
    created = []
    errors: list[str] = []
    for number, planned in enumerate(meetings, 1):
        meeting = Meeting(
            network=network,
            title=planned.title,
            starts_at=_aware(planned.date, planned.start),
            ends_at=_aware(planned.date, planned.end),
            form=planned.form,
            location=planned.location,
            video_link=planned.video_link,
            created_by=user,
        )
        try:
            meeting.full_clean()
        except ValidationError as error:
            for messages in error.message_dict.values():
                errors.extend(
                    _("Meeting %(number)s (%(date)s): %(message)s")
                    % {"number": number, "date": planned.date.strftime("%d.%m.%Y"), "message": message}
                    for message in messages
                )
            continue
        created.append(meeting)
    if errors:
        raise ValidationError(errors)
    for meeting in created:
        meeting.save()
    return created


@transaction.atomic
def meeting_update(*, user: User, meeting: Meeting, data: dict[str, Any], lock_version: int) -> Meeting:
    """Save changes; if the invitation has gone out and something significant changed, send an update."""
    require_perm(user, "meetings.manage_meetings", meeting)
    current = locked_get(Meeting.objects, pk=meeting.pk, expected_version=lock_version)
    if current.is_cancelled:
        raise ValidationError(_("A cancelled meeting cannot be changed."))
    significant = any(name in data and data[name] != getattr(current, name) for name in SIGNIFICANT_FIELDS)
    for name in MEETING_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    if significant:
        current.sequence += 1
    locked_update(current)
    if significant and current.invitation_sent_at:
        _send_calendar_mail(current, method="REQUEST", sender=user, update=True)
    return current


@transaction.atomic
def meeting_cancel(*, user: User, meeting: Meeting, reason: str) -> Meeting:
    require_perm(user, "meetings.manage_meetings", meeting)
    current = locked_get(Meeting.objects, pk=meeting.pk)
    if current.is_cancelled:
        raise ValidationError(_("The meeting is already cancelled."))
    if current.status == Meeting.Status.HELD:
        raise ValidationError(_("A meeting that has been held cannot be cancelled."))
    current.status = Meeting.Status.CANCELLED
    current.cancel_reason = reason
    current.sequence += 1
    locked_update(current)
    if current.invitation_sent_at:
        _send_calendar_mail(current, method="CANCEL", sender=user)
    return current


@transaction.atomic
def meeting_send_invitations(*, user: User, meeting: Meeting) -> int:
    """E-mail the invitation with its calendar file to everyone appointed; returns how many were invited."""
    require_perm(user, "meetings.manage_meetings", meeting)
    current = locked_get(Meeting.objects, pk=meeting.pk)
    if current.is_cancelled:
        raise ValidationError(_("A cancelled meeting cannot be sent."))
    recipients = [p for p in network_participants(network=current.network) if p.email]
    if not recipients:
        raise ValidationError(_("Nobody is appointed in the network yet, so there is nobody to invite."))
    if current.invitation_sent_at is not None:
        current.sequence += 1  # a re-sent invitation replaces the one in the calendars
    current.invitation_sent_at = timezone.now()
    if current.status == Meeting.Status.PLANNED:
        current.status = Meeting.Status.INVITED
    locked_update(current, clean=False)
    _send_calendar_mail(current, method="REQUEST", sender=user)
    return len(recipients)


def _send_calendar_mail(meeting: Meeting, *, method: str, sender: Any, update: bool = False) -> None:
    """One mail per participant, in their language, with the .ics as an iTIP part (``core.mail.CalendarPart``)."""
    recipients = [p for p in network_participants(network=meeting.network) if p.email]
    organizer = sender if getattr(sender, "email", "") else None
    ics = meeting_invitation(meeting, organizer=organizer, attendees=recipients, method=method)
    template = "meeting_cancelled" if method == "CANCEL" else ("meeting_updated" if update else "meeting_invitation")
    # Everyone invited is appointed in the network, so they read its own cases; any other case shows its number.
    agenda = selectors.mark_cases(
        meeting.agenda_items.select_related("case").order_by("order", "pk"),
        selectors.network_case_reader(meeting.network),
    )
    mail_on_commit(
        recipients=recipients,
        template=template,
        context={"meeting": meeting, "agenda": agenda},
        calendar=CalendarPart(ics, method),
    )


# --- Agenda --------------------------------------------------------------------------------------------------------


def _next_order(meeting: Meeting) -> int:
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def agenda_add_standard_items(*, user: User, meeting: Meeting) -> list[AgendaItem]:
    """Add the standard items that are missing: approval of last minutes, orientations, follow-up, AOB.

    The follow-up item lists the network's open action items when the agenda is shown, so every action item
    stays on each new agenda until it is done. Any other business is always kept last.
    """
    require_perm(user, "meetings.manage_meetings", meeting)
    existing = set(meeting.agenda_items.values_list("kind", flat=True))
    wanted = [
        (AgendaItem.Kind.APPROVAL, _("Approval of the minutes of the last meeting")),
        (AgendaItem.Kind.ORIENTATION, _("Orientations")),
        (AgendaItem.Kind.FOLLOW_UP, _("Follow-up of action items")),
    ]
    created = []
    order = _next_order(meeting)
    for kind, title in wanted:
        if kind not in existing:
            created.append(AgendaItem.objects.create(meeting=meeting, kind=kind, title=title, order=order))
            order += 1
    if AgendaItem.Kind.AOB not in existing:
        created.append(
            AgendaItem.objects.create(
                meeting=meeting, kind=AgendaItem.Kind.AOB, title=_("Any other business"), order=order + 100
            )
        )
    _renumber(meeting)
    return created


def _renumber(meeting: Meeting) -> None:
    """Keep numbering 1…n with any other business last."""
    items = list(meeting.agenda_items.all())
    items.sort(key=lambda i: (i.kind == AgendaItem.Kind.AOB, i.order, i.pk))
    for number, item in enumerate(items, 1):
        if item.order != number:
            item.order = number
            item.save(update_fields=["order"])


def _editable_agenda(user: User, meeting: Meeting) -> None:
    require_perm(user, "meetings.manage_meetings", meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is cancelled."))
    if meeting.minutes.filter(status=Minutes.Status.APPROVED).exists():
        raise ValidationError(_("The minutes are approved, so the agenda is locked."))


@dataclass(frozen=True)
class CaseItem:
    """An agenda item of a case, as the cases app words it: meetings does not import cases, which sits above it."""

    case_id: int
    title: str
    description: str


@transaction.atomic
def agenda_add_case_items(*, user: User, meeting: Meeting, items: Sequence[CaseItem]) -> list[AgendaItem]:
    """Put cases on the agenda as items of kind "case", after the items already there.

    The cases app chooses the cases, words the items and moves the cases on (``cases.services.agenda_add_open_cases``);
    this checks that the person may change the agenda, even when there is nothing to add.
    """
    _editable_agenda(user, meeting)
    created = [
        AgendaItem.objects.create(
            meeting=meeting,
            kind=AgendaItem.Kind.CASE,
            title=item.title,
            description=item.description,
            case_id=item.case_id,
            order=_next_order(meeting),
        )
        for item in items
    ]
    _renumber(meeting)
    return created


@transaction.atomic
def agenda_item_add(*, user: User, meeting: Meeting, data: dict[str, Any]) -> AgendaItem:
    """Add an item to the agenda; ``data`` may carry ``topics`` from the region's list."""
    _editable_agenda(user, meeting)
    data = dict(data)
    topics = data.pop("topics", None)
    item = AgendaItem(meeting=meeting, order=_next_order(meeting), **data)
    item.full_clean()
    item.save()
    if topics is not None:
        set_topics(relation=item.topics, region_id=meeting.network.region_id, topics=topics)
    _renumber(meeting)
    item.refresh_from_db()
    return item


@transaction.atomic
def agenda_item_update(*, user: User, item: AgendaItem, data: dict[str, Any]) -> AgendaItem:
    _editable_agenda(user, item.meeting)
    data = dict(data)
    topics = data.pop("topics", None)
    for name, value in data.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    if topics is not None:
        set_topics(relation=item.topics, region_id=item.meeting.network.region_id, topics=topics)
    return item


@transaction.atomic
def agenda_item_move(*, user: User, item: AgendaItem, up: bool) -> None:
    _editable_agenda(user, item.meeting)
    items = [i for i in item.meeting.agenda_items.order_by("order", "pk") if i.kind != AgendaItem.Kind.AOB]
    if item not in items:
        return
    index = items.index(item)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for number, each in enumerate(items, 1):
            if each.order != number:
                each.order = number
                each.save(update_fields=["order"])
    _renumber(item.meeting)


@transaction.atomic
def agenda_item_delete(*, user: User, item: AgendaItem) -> None:
    _editable_agenda(user, item.meeting)
    if MinutesItem.objects.filter(agenda_item=item).exists():
        raise ValidationError(_("The minutes already refer to this item, so it cannot be removed."))
    meeting = item.meeting
    item.delete()
    _renumber(meeting)


@transaction.atomic
def document_attach(*, user: User, item: AgendaItem, upload: UploadedFile) -> AgendaDocument:
    _editable_agenda(user, item.meeting)
    checked = check_upload(upload)
    document = AgendaDocument(
        item=item, original_name=checked.name, content_type=checked.content_type, size=checked.size, uploaded_by=user
    )
    document.file.save(checked.name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def document_delete(*, user: User, document: AgendaDocument) -> None:
    _editable_agenda(user, document.item.meeting)
    storage, name = document.file.storage, document.file.name or ""
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Attendance ----------------------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, user: User, meeting: Meeting, statuses: dict[int, str]) -> list[Attendance]:
    """Record who was present, absent or excused. Recording attendance marks a past meeting as held."""
    require_perm(user, "meetings.manage_meetings", meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("Attendance cannot be recorded for a cancelled meeting."))
    if meeting.starts_at > timezone.now() + datetime.timedelta(hours=12):
        raise ValidationError(_("Attendance can be recorded from the day of the meeting."))
    appointments = {
        a.person_id: a
        for a in Appointment.objects.filter(network=meeting.network, status=Appointment.Status.APPOINTED).order_by(
            "start_date"
        )
    }
    valid = set(Attendance.Status.values)
    result = []
    for person_id, status in statuses.items():
        if status not in valid:
            raise ValidationError(_("Unknown attendance status."))
        existing = Attendance.objects.filter(meeting=meeting, person_id=person_id).first()
        if existing is None and person_id not in appointments:
            raise ValidationError(_("Only people appointed in the network can be registered."))
        trust = appointments[person_id].trust if person_id in appointments else existing.trust  # type: ignore[union-attr]
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting, person_id=person_id, defaults={"status": status, "trust": trust}
        )
        result.append(row)
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    return result


# --- Minutes -------------------------------------------------------------------------------------------------------


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
    bulk_create_with_history(
        [MinutesItem(minutes=minutes, agenda_item=item) for item in items], MinutesItem, default_user=user
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
) -> Minutes:
    """Save the summary and conclusion of each item, and any new action items, unless someone saved meanwhile."""
    require_perm(user, "meetings.manage_meetings", minutes)
    current = locked_get(Minutes.objects, pk=minutes.pk)
    if current.is_locked:
        raise ValidationError(_("Approved minutes are locked. Make a correction as a new version."))
    check_version(current, lock_version)
    items = {i.agenda_item_id: i for i in current.items.all()}
    for agenda_item_id, (summary, conclusion) in texts.items():
        item = items.get(agenda_item_id)
        if item is None:
            continue
        item.summary, item.conclusion = summary, conclusion
        item.full_clean()
        item.save()
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
    require_perm(user, "meetings.manage_meetings", minutes)
    current = locked_get(Minutes.objects, pk=minutes.pk)
    if current.status != Minutes.Status.DRAFT:
        raise ValidationError(_("Only a draft can be circulated."))
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
    )
    return current


@transaction.atomic
def minutes_comment(*, user: User, minutes: Minutes, text: str) -> MinutesComment:
    require_perm(user, "meetings.comment_minutes", minutes)
    current = Minutes.objects.get(pk=minutes.pk)
    if current.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("Comments are taken while the minutes are circulated."))
    comment = MinutesComment(minutes=current, author=user, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def minutes_approve(*, user: User, minutes: Minutes, via: str = Minutes.ApprovedVia.LEADER) -> Minutes:
    """Approve and lock. The leader approves; leader or secretary may record approval at a meeting."""
    perm = "meetings.approve_minutes" if via == Minutes.ApprovedVia.LEADER else "meetings.record_meeting_approval"
    require_perm(user, perm, minutes)
    current = locked_get(Minutes.objects, pk=minutes.pk)
    if current.is_locked:
        raise ValidationError(_("These minutes are already approved."))
    if current.status == Minutes.Status.DRAFT and via == Minutes.ApprovedVia.LEADER and current.version == 1:
        raise ValidationError(_("Circulate the minutes for comments before they are approved."))
    current.status = Minutes.Status.APPROVED
    current.approved_by = user
    current.approved_at = timezone.now()
    current.approved_via = via
    return locked_update(current, clean=False)


@transaction.atomic
def minutes_correct(*, user: User, minutes: Minutes, reason: str) -> Minutes:
    """Start a corrected version of approved minutes; the approved version stays unchanged."""
    require_perm(user, "meetings.manage_meetings", minutes)
    if not minutes.is_locked:
        raise ValidationError(_("Only approved minutes are corrected as a new version; edit the draft instead."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the correction is for.")})
    latest = minutes.meeting.minutes.order_by("-version").first()
    if latest is not None and latest.pk != minutes.pk:
        raise ValidationError(_("A newer version exists; correct that one."))
    correction = Minutes.objects.create(
        meeting=minutes.meeting, version=minutes.version + 1, created_by=user, correction_reason=reason.strip()
    )
    bulk_create_with_history(
        [
            MinutesItem(minutes=correction, agenda_item_id=i.agenda_item_id, summary=i.summary, conclusion=i.conclusion)
            for i in minutes.items.all()
        ],
        MinutesItem,
        default_user=user,
    )
    return correction


# --- Action items --------------------------------------------------------------------------------------------------


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
    mail_on_commit(recipients=[owner], template="action_item_assigned", context={"item": item})
    return item


@transaction.atomic
def action_item_set_done(*, user: User, item: ActionItem, done: bool) -> ActionItem:
    require_perm(user, "meetings.update_action_item", item)
    current = ActionItem.objects.select_for_update().get(pk=item.pk)
    current.status = ActionItem.Status.DONE if done else ActionItem.Status.OPEN
    current.done_at = timezone.now() if done else None
    current.save()
    return current


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
    current.save(update_fields=["owner"])
    mail_on_commit(recipients=[owner], template="action_item_assigned", context={"item": current})
    return current


# --- Calendar addresses ---------------------------------------------------------------------------------------------


def _require_own_feed(user: User, feed: CalendarFeed) -> None:
    if feed.user_id != user.pk or feed.revoked_at is not None:
        raise PermissionDenied


@transaction.atomic
def calendar_feed_create(*, user: User, network: Network | None) -> tuple[CalendarFeed, str]:
    """A private address for the person's meetings (or one network's). The secret in it is returned here, once;
    only its hash is stored."""
    if network is not None:
        require_perm(user, "meetings.view_meeting", network)
    feed = CalendarFeed(user=user, network=network)
    token = feed.issue()
    feed.save()
    return feed, token


@transaction.atomic
def calendar_feed_regenerate(*, user: User, feed: CalendarFeed) -> tuple[CalendarFeed, str]:
    """The same subscription at a new address: the old address stops working at once, the new secret is returned
    here, once."""
    _require_own_feed(user, feed)
    token = feed.issue()
    feed.save(update_fields=CalendarFeed.SECRET_FIELDS)
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, user: User, feed: CalendarFeed) -> CalendarFeed:
    """The address stops working; calendars subscribed to it get no more updates."""
    _require_own_feed(user, feed)
    feed.revoke()
    return feed


def calendar_feeds_revoke_all(person: Any) -> int:
    """Every calendar address of the person stops working: their access to Fagnett closed
    (``accounts.services.on_access_end``). Returns how many were working."""
    return sum(1 for feed in CalendarFeed.objects.filter(user=person, revoked_at=None) if feed.revoke())
