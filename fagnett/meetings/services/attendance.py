"""Attendance: the invited people's answers (and the deputies they call on), then who was present, absent or
excused; recording that marks the meeting as held."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.locking import locked_get
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.meetings import selectors
from fagnett.meetings.models import Attendance, AttendanceReply, DeputyInvitation, Meeting
from fagnett.meetings.services.planning import send_calendar_mail
from fagnett.networks.models import Appointment, AppointmentRole
from fagnett.networks.selectors import network_leaders
from fagnett.organisations.models import HealthTrust


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


@transaction.atomic
def attendance_reply(*, user: User, meeting: Meeting, answer: str, reason: str = "") -> AttendanceReply:
    """The person's answer to the invitation: coming, or not coming with a reason (forfall).

    Only someone invited answers (``selectors.meeting_invitees``), until the meeting starts; a new answer replaces the
    last. The first "I cannot come" of someone who represents a trust invites the trust's next deputy not yet
    invited (``DeputyInvitation``); once the invitation has gone out, the deputy gets it at once, by the same mail
    and calendar file as everyone else. The meeting's row is locked, so two members of one trust who answer at the
    same moment do not both call on the same deputy.
    """
    current = locked_get(Meeting.objects.select_related("network"), pk=meeting.pk)
    if not selectors.is_invited(user=user, meeting=current):
        raise PermissionDenied
    if current.is_cancelled:
        raise ValidationError(_("The meeting is cancelled."))
    if current.status == Meeting.Status.HELD or current.starts_at <= timezone.now():
        raise ValidationError(_("The meeting has started; tell the secretary instead."))
    if answer not in AttendanceReply.Answer.values:
        raise ValidationError({"answer": _("Say whether you are coming.")})
    reply = current.replies.filter(person=user).first() or AttendanceReply(meeting=current, person=user)
    was_coming = reply.pk is None or reply.answer == AttendanceReply.Answer.COMING
    reply.answer, reply.reason, reply.answered_at = answer, reason.strip(), timezone.now()
    reply.full_clean()
    reply.save()
    if answer == AttendanceReply.Answer.NOT_COMING and was_coming:
        trust_id = _represented_trust(current, user)
        if _invite_deputy(current, replaces=user, trust_id=trust_id) is None and trust_id is not None:
            _notify_no_deputy(current, absent=user, trust_id=trust_id, reason=reply.reason)
    return reply


def _represented_trust(meeting: Meeting, person: User) -> int | None:
    """The trust the person sits for at this meeting: their seat's, or, for a deputy, the one they were called for."""
    seat = (
        Appointment.objects.filter(network_id=meeting.network_id, person=person, status=Appointment.Status.APPOINTED)
        .exclude(role=AppointmentRole.DEPUTY)
        .order_by("start_date", "pk")
        .first()
    )
    if seat is not None:
        return seat.trust_id
    called = meeting.deputy_invitations.filter(deputy=person).first()
    return called.trust_id if called is not None else None


def _invite_deputy(meeting: Meeting, *, replaces: User, trust_id: int | None) -> DeputyInvitation | None:
    appointment = selectors.next_deputy(meeting=meeting, trust_id=trust_id)
    if appointment is None:
        return None
    invitation = DeputyInvitation.objects.create(
        meeting=meeting, deputy=appointment.person, replaces=replaces, trust_id=appointment.trust_id
    )
    if meeting.invitation_sent_at is not None:
        send_calendar_mail(meeting, method="REQUEST", recipients=[appointment.person], extra={"deputy_for": replaces})
    return invitation


def _notify_no_deputy(meeting: Meeting, *, absent: User, trust_id: int, reason: str) -> None:
    """Tell the network's leader and secretary at once that a trust will be missing: nobody is left to call on, so
    it is theirs to find someone (or to note it). Not held for a digest: the meeting may be days away."""
    mail_on_commit(
        recipients=[person for person in network_leaders(network=meeting.network) if person.pk != absent.pk],
        template="meeting_no_deputy",
        context={
            "meeting": meeting,
            "absent": absent,
            "trust": HealthTrust.objects.get(pk=trust_id),
            "reason": reason,
        },
    )
