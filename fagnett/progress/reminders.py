"""Overdue progress reports, for the daily ``send_reminders`` run.

When a task's progress report is overdue, the network's leader and secretary are e-mailed once. The reminder's
key is the task and its due date (``core.reminders.send_once``), so a second run the same day sends nothing, and
the next due date (after the next report) starts the reminders again.
"""

import datetime
from collections import Counter

from django.utils import timezone

from fagnett.core.reminders import send_once
from fagnett.networks.models import Appointment
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.progress.selectors import overdue_tasks


def progress_reminders(today: datetime.date | None = None) -> Counter[str]:
    """Send the reminders for overdue progress reports; returns how many were sent."""
    today = today or timezone.localdate()
    sent: Counter[str] = Counter()
    tasks = overdue_tasks(today=today)
    leaders: dict[int, list[Appointment]] = {}
    for appointment in Appointment.objects.filter(
        network_id__in={task.case.network_id for task in tasks},
        status=Appointment.Status.APPOINTED,
        role__in=LEADERSHIP_ROLES,
    ).select_related("person"):
        leaders.setdefault(appointment.network_id, []).append(appointment)
    for task in tasks:
        assert task.next_due is not None  # overdue tasks have a due date
        for appointment in leaders.get(task.case.network_id or 0, []):
            if send_once(
                kind="progress_overdue",
                key=f"{task.case.pk}:{task.next_due.isoformat()}",
                recipient=appointment.person,
                template="progress_overdue",
                context={"task": task, "case": task.case},
                digest=True,
            ):
                sent["progress_overdue"] += 1
    return sent
