"""Review reminders for procedures and pathways, for the daily ``send_reminders`` run.

The responsible person is e-mailed once when the review date is within 30 days and once when it has
passed. ``ReviewReminderLog`` holds one row per reminder, procedure, review date and recipient, so a second
run the same day sends nothing, and a new review date starts the reminders again.
"""

import datetime
from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone

from fagnett.core.mail import mail_on_commit
from fagnett.procedures.models import Procedure, ReviewReminderLog, Status

REVIEW_LEAD = datetime.timedelta(days=30)


def review_reminders(now: datetime.datetime | None = None) -> Counter[str]:
    """Send the review reminders that are due; returns how many of each kind were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent: Counter[str] = Counter()
    procedures = (
        Procedure.objects.filter(review_date__lte=today + REVIEW_LEAD, responsible__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .select_related("responsible", "network")
    )
    for procedure in procedures:
        responsible = procedure.responsible
        if procedure.review_date is None or responsible is None:  # excluded by the query; for the type checker
            continue
        overdue = procedure.review_date < today
        kind = ReviewReminderLog.Kind.OVERDUE if overdue else ReviewReminderLog.Kind.DUE_SOON
        try:
            with transaction.atomic():
                ReviewReminderLog.objects.create(
                    kind=kind, procedure=procedure, review_date=procedure.review_date, recipient=responsible
                )
                mail_on_commit(
                    recipients=[responsible],
                    template="procedure_review",
                    context={"procedure": procedure, "overdue": overdue},
                )
        except IntegrityError:
            continue
        sent[f"procedure_review_{kind}"] += 1
    return sent
