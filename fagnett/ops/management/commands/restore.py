"""Restore a backup into an empty database and file storage: ``manage.py restore fagnett-backup-….tar.gz``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from fagnett.ops.backup import ENGINE_NAMES, BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into an EMPTY database and an empty file storage, then "
        "verify every table's row count and content and every file's SHA-256 against the archive's manifest. Exits "
        "non-zero on any difference. See docs/OPERATIONS.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The fagnett-backup-….tar.gz file.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to restore into.")
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="Only check that the archive is readable and matches its manifest; restore nothing.",
        )

    def handle(self, *args: Any, archive: str, database: str, check_only: bool, **options: Any) -> None:
        try:
            result = backup_restore(archive=Path(archive), alias=database, check_only=check_only)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        fagnett = manifest["fagnett"]
        self.stdout.write(
            f"Archive made {manifest['created']} by Fagnett {fagnett.get('version') or '(version unknown)'}"
            f"{' at commit ' + fagnett['commit'] if fagnett.get('commit') else ''} from "
            f"{ENGINE_NAMES[manifest['engine']]}; tables: {len(manifest['tables'])}, rows: {result.rows}, "
            f"uploaded files: {result.media_files}."
        )
        if not result.restored:
            self.stdout.write(
                self.style.SUCCESS(f"The archive is intact: all {len(manifest['files'])} files match the manifest.")
            )
            return
        for note in result.notes:
            self.stderr.write(self.style.WARNING(note))
        if result.problems:
            for problem in result.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"Restored, but {len(result.problems)} checks against the manifest failed (listed above). "
                "Do not use this database; restore an earlier archive into a new, empty database."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified against the manifest: {len(manifest['tables'])} tables with {result.rows} "
                f"rows (counts and content) and {result.media_files} uploaded files (SHA-256), all as backed up."
            )
        )
