from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from fagnett.core.mail import oldest_pending_age, outbox_sweep, pending_counts


class Command(BaseCommand):
    help = (
        "Sweep the e-mail outbox: queue again the mails whose job was lost (a worker stopped mid-send, a process "
        "ended between commit and enqueue), delete sent and failed mails older than FAGNETT_MAIL_KEEP_DAYS, and "
        "print what is pending. Safe to run at any time; a worker sends what it enqueues."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="Make every queued mail due at once instead of waiting for its back-off (after fixing the server).",
        )

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        result = outbox_sweep(all_now=now)
        counts = pending_counts()
        age = oldest_pending_age()
        oldest = "none pending" if age is None else f"oldest pending queued {age:.0f} s ago"
        self.stdout.write(
            f"Queued again {result.reclaimed} stopped mid-send, enqueued {result.enqueued}, deleted {result.deleted} "
            f"old. Now {counts['queued']} queued, {counts['sending']} being sent, {counts['failed']} failed; {oldest}."
        )
