from typing import Any

from django.core.management.base import BaseCommand

from fagnett.core.reminders import send_due


class Command(BaseCommand):
    help = (
        "Send due reminders (invitations not sent, minutes not approved, action items due, procedures due for "
        "review, overdue progress reports): every app's registered reminders. The job workers run this daily at "
        "FAGNETT_REMINDERS_AT; a run by hand sends only what has not been sent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due()
        total = sum(sent.values())
        details = ", ".join(f"{kind}: {count}" for kind, count in sorted(sent.items())) or "none due"
        self.stdout.write(f"Sent {total} reminders ({details}).")
