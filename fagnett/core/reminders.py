"""Reminders sent once, and the registry the daily run asks.

Each app that reminds registers the function that sends its due reminders, in its ``AppConfig.ready()``
(meetings, procedures, progress), so the runner imports none of them. ``send_due`` is run once a day by the job
workers (the scheduled job "reminders", ``core.schedule``) and by hand by ``manage.py send_reminders``. Every reminder
goes through ``send_once``: ``ReminderLog`` has one row per kind, object and recipient, so a second run the same day
sends nothing.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fagnett.core.mail import mail_on_commit
from fagnett.core.models import ReminderLog

#: sends the reminders due at the given time; returns how many of each kind were sent
Reminders = Callable[[datetime.datetime], Counter[str]]

_registry: dict[str, Reminders] = {}


def register(name: str, reminders: Reminders) -> None:
    """Add an app's reminders under ``name`` (registering a name again replaces it, so ``ready()`` may run twice)."""
    _registry[name] = reminders


def send_due(now: datetime.datetime | None = None) -> Counter[str]:
    """Send every registered app's due reminders, the apps in the order of their names."""
    now = now or timezone.now()
    sent: Counter[str] = Counter()
    for name in sorted(_registry):
        sent += _registry[name](now)
    return sent


class _NothingToSend(Exception):
    """Raised inside ``send_once``'s transaction when the context says there is nothing to send: the claim goes too."""


#: the mail's context, or a function that makes it once the claim is won (None: nothing to send, claim nothing)
Context = dict[str, Any] | Callable[[], dict[str, Any] | None]


def send_once(*, kind: str, key: str, recipient: Any, template: str, context: Context, digest: bool = False) -> bool:
    """Mail ``recipient`` the reminder (``kind``, ``key``) unless it went to them before; True if sent now.

    ``key`` names the object and whatever makes a reminder about it new (a procedure's review date, a task's due
    date). The log row and the mail, sent after commit, stand or fall together. ``context`` may be a function,
    called after the claim is won and inside its transaction (the daily digest gathers and marks its entries
    there); when it returns None nothing is sent and nothing is claimed. ``digest`` as for ``mail_on_commit``: a
    person who chose the daily digest finds the reminder there.
    """
    try:
        with transaction.atomic():
            ReminderLog.objects.create(kind=kind, object_key=key, recipient=recipient)
            made = context() if callable(context) else context
            if made is None:
                raise _NothingToSend
            mail_on_commit(recipients=[recipient], template=template, context=made, digest=digest)
    except (IntegrityError, _NothingToSend):
        return False
    return True
