"""Backup and restore: the database and every uploaded file in one archive, with a manifest to check it by.

An archive, ``fagnett-backup-<UTC time>.tar.gz``, holds

- ``database.sqlite3``, a consistent copy made with SQLite's online backup API (safe while the app runs), or
  ``database.pgdump``, ``pg_dump --format=custom`` of one exported snapshot;
- ``media/…``, every file in the file storage (``MEDIA_ROOT``, or the Azure container or S3 bucket that
  ``FAGNETT_STORAGE`` names): agenda documents, case attachments, generated files; read through Django's storage
  API, so a backup made from one kind of storage restores into any other;
- ``manifest.json``: Fagnett's version and commit, the engine, the applied migrations, per table the number of
  rows and a digest of their content, and the SHA-256 of every other file in the archive.

Row counts and digests come from the same snapshot as the dump (on SQLite: from the copy itself), so that a
restore can prove it brought back exactly what was backed up, even when people were working during the backup.
A restore goes only into an empty database and an empty file storage, and checks the archive against its
manifest before it writes anything.
"""

import contextlib
import glob
import gzip
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.connection import ConnectionDoesNotExist

from fagnett.core.storage import storage_kind, stored_file_chunks, stored_names

FORMAT = "fagnett-backup/1"
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1024 * 1024
_MAX_LISTED = 20  # problems named one by one before "… and N more"
# Database settings (OPTIONS) that pg_dump and pg_restore take from the environment, as libpq does.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """The database, the archive or the place to restore to is not as it must be; the message says what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(table["rows"] for table in self.manifest["tables"].values())

    @property
    def media_files(self) -> dict[str, dict[str, Any]]:
        return {name: facts for name, facts in self.manifest["files"].items() if name.startswith(MEDIA_PREFIX)}

    @property
    def missing_uploads(self) -> list[str]:
        return list(self.manifest["missing_uploads"])


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    restored: bool
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(table["rows"] for table in self.manifest["tables"].values())

    @property
    def media_files(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith(MEDIA_PREFIX))


# --- Backup -----------------------------------------------------------------------------------------------------


