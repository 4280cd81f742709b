"""Reminders, run from cron by `manage.py send_reminders` (registered with ``core.reminders`` in ``apps.py``).
Each reminder goes to each person once (``core.reminders.send_once``).

- a meeting less than two weeks ahead whose invitation has not been sent → the leader and the secretary;
- minutes not approved 30 days after the meeting → the leader and the secretary;
- an action item due within three days, and again when it is overdue → its owner.
"""

import datetime
from collections import Counter
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fagnett.core.reminders import send_once
from fagnett.meetings.models import ActionItem, Meeting, Minutes
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
            if send_once(
                kind="invitation_not_sent",
                key=str(meeting.pk),
                recipient=person,
                template="reminder_invitation",
                context={"meeting": meeting},
                digest=True,
            ):
                sent["invitation_not_sent"] += 1

    approved = Minutes.objects.filter(status=Minutes.Status.APPROVED).values("meeting_id")
    for meeting in (
        Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__lte=now - MINUTES_DEADLINE)
        .exclude(pk__in=approved)
        .select_related("network")
    ):
        for person in _leaders(meeting.network_id):
            if send_once(
                kind="minutes_not_approved",
                key=str(meeting.pk),
                recipient=person,
                template="reminder_minutes",
                context={"meeting": meeting},
                digest=True,
            ):
                sent["minutes_not_approved"] += 1

    for item in ActionItem.objects.filter(
        Q(due_date__lte=today + DUE_SOON), status=ActionItem.Status.OPEN
    ).select_related("owner", "network"):
        kind = "action_overdue" if item.due_date < today else "action_due_soon"
        if send_once(
            kind=kind,
            key=str(item.pk),
            recipient=item.owner,
            template="reminder_action_item",
            context={"item": item, "overdue": kind == "action_overdue"},
            digest=True,
        ):
            sent[kind] += 1
    return sent
