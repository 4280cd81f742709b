"""Moving the uploaded files from a local folder into the configured storage (Azure Blob Storage or S3).

``manage.py move_files_to_storage`` (docs/OPERATIONS.md, "Moving the files") copies every file under the old
folder to the same name in ``default_storage``, so the records' file names stay valid and no row changes. It can
be run again and again: a file already in the storage with the same size is left alone, one with another size is
reported and never overwritten. Every copy's size is read back from the storage (and, with ``checksums``, its
content too). At the end, every file a record points at must be in the storage. The folder itself is left as it
is: remove it only after a backup from the new storage has been restored and checked.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import models

from fagnett.core.storage import storage_kind, stored_file_chunks, stored_names


class MoveError(Exception):
    """The move cannot start; the message says what to set."""


@dataclass
class MoveResult:
    target: str
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    bytes_copied: int = 0
    problems: list[str] = field(default_factory=list)
    # Files the records point at that are in the storage after the move: none may be missing.
    missing: list[str] = field(default_factory=list)


def files_move(*, source: Path, dry_run: bool = False, checksums: bool = False) -> MoveResult:
    target: Storage = default_storage
    kind = storage_kind(target)
    if kind == "local":
        raise MoveError(
            "The configured storage is a local folder. Set FAGNETT_STORAGE (azure or s3) and its settings for this "
            "command, then run it again; FAGNETT_MEDIA_ROOT (or --source) names the folder the files come from."
        )
    if not source.is_dir():
        raise MoveError(f"{source} is not a folder. Name the folder the files are in with --source.")
    local = FileSystemStorage(location=source)
    result = MoveResult(target=_target_name(target))
    in_target = set(stored_names(target))
    for name in stored_names(local):
        path = source / name
        if path.is_symlink() or not path.is_file():
            result.problems.append(f"{name}: not a regular file; left out")
            continue
        size = path.stat().st_size
        if name in in_target:
            there = target.size(name)
            if there != size:
                result.problems.append(f"{name}: already in the storage with {there} bytes, {size} on disk; left as is")
            elif checksums and _sha256(target, name) != _file_sha256(path):
                result.problems.append(f"{name}: already in the storage with other content; left as is")
            else:
                result.already_there.append(name)
            continue
        if dry_run:
            result.copied.append(name)
            result.bytes_copied += size
            continue
        with path.open("rb") as handle:
            saved = target.save(name, File(handle, name=name))
        if saved != name:  # checked above that the name was free: another process wrote it meanwhile
            result.problems.append(f"{name}: the storage kept it as {saved}; delete that copy and run again")
            continue
        there = target.size(name)
        if there != size:
            result.problems.append(f"{name}: {there} bytes in the storage after the copy, {size} on disk")
            continue
        if checksums and _sha256(target, name) != _file_sha256(path):
            result.problems.append(f"{name}: the copy in the storage differs from the file on disk")
            continue
        result.copied.append(name)
        result.bytes_copied += size
        in_target.add(name)
    if not dry_run:
        result.missing = sorted(_referenced_files() - in_target)
    return result


def _referenced_files() -> set[str]:
    """Every file name a record's file field holds."""
    names: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                values = model._default_manager.exclude(**{model_field.name: ""}).values_list(model_field.name)
                names.update(name for (name,) in values.iterator() if name)
    return names


def _sha256(storage: Storage, name: str) -> str:
    reading = stored_file_chunks(storage, name)
    digest = hashlib.sha256()
    try:
        for chunk in reading.chunks:
            digest.update(chunk)
    finally:
        reading.close()
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _target_name(storage: Storage) -> str:
    if storage_kind(storage) == "azure":
        return f"Azure container {getattr(storage, 'azure_container', '')}"
    return f"S3 bucket {getattr(storage, 'bucket_name', '')}"


def default_source() -> Path:
    return Path(str(settings.MEDIA_ROOT))
