from typing import Any

from django.core.management.base import BaseCommand

from fagnett.meetings.reminders import send_due_reminders
from fagnett.procedures.reminders import review_reminders
from fagnett.progress.reminders import progress_reminders


class Command(BaseCommand):
    help = (
        "Send due reminders (invitations not sent, minutes not approved, action items due, procedures due for "
        "review). Run daily from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_reminders() + review_reminders() + progress_reminders()
        total = sum(sent.values())
        details = ", ".join(f"{kind}: {count}" for kind, count in sorted(sent.items())) or "none due"
        self.stdout.write(f"Sent {total} reminders ({details}).")
