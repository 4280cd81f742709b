"""The daily digest: one e-mail listing the notifications held for a person who chose to get them once a day.

``core.mail.mail_on_commit(digest=True)`` keeps such a notification as a ``DigestEntry`` (its subject and link, in
the person's language) instead of sending it. ``digest_send`` runs once a day (the scheduled job
"notification-digest", ``core/apps.py``) and sends each person with entries waiting one mail listing them, through
``core.reminders.send_once``: its ``ReminderLog`` row (kind "digest", the local date, the person) is the claim, so
a second run on the same day — by hand, or a second worker — sends nothing, and the entries it lists are marked in
the same transaction, so none is listed twice. A person with nothing waiting gets nothing.
"""

import datetime
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from fagnett.core.models import DigestEntry
from fagnett.core.reminders import send_once

KIND = "digest"


def _gather(person: Any, now: datetime.datetime) -> dict[str, Any] | None:
    """The person's waiting entries, marked as listed (inside ``send_once``'s transaction), or None if none wait."""
    waiting = DigestEntry.objects.filter(recipient=person, digested_at=None, created_at__lte=now)
    entries = list(waiting.select_for_update().order_by("created_at", "pk"))
    if not entries:
        return None
    DigestEntry.objects.filter(pk__in=[entry.pk for entry in entries], digested_at=None).update(digested_at=now)
    return {"entries": entries, "count": len(entries)}


def digest_send(now: datetime.datetime | None = None) -> int:
    """Send today's digest to everyone with notifications waiting; returns how many digests were sent now."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    waiting = DigestEntry.objects.filter(digested_at=None, created_at__lte=now).values("recipient_id")
    sent = 0
    for person in get_user_model().objects.filter(pk__in=waiting, is_active=True).order_by("pk"):
        if send_once(
            kind=KIND,
            key=day,
            recipient=person,
            template="digest",
            context=partial(_gather, person, now),
        ):
            sent += 1
    return sent
