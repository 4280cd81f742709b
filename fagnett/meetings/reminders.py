"""Reminders, run from cron by `manage.py send_reminders`. Each reminder goes to each person once.

- a meeting less than two weeks ahead whose invitation has not been sent → the leader and the secretary;
- minutes not approved 30 days after the meeting → the leader and the secretary;
- an action item due within three days, and again when it is overdue → its owner.
"""

import datetime
from collections import Counter
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fagnett.core.mail import mail_on_commit
from fagnett.meetings.models import ActionItem, Meeting, Minutes, ReminderLog
from fagnett.networks.models import Appointment, AppointmentRole

INVITATION_LEAD = datetime.timedelta(days=14)
MINUTES_DEADLINE = datetime.timedelta(days=30)
DUE_SOON = datetime.timedelta(days=3)


def _leaders(network_id: int) -> list[Any]:
    return [
        a.person
        for a in Appointment.objects.filter(
            network_id=network_id,
            status=Appointment.Status.APPOINTED,
            role__in=[AppointmentRole.LEADER, AppointmentRole.SECRETARY],
        ).select_related("person")
    ]


def _send_once(kind: str, key: str, person: Any, template: str, context: dict[str, Any]) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(kind=kind, object_key=key, recipient=person)
            mail_on_commit(recipients=[person], template=template, context=context)
    except IntegrityError:
        return False
    return True


def send_due_reminders(now: datetime.datetime | None = None) -> Counter[str]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent: Counter[str] = Counter()

    for meeting in Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        invitation_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + INVITATION_LEAD,
    ).select_related("network"):
        for person in _leaders(meeting.network_id):
            if _send_once("invitation_not_sent", str(meeting.pk), person, "reminder_invitation", {"meeting": meeting}):
                sent["invitation_not_sent"] += 1

    approved = Minutes.objects.filter(status=Minutes.Status.APPROVED).values("meeting_id")
    for meeting in (
        Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__lte=now - MINUTES_DEADLINE)
        .exclude(pk__in=approved)
        .select_related("network")
    ):
        for person in _leaders(meeting.network_id):
            if _send_once("minutes_not_approved", str(meeting.pk), person, "reminder_minutes", {"meeting": meeting}):
                sent["minutes_not_approved"] += 1

    for item in ActionItem.objects.filter(
        Q(due_date__lte=today + DUE_SOON), status=ActionItem.Status.OPEN
    ).select_related("owner", "network"):
        kind = "action_overdue" if item.due_date < today else "action_due_soon"
        if _send_once(
            kind, str(item.pk), item.owner, "reminder_action_item", {"item": item, "overdue": kind == "action_overdue"}
        ):
            sent[kind] += 1
    return sent