def backup_create(*, output_dir: Path, alias: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write one archive of the database ``alias`` and of the file storage into ``output_dir``.

    The archive is readable by its owner only (it holds every record and password hash) and appears under its
    final name only when it is complete, so a crash never leaves a half archive that looks whole.
    """
    connection = _connection(alias)
    engine = connection.vendor
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"The folder {output_dir} cannot be made: {error}") from error
    if not os.access(output_dir, os.W_OK):
        raise BackupError(f"The folder {output_dir} is not writable for this user.")
    path = output_dir / f"fagnett-backup-{timezone.now():%Y%m%dT%H%M%SZ}.tar.gz"
    if path.exists():
        raise BackupError(f"{path} already exists. Wait a second and run the backup again.")
    partial = path.with_name(path.name + ".part")
    with tempfile.TemporaryDirectory(prefix=".fagnett-backup-", dir=output_dir) as staging:
        dump = Path(staging) / DATABASE_FILES[engine]
        database = _dump_sqlite(connection, dump) if engine == "sqlite" else _dump_postgresql(alias, dump)
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                files = {dump.name: _add_file(tar, dump, dump.name)}
                for stored in _stored_files(default_storage):
                    try:
                        files[MEDIA_PREFIX + stored] = _add_stored_file(
                            tar, default_storage, stored, Path(staging), MEDIA_PREFIX + stored
                        )
                    except FileNotFoundError:
                        continue  # deleted since the snapshot; if a record still points at it, it is named below
                manifest = {
                    "format": FORMAT,
                    "created": timezone.now().isoformat(timespec="seconds"),
                    "fagnett": _fagnett_version(),
                    "engine": engine,
                    "database": database["database"],
                    "migrations": database["migrations"],
                    "tables": database["tables"],
                    "files": files,
                    # Files the records point at that were not in the storage: lost before the backup was made.
                    "missing_uploads": sorted(
                        database["uploads"] - {name.removeprefix(MEDIA_PREFIX) for name in files}
                    ),
                }
                content = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(content), 0o600, int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(content))
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(path=path, manifest=manifest)


def _dump_sqlite(connection: BaseDatabaseWrapper, dump: Path) -> dict[str, Any]:
    """Copy the live database with SQLite's backup API (one consistent snapshot) and describe the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        try:
            connection.connection.backup(copy)
        except sqlite3.Error as error:
            raise BackupError(f"The database could not be copied: {error}") from error
        # A single self-contained file, whatever journal mode the live database uses.
        copy.execute("PRAGMA journal_mode=DELETE")
        described = _describe_sqlite(copy)
        described["uploads"] = _referenced_uploads(copy.cursor(), _sqlite_quote, described["tables"])
    finally:
        copy.close()
    return {"database": {"file": dump.name, "tool": f"SQLite {sqlite3.sqlite_version}"}, **described}


def _dump_postgresql(alias: str, dump: Path) -> dict[str, Any]:
    """Run pg_dump in a snapshot exported by our own transaction, and count and digest the rows in that snapshot."""
    connection = connections.create_connection(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            server_version = int(cursor.fetchone()[0])
            tool, tool_version = _pg_tool("pg_dump", server_version // 10000)
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            args, env = _libpq(connection.settings_dict)
            _run(
                [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", *args],
                env,
                "pg_dump",
            )
            described = _describe_postgresql(connection, cursor)
            described["uploads"] = _referenced_uploads(cursor, connection.ops.quote_name, described["tables"])
            cursor.execute("ROLLBACK")
    except DatabaseError as error:
        raise BackupError(f"The database could not be read: {error}") from error
    finally:
        connection.close()
    return {
        "database": {"file": dump.name, "tool": tool_version, "server_version": server_version},
        **described,
    }


def _stored_files(storage: Storage) -> Iterator[str]:
    """The name of every file in the storage, in a stable order; a local folder must hold only regular files."""
    root = Path(str(settings.MEDIA_ROOT)) if storage_kind(storage) == "local" else None
    for name in stored_names(storage):
        if root is not None and (root / name).is_symlink():
            raise BackupError(
                f"{root / name} is not a regular file. The media folder holds only uploaded files; move it away."
            )
        yield name


def _add_stored_file(tar: tarfile.TarFile, storage: Storage, stored: str, staging: Path, name: str) -> dict[str, Any]:
    """Add the stored file ``stored`` to the archive as ``name``, hashing exactly the bytes that go in.

    The file is first copied to ``staging`` in chunks (a tar member's size must be known before its bytes), so a
    blob that changes while it is read cannot make the member's size and content disagree.
    """
    reading = stored_file_chunks(storage, stored)
    copy = staging / "stored-file"
    hashing = hashlib.sha256()
    try:
        with copy.open("wb") as out:
            for chunk in reading.chunks:
                hashing.update(chunk)
                out.write(chunk)
    finally:
        reading.close()
    try:
        with copy.open("rb") as source:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = copy.stat().st_size, 0o600, int(timezone.now().timestamp())
            tar.addfile(info, source)
    finally:
        copy.unlink()
    return {"sha256": hashing.hexdigest(), "size": info.size}


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    """Add ``path`` to the archive, hashing exactly the bytes that go in."""
    with path.open("rb") as source:
        status = os.fstat(source.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = status.st_size, 0o600, int(status.st_mtime)
        reader = _HashingReader(source)
        try:
            tar.addfile(info, reader)
        except OSError as error:  # the file shrank while it was read
            raise BackupError(f"{path} changed while it was backed up ({error}). Run the backup again.") from error
    return {"sha256": reader.hexdigest(), "size": info.size}


def _fagnett_version() -> dict[str, str | None]:
    base = Path(settings.BASE_DIR)
    version = None
    with contextlib.suppress(OSError, KeyError, tomllib.TOMLDecodeError):
        version = str(tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"])
    commit = None
    git = shutil.which("git")
    if git and (base / ".git").exists():
        try:
            result = subprocess.run(
                [git, "-C", str(base), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            result = None
        if result is not None and result.returncode == 0:
            commit = result.stdout.strip()
    return {"version": version, "commit": commit}


# --- Restore ----------------------------------------------------------------------------------------------------


def backup_restore(*, archive: Path, alias: str = DEFAULT_DB_ALIAS, check_only: bool = False) -> RestoreResult:
    """Restore ``archive`` into the empty database ``alias`` and the empty file storage, then verify both.

    Refuses, writing nothing, when the database or the file storage is not empty, when the archive was made from
    another engine, or when any file in the archive differs from its manifest. After restoring, every table's row
    count and digest and every file's SHA-256 are compared with the manifest; the differences are in
    ``problems``. With ``check_only`` the archive is only checked against its manifest.
    """
    connection = _connection(alias)
    storage = default_storage
    if not check_only:
        _require_empty_database(connection)
        _require_empty_storage(storage)
    with tempfile.TemporaryDirectory(prefix="fagnett-restore-") as temporary:
        staging = Path(temporary)
        manifest = _unpack(archive, staging)
        if check_only:
            return RestoreResult(manifest=manifest, restored=False)
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"The archive holds a {ENGINE_NAMES[manifest['engine']]} database, but the database to restore to "
                f"is {ENGINE_NAMES[connection.vendor]}. Restore into the engine the backup was made from."
            )
        dump = staging / manifest["database"]["file"]
        if connection.vendor == "sqlite":
            _restore_sqlite(connection, dump)
        else:
            _restore_postgresql(connection, dump, manifest)
        try:
            for name in manifest["files"]:
                if name.startswith(MEDIA_PREFIX):
                    stored = name.removeprefix(MEDIA_PREFIX)
                    with (staging / name).open("rb") as source:
                        saved = storage.save(stored, File(source, name=stored))
                    if saved != stored:  # the storage was empty, so only another process can have taken the name
                        raise OSError(f"the storage kept {stored} as {saved}; something else writes to it")
        except Exception as error:  # OSError from a disk, the SDKs' own errors from Azure or S3
            raise BackupError(
                f"The database is restored, but copying the uploaded files to {_storage_name(storage)} failed: "
                f"{error}. Empty the database and the storage, make room or fix the permissions, and restore again."
            ) from error
    result = RestoreResult(manifest=manifest, restored=True)
    result.problems = _verify_database(connection, manifest) + _verify_storage(storage, manifest)
    result.notes = _migration_notes(manifest)
    if manifest.get("missing_uploads"):
        result.notes.append(
            f"{len(manifest['missing_uploads'])} files the records point at were already missing when the backup "
            f"was made, so they are not restored either: {', '.join(manifest['missing_uploads'][:_MAX_LISTED])}"
        )
    return result


def _require_empty_database(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite" and not _sqlite_in_memory(connection):
        target = Path(str(connection.settings_dict["NAME"]))
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            return
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                    "AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'"
                )
            else:
                cursor.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view')")
            objects = cursor.fetchone()[0]
    except DatabaseError as error:
        raise BackupError(f"Cannot connect to the database to restore to: {error}") from error
    if objects:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']!s} is not empty: it holds {objects} tables, views or "
            "sequences. A restore goes only into an empty database, so that nothing is mixed or overwritten. "
            "Create a new, empty database (PostgreSQL: createdb; SQLite: a file that does not exist yet), point "
            "DATABASE_URL at it and run the restore again."
        )
    if connection.vendor == "sqlite" and _sqlite_in_memory(connection):
        raise BackupError("The database to restore to is in memory. Point DATABASE_URL at a file.")


def _require_empty_storage(storage: Storage) -> None:
    existing = sum(1 for _ in stored_names(storage))
    if existing:
        raise BackupError(
            f"The file storage ({_storage_name(storage)}) already holds {existing} files. A restore puts the uploaded "
            "files back only into an empty storage: set FAGNETT_MEDIA_ROOT to an empty or new folder (or "
            "FAGNETT_AZURE_CONTAINER / FAGNETT_S3_BUCKET to an empty one) and run the restore again."
        )


def _storage_name(storage: Storage) -> str:
    """Where the files are, in words an operator recognises in the settings."""
    kind = storage_kind(storage)
    if kind == "azure":
        return f"Azure container {getattr(storage, 'azure_container', '')}"
    if kind == "s3":
        return f"S3 bucket {getattr(storage, 'bucket_name', '')}"
    return f"the folder {settings.MEDIA_ROOT}"


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Extract ``archive`` into ``staging`` and check every file against the manifest; the manifest if all match."""
    found: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                name = member.name
                allowed = name == MANIFEST or name in DATABASE_FILES.values() or name.startswith(MEDIA_PREFIX)
                if not member.isfile() or not allowed or posixpath.normpath(name) != name or ".." in name.split("/"):
                    raise BackupError(f"{archive} is not a Fagnett backup: it holds {name!r}.")
                if name in found:
                    raise BackupError(f"{archive} holds {name} twice; it is damaged.")
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None  # a regular file always has content
                with target.open("wb") as out:
                    reader = _HashingReader(source)
                    shutil.copyfileobj(reader, out, _CHUNK)
                found[name] = {"sha256": reader.hexdigest(), "size": reader.size}
    except FileNotFoundError as error:
        raise BackupError(f"There is no archive {archive}.") from error
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise BackupError(f"{archive} cannot be read ({error}); it is damaged or not a Fagnett backup.") from error
    if MANIFEST not in found:
        raise BackupError(f"{archive} has no {MANIFEST}; it is not a Fagnett backup.")
    try:
        manifest: dict[str, Any] = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"The manifest in {archive} cannot be read ({error}); the archive is damaged.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup this version of Fagnett can restore (format {FORMAT}).")
    engine = manifest.get("engine")
    if engine not in DATABASE_FILES or (manifest.get("database") or {}).get("file") != DATABASE_FILES[engine]:
        raise BackupError(f"The manifest in {archive} names no database this version of Fagnett can restore.")
    del found[MANIFEST]
    problems = _compare_files(manifest["files"], found, where="in the archive")
    if problems:
        raise BackupError(
            f"{archive} does not match its manifest, so nothing was restored:\n" + "\n".join(_listed(problems))
        )
    return manifest


def _restore_sqlite(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """Copy the database file in place (the target is empty, so there is nothing of it to keep)."""
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(dump, partial)
    os.replace(partial, target)


def _restore_postgresql(connection: BaseDatabaseWrapper, dump: Path, manifest: dict[str, Any]) -> None:
    """pg_restore in one transaction: either the whole database is restored or nothing is."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    dumped_with = re.search(r"\) (\d+)", str(manifest["database"].get("tool", "")))
    needed = max(server_major, int(dumped_with.group(1)) if dumped_with else 0)
    tool, _version = _pg_tool("pg_restore", needed)
    args, env = _libpq(connection.settings_dict)
    # No owners and no grants: the roles of the old server need not exist on the new one, and the database's
    # owner (the role we connect as) is the one Fagnett uses.
    _run(
        [tool, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", *args, str(dump)],
        env,
        "pg_restore",
    )


def _verify_database(connection: BaseDatabaseWrapper, manifest: dict[str, Any]) -> list[str]:
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"])).resolve()
        restored = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            actual = _describe_sqlite(restored)["tables"]
        finally:
            restored.close()
    else:
        with connection.cursor() as cursor:
            actual = _describe_postgresql(connection, cursor)["tables"]
    expected: dict[str, dict[str, Any]] = manifest["tables"]
    problems = []
    for table in sorted(expected.keys() | actual.keys()):
        if table not in actual:
            problems.append(f"table {table}: missing from the restored database")
        elif table not in expected:
            problems.append(f"table {table}: in the restored database but not in the backup")
        elif actual[table]["rows"] != expected[table]["rows"]:
            problems.append(
                f"table {table}: {actual[table]['rows']} rows restored, the backup has {expected[table]['rows']}"
            )
        elif actual[table]["sha256"] != expected[table]["sha256"]:
            problems.append(f"table {table}: the restored rows differ from the backup's")
    return problems


def _verify_storage(storage: Storage, manifest: dict[str, Any]) -> list[str]:
    """Read every stored file back and compare it with the manifest."""
    expected = {name: facts for name, facts in manifest["files"].items() if name.startswith(MEDIA_PREFIX)}
    actual = {}
    for stored in stored_names(storage):
        reading = stored_file_chunks(storage, stored)
        hashing, size = hashlib.sha256(), 0
        try:
            for chunk in reading.chunks:
                hashing.update(chunk)
                size += len(chunk)
        finally:
            reading.close()
        actual[MEDIA_PREFIX + stored] = {"sha256": hashing.hexdigest(), "size": size}
    return _compare_files(expected, actual, where=f"in {_storage_name(storage)}")


def _compare_files(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]], *, where: str) -> list[str]:
    problems = []
    for name in sorted(expected.keys() | actual.keys()):
        if name not in actual:
            problems.append(f"{name}: missing {where}")
        elif name not in expected:
            problems.append(f"{name}: {where} but not in the manifest")
        elif actual[name]["sha256"] != expected[name]["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest (the file was changed or damaged)")
    return problems


def _migration_notes(manifest: dict[str, Any]) -> list[str]:
    in_code = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    in_backup = set(manifest["migrations"])
    notes = []
    unknown = sorted(in_backup - in_code)
    if unknown:
        release = manifest["fagnett"].get("commit") or manifest["fagnett"].get("version") or "unknown"
        notes.append(
            f"The backup has {len(unknown)} migrations this code does not know (e.g. {unknown[0]}): it was made by a "
            f"newer Fagnett (release {release}). Install that release before you start the app on this database."
        )
    pending = sorted(in_code - in_backup)
    if pending and not unknown:
        notes.append(
            f"This code has {len(pending)} migrations the backup has not applied (e.g. {pending[0]}): "
            "run manage.py migrate before you start the app."
        )
    return notes


# --- Shared -------------------------------------------------------------------------------------------------------


def _connection(alias: str) -> BaseDatabaseWrapper:
    try:
        connection = connections[alias]
    except ConnectionDoesNotExist as error:
        raise BackupError(f"There is no database {alias!r} in the settings.") from error
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups are made of SQLite and PostgreSQL databases, not {connection.vendor}.")
    return connection


def _describe_sqlite(database: sqlite3.Connection) -> dict[str, Any]:
    cursor = database.cursor()
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    tables = [row[0] for row in cursor.fetchall()]
    return _describe(cursor, tables, _sqlite_quote)


def _describe_postgresql(connection: BaseDatabaseWrapper, cursor: Any) -> dict[str, Any]:
    tables = connection.introspection.table_names(cursor)
    return _describe(cursor, tables, connection.ops.quote_name)


def _describe(cursor: Any, tables: Iterable[str], quote: Callable[[str], str]) -> dict[str, Any]:
    """Rows per table with an order-free digest of their content, and the applied migrations.

    The digest is the SHA-256 of the sorted SHA-256s of the rows, so it does not depend on the order the
    database returns them in (which can differ between servers with different collations).
    """
    described: dict[str, dict[str, Any]] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 — the name comes from the database's catalogue
        digests: list[bytes] = []
        while rows := cursor.fetchmany(1000):
            digests.extend(hashlib.sha256(_row_bytes(row)).digest() for row in rows)
        digests.sort()
        described[table] = {"rows": len(digests), "sha256": hashlib.sha256(b"".join(digests)).hexdigest()}
    migrations: list[str] = []
    if "django_migrations" in described:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
    return {"tables": described, "migrations": migrations}


def _referenced_uploads(cursor: Any, quote: Callable[[str], str], tables: Iterable[str]) -> set[str]:
    """The names (relative to MEDIA_ROOT) of the uploaded files that the records' file fields point at."""
    names: set[str] = set()
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                table, column = quote(model._meta.db_table), quote(str(model_field.column))
                cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 — names from the models
                names.update(name for (name,) in cursor.fetchall() if name)
    return names


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_bytes(row: Iterable[Any]) -> bytes:
    return json.dumps(list(row), default=_row_value, sort_keys=True, ensure_ascii=False).encode()


def _row_value(value: Any) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes | bytearray):
        return "bytes:" + bytes(value).hex()
    return f"{type(value).__name__}:{value}"


def _sqlite_in_memory(connection: BaseDatabaseWrapper) -> bool:
    name = str(connection.settings_dict["NAME"])
    return name == ":memory:" or "mode=memory" in name


def _listed(problems: list[str]) -> list[str]:
    shown = [f"  {problem}" for problem in problems[:_MAX_LISTED]]
    if len(problems) > _MAX_LISTED:
        shown.append(f"  … and {len(problems) - _MAX_LISTED} more")
    return shown


def _libpq(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment for pg_dump/pg_restore; the password goes in the environment only."""
    args = ["--no-password", f"--dbname={settings_dict['NAME']}"]
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    env = dict(os.environ)  # PATH, locale and any libpq settings of the operator's shell
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    return args, env


def _pg_tool(name: str, major: int) -> tuple[str, str]:
    """The path and version of ``name`` (pg_dump, pg_restore) of PostgreSQL ``major`` or newer.

    Looks on PATH first, then in Debian's ``/usr/lib/postgresql/<version>/bin``, newest first.
    """
    candidates = [found] if (found := shutil.which(name)) else []
    candidates += sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path)],
        reverse=True,
    )
    seen = []
    for candidate in candidates:
        try:
            result = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = result.stdout.strip()
        match = re.search(r"\) (\d+)", version)
        if result.returncode == 0 and match and int(match.group(1)) >= major:
            return candidate, version
        seen.append(f"{candidate} ({version or 'does not run'})")
    raise BackupError(
        f"{name} of PostgreSQL {major} or newer is needed but was not found (found: {', '.join(seen) or 'none'}). "
        f"Install the PostgreSQL client tools (Debian: postgresql-client-{major})."
    )


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"{what} could not be started: {error}") from error
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit status {result.returncode}):\n{result.stderr.strip()[-4000:]}")


class _HashingReader:
    """Reads a file object and keeps the SHA-256 and size of what was read."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.hash.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self.hash.hexdigest()
