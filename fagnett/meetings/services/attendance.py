"""Attendance: who was present, absent or excused; recording it marks the meeting as held."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.permissions import require_perm
from fagnett.meetings.models import Attendance, Meeting
from fagnett.networks.models import Appointment


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
