"""Issue an API key for a health trust's own systems: ``manage.py capacity_api_key UNN "EPJ-integrasjon"``."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fagnett.capacity.services import api_token_issue
from fagnett.organisations.models import HealthTrust


class Command(BaseCommand):
    help = "Issue an API key for the ICU capacity API to a health trust. The key is shown once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("trust", help="The trust's short name, e.g. UNN")
        parser.add_argument("name", help="What the key is for, e.g. the system that uses it")

    def handle(self, *args: Any, **options: Any) -> None:
        trust = HealthTrust.objects.filter(short_name=options["trust"]).first()
        if trust is None:
            raise CommandError(f"No health trust with the short name {options['trust']!r}.")
        try:
            _token, raw = api_token_issue(trust=trust, name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(raw)
