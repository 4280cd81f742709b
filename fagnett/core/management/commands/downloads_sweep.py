"""Start again (or fail with a message) the background jobs whose worker died, and delete the downloads whose keep
time is over. Safe to run as often as wanted, on any host; the daily scheduler calls the same functions."""

from typing import Any

from django.core.management.base import BaseCommand

from fagnett.core import downloads


class Command(BaseCommand):
    help = "Recover background jobs whose worker died, and delete expired downloads."

    def handle(self, *args: Any, **options: Any) -> None:
        recovered, expired = downloads.sweep()
        self.stdout.write(f"recovered {recovered}, expired {expired}")
