"""Read every file kept at approval (core.kept) back from the storage and check it against its size and SHA-256:
the operator's check after a restore or a move of the storage, or on a schedule of their own. Exits with status 1
when any file is missing or changed, naming each."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fagnett.core import kept
from fagnett.core.models import KeptFile


class Command(BaseCommand):
    help = "Check every file kept at approval against its checksum."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, damaged = 0, []
        for row in KeptFile.objects.filter(state=KeptFile.State.KEPT).order_by("pk").iterator():
            try:
                kept.kept_read(row)
            except kept.KeptFileDamaged as error:
                damaged.append(f"{row.pk} {row.file.name} ({row.filename}): {error.problem}")
            checked += 1
        for line in damaged:
            self.stderr.write(line)
        if damaged:
            raise CommandError(f"{len(damaged)} of {checked} kept files are missing or changed")
        self.stdout.write(f"{checked} kept files match their checksums")
