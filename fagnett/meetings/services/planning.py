"""The year's plan, single meetings and their invitations (the calendar parts sent by mail)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.calendar import OSLO
from fagnett.core.locking import locked_get, locked_update
from fagnett.core.mail import CalendarPart, mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.meetings import selectors
from fagnett.meetings.calendar import meeting_invitation
from fagnett.meetings.models import Meeting
from fagnett.networks.models import Network

# Changing any of these changes what a calendar holds, so the invitation's SEQUENCE is raised.
SIGNIFICANT_FIELDS = ("starts_at", "ends_at", "location", "video_link", "form", "title")
MEETING_FIELDS = ("title", "starts_at", "ends_at", "form", "location", "video_link")


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
        send_calendar_mail(current, method="REQUEST", update=True)
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
        send_calendar_mail(current, method="CANCEL")
    return current


@transaction.atomic
def meeting_send_invitations(*, user: User, meeting: Meeting) -> int:
    """E-mail the invitation with its calendar file to everyone invited (``selectors.meeting_invitees``: the network's
    people but its deputies, who are called on when someone cannot come); returns how many were invited."""
    require_perm(user, "meetings.manage_meetings", meeting)
    current = locked_get(Meeting.objects, pk=meeting.pk)
    if current.is_cancelled:
        raise ValidationError(_("A cancelled meeting cannot be sent."))
    recipients = [p for p in selectors.meeting_invitees(meeting=current) if p.email]
    if not recipients:
        raise ValidationError(_("Nobody is appointed in the network yet, so there is nobody to invite."))
    if current.invitation_sent_at is not None:
        current.sequence += 1  # a re-sent invitation replaces the one in the calendars
    current.invitation_sent_at = timezone.now()
    if current.status == Meeting.Status.PLANNED:
        current.status = Meeting.Status.INVITED
    locked_update(current, clean=False)
    send_calendar_mail(current, method="REQUEST")
    return len(recipients)


def send_calendar_mail(
    meeting: Meeting,
    *,
    method: str,
    update: bool = False,
    recipients: Sequence[Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """One mail per invited person (or per one of ``recipients``), in their language, with the .ics as an iTIP part
    (``core.mail.CalendarPart``) naming everyone invited. ``extra`` is added to the mail's context (``deputy_for``)."""
    invitees = [p for p in selectors.meeting_invitees(meeting=meeting) if p.email]
    to = invitees if recipients is None else [p for p in recipients if p.email]
    ics = meeting_invitation(meeting, attendees=invitees, method=method)
    template = "meeting_cancelled" if method == "CANCEL" else ("meeting_updated" if update else "meeting_invitation")
    # Everyone invited is appointed in the network, so they read its own cases; any other case shows its number.
    agenda = selectors.mark_cases(
        meeting.agenda_items.select_related("case").order_by("order", "pk"),
        selectors.network_case_reader(meeting.network),
    )
    mail_on_commit(
        recipients=to,
        template=template,
        context={"meeting": meeting, "agenda": agenda, **(extra or {})},
        calendar=CalendarPart(ics, method),
    )
