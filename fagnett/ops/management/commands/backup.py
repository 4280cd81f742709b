"""Back up the database and every uploaded file into one archive: ``manage.py backup --output-dir /srv/backups``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from fagnett.ops.backup import ENGINE_NAMES, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one archive (fagnett-backup-<UTC time>.tar.gz) holding the database, every uploaded file in the "
        "file storage (MEDIA_ROOT, or the Azure container or S3 bucket) and a manifest with row counts and "
        "checksums. Safe while Fagnett runs. The last line printed is the archive's path. See docs/OPERATIONS.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir", default=".", help="Folder to write the archive to (created if missing). Default: here."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to back up. Default: default.")

    def handle(self, *args: Any, output_dir: str, database: str, **options: Any) -> None:
        try:
            result = backup_create(output_dir=Path(output_dir), alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        media = result.media_files
        self.stdout.write(
            f"Database ({ENGINE_NAMES[manifest['engine']]}): {len(manifest['tables'])} tables, {result.rows} rows, "
            f"{len(manifest['migrations'])} migrations applied."
        )
        media_size = sum(facts["size"] for facts in media.values())
        self.stdout.write(f"Uploaded files: {len(media)}, {_megabytes(media_size)}.")
        if result.missing_uploads:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(result.missing_uploads)} files the records point at are not in the file storage (lost "
                    "before this backup; an earlier archive may still have them):"
                )
            )
            for name in result.missing_uploads:
                self.stderr.write(f"  {name}")
        self.stdout.write(f"Archive: {_megabytes(result.path.stat().st_size)}, readable by its owner only.")
        self.stdout.write(str(result.path.resolve()))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
