"""Review reminders for procedures and pathways, for the daily ``send_reminders`` run.

The responsible person is e-mailed once when the review date is within 30 days and once when it has
passed. The reminder's key is the procedure and its review date (``core.reminders.send_once``), so a second
run the same day sends nothing, and a new review date starts the reminders again.
"""

import datetime
from collections import Counter

from django.utils import timezone

from fagnett.core.reminders import send_once
from fagnett.procedures.models import Procedure, Status

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
        kind = "procedure_review_overdue" if overdue else "procedure_review_due_soon"
        if send_once(
            kind=kind,
            key=f"{procedure.pk}:{procedure.review_date.isoformat()}",
            recipient=responsible,
            template="procedure_review",
            context={"procedure": procedure, "overdue": overdue},
            digest=True,
        ):
            sent[kind] += 1
    return sent
