from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from fagnett.demo import builder
from fagnett.demo.data import DEMO_PASSWORD
from fagnett.organisations.models import Region


class Command(BaseCommand):
    help = "Load the demo data (two regions, 36 networks, fictional people). Does nothing if already loaded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Empty the database first and load afresh.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, reset: bool = False, quiet_logins: bool = False, **options: Any) -> None:
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if Region.objects.exists():
            self.stdout.write("Demo data already loaded (use --reset to load it afresh).")
        else:
            counts = builder.build()
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {counts}"))
        if not quiet_logins:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for login in builder.DEMO_LOGINS:
                self.stdout.write(f"  {login.username:<20} {login.role:<30} {login.description}")
