"""Copy the uploaded files from the local folder into Azure Blob Storage or S3: ``manage.py move_files_to_storage``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fagnett.ops.files import MoveError, default_source, files_move

_LISTED = 20


class Command(BaseCommand):
    help = (
        "Copy every file under the local media folder (FAGNETT_MEDIA_ROOT, or --source) to the same name in the "
        "storage FAGNETT_STORAGE configures, verifying each copy's size. Safe to run again: files already there "
        "with the same size are skipped, never overwritten. Fails if any file differs or a record's file is missing "
        "from the storage afterwards. The folder is left as it is. See docs/OPERATIONS.md, 'Moving the files'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help="The folder the files are in (default: FAGNETT_MEDIA_ROOT).")
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be copied.")
        parser.add_argument(
            "--checksums",
            action="store_true",
            help="Also read every file back from the storage and compare its SHA-256 (slower: reads all twice).",
        )

    def handle(self, *args: Any, source: str | None, dry_run: bool, checksums: bool, **options: Any) -> None:
        folder = Path(source) if source else default_source()
        try:
            result = files_move(source=folder, dry_run=dry_run, checksums=checksums)
        except MoveError as error:
            raise CommandError(str(error)) from error
        megabytes = result.bytes_copied / 1_000_000
        verb = "Would copy" if dry_run else "Copied"
        self.stdout.write(
            f"{verb} {len(result.copied)} files ({megabytes:.1f} MB) from {folder} to {result.target}; "
            f"{len(result.already_there)} were there already."
        )
        if dry_run:
            for name in result.copied[:_LISTED]:
                self.stdout.write(f"  {name}")
        for problem in result.problems[:_LISTED]:
            self.stderr.write(f"  {problem}")
        if result.missing:
            self.stderr.write(f"{len(result.missing)} files the records point at are not in {result.target}:")
            for name in result.missing[:_LISTED]:
                self.stderr.write(f"  {name}")
        if result.problems or result.missing:
            raise CommandError(
                f"{len(result.problems)} files could not be copied as they are and {len(result.missing)} records' "
                "files are missing from the storage (listed above). Fix them and run the command again; files "
                "already copied are skipped."
            )
        if not dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Every file the records point at is in {result.target}, each of the right size.")
            )
