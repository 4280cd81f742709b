"""Backup and restore: a populated database and its uploaded files come back whole, or the restore says why not.

The backup is taken from the test database. The restore goes into a second, empty database that the test makes
beside it (SQLite: a new file; PostgreSQL: a new database made by the test role, which may CREATEDB) and into a
fresh media folder. The second database is not in ``settings.DATABASES``: pytest-django would then create, flush
and migrate it for every test, and Django does not support changing DATABASES at run time. Instead the
``restored`` fixture builds a connection to it (a copy of the test database's settings with another name) and
puts it into ``django.db.connections`` under the alias ``restored`` for this thread only, the way Django's test
framework treats "dynamically created connections": allowed in a test, never flushed by it. The commands find it
by that alias like any other. The tests are transactional (``transactional_db``): pg_dump runs in its own process
and sees only committed rows, and CREATE DATABASE cannot run inside the transaction that wraps an ordinary test.

The comparison is the test's own, not the command's: every table's rows are read from both databases in primary
key order and compared row by row, and every file by its SHA-256.
"""

import copy
import datetime
import hashlib
import io
import json
import random
import secrets
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from fagnett.accounts.models import User
from fagnett.cases.models import Case, CaseAttachment
from fagnett.cases.services import case_attach, case_submit
from fagnett.core.models import KeptFile
from fagnett.core.testing_files import blank_pdf
from fagnett.demo.data import DEMO_PASSWORD
from fagnett.meetings.models import AgendaDocument, Meeting, Minutes
from fagnett.meetings.services import document_attach
from fagnett.organisations.models import Region
from tests.conftest import UseAzure
from tests.factories import World, make_world

RESTORED = "restored"
CASE = {
    "title": "Felles rutine for overflytting av intensivpasienter",
    "description": "Sykehusene i regionen flytter pasienter etter ulike kriterier.",
    "wanted": "En felles anbefaling fra nettverket.",
}


# --- Fixtures and helpers -----------------------------------------------------------------------------------------


@pytest.fixture
def restored(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """The alias of a new, empty database beside the test database; dropped afterwards."""
    source = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(source.settings_dict)
    created = ""
    if source.vendor == "postgresql":
        created = f"{source.settings_dict['NAME']}_restored_{secrets.token_hex(4)}"
        with source.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {source.ops.quote_name(created)}")
        settings_dict["NAME"] = created
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    connections[RESTORED] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    try:
        yield RESTORED
    finally:
        connections[RESTORED].close()
        del connections[RESTORED]
        if created:
            # Without FORCE: PostgreSQL then cancels an autovacuum worker busy with the restored rows itself, which
            # FORCE may not (terminating the superuser's worker needs pg_signal_backend); nothing else is connected.
            with source.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {source.ops.quote_name(created)}")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """The media folder uploads go to while the database is populated and backed up."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def backup(output_dir: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output_dir=str(output_dir), stdout=out)
    return Path(out.getvalue().strip().splitlines()[-1])


def restore(archive: Path, *, database: str = RESTORED, check_only: bool = False) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("restore", str(archive), database=database, check_only=check_only, stdout=out, stderr=err)
    except CommandError as error:
        raise CommandError(f"{error}\n{err.getvalue()}") from error
    return out.getvalue(), err.getvalue()


def table_names(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def row_hashes(connection: BaseDatabaseWrapper, table: str) -> list[tuple[Any, str]]:
    """(primary key, SHA-256 of the whole row) for every row of ``table``, in primary key order."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        key = connection.introspection.get_primary_key_columns(cursor, table) or [
            column.name for column in connection.introspection.get_table_description(cursor, table)
        ]
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {', '.join(quote(c) for c in key)}")  # noqa: S608
        names = [column[0] for column in cursor.description]
        return [
            (tuple(row[names.index(c)] for c in key), hashlib.sha256(repr(row).encode()).hexdigest())
            for row in cursor.fetchall()
        ]


def sequences(connection: BaseDatabaseWrapper) -> list[tuple[str, int]]:
    """Where each table's ids go on: new rows in the restored database must not collide with restored ones."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1"
            )
        else:
            cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
        return list(cursor.fetchall())


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def database_is_empty(alias: str) -> bool:
    return table_names(connections[alias]) == []


def docx(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", f"<document><body><p>{text}</p></body></document>")
    return buffer.getvalue()


def rewrite(archive: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of ``archive`` with its members changed by ``change`` (name → content)."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    change(members)
    changed = archive.with_name("changed.tar.gz")
    with tarfile.open(changed, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return changed


def edit_manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def edit(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        change(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    return edit


# --- The round trip -----------------------------------------------------------------------------------------------


def populate_demo() -> dict[str, bytes]:
    """The demo world plus uploads through the real services; the uploaded files by their original names."""
    call_command("load_demo", quiet_logins=True)
    network_name = "Anestesi og intensiv"
    rng = random.Random(8)
    files = {
        "notat.txt": "Forslag til felles praksis for overflytting – også ved økt pågang.\n".encode(),
        "skisse.png": b"\x89PNG\r\n\x1a\n" + rng.randbytes(40_000),
        # Bigger than the commands' 1 MiB chunks, so hashing across chunks is exercised.
        "rapport.pdf": blank_pdf(rng.randbytes(1_500_000)),
        "saksframlegg.docx": docx("Saksframlegg til møtet"),
        "vedlegg.pdf": blank_pdf(rng.randbytes(3_000)),
    }

    def upload(name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, files[name], content_type=content_type)

    case_submit(
        user=User.objects.get(username="ansatt"),
        data=CASE,
        network=Case.objects.filter(network__name=network_name).first().network,  # type: ignore[union-attr]
        files=[upload("notat.txt", "text/plain"), upload("skisse.png", "image/png")],
    )
    case = Case.objects.filter(network__name=network_name, status=Case.Status.IN_PROGRESS).first()
    assert case is not None
    case_attach(user=User.objects.get(username="leder"), case=case, upload=upload("rapport.pdf"))
    meeting = (
        Meeting.objects.filter(network__name=network_name, status__in=[Meeting.Status.PLANNED, Meeting.Status.INVITED])
        .exclude(minutes__status=Minutes.Status.APPROVED)
        .order_by("starts_at")
        .first()
    )
    assert meeting is not None
    item = meeting.agenda_items.order_by("order").first()
    assert item is not None
    secretary = User.objects.get(username="sekretar")
    document_attach(user=secretary, item=item, upload=upload("saksframlegg.docx"))
    document_attach(user=secretary, item=item, upload=upload("vedlegg.pdf"))
    return files


def test_a_populated_database_and_its_uploads_come_back_whole(
    restored: str, media: Path, settings: Any, tmp_path: Path
) -> None:
    uploads = populate_demo()
    archive = backup(tmp_path / "backups")
    restored_media = tmp_path / "media-restored"
    settings.MEDIA_ROOT = str(restored_media)

    out, err = restore(archive)

    assert "Restored and verified" in out, out + err
    source, target = connections[DEFAULT_DB_ALIAS], connections[restored]
    tables = table_names(source)
    assert table_names(target) == tables
    filled = 0
    for table in tables:
        expected, actual = row_hashes(source, table), row_hashes(target, table)
        assert len(actual) == len(expected), f"{table}: {len(actual)} rows restored of {len(expected)}"
        different = next((e for e, a in zip(expected, actual, strict=True) if e != a), None)
        assert different is None, f"{table}: the row with key {different[0]} differs after the restore"
        filled += bool(expected)
    # The demo fills most tables; the check above is only worth something if there were rows to lose.
    assert filled >= 60, f"only {filled} of {len(tables)} tables had rows"
    assert sum(len(row_hashes(source, t)) for t in tables) > 10_000
    assert sequences(target) == sequences(source) != []

    # Every uploaded file, byte for byte, in the new media folder and reachable through the restored records.
    assert file_hashes(restored_media) == file_hashes(media)
    # The uploads and the files kept at approval (the demo's approved annual report: its PDF and DOCX, core.kept).
    kept = list(KeptFile.objects.using(restored).filter(state=KeptFile.State.KEPT))
    assert len(uploads) == 5 and len(kept) == 2
    assert len(file_hashes(restored_media)) == len(uploads) + len(kept)
    for row in kept:
        with row.file.open("rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == row.sha256, row.file.name
    attachments = list(CaseAttachment.objects.using(restored).all()) + list(AgendaDocument.objects.using(restored))
    assert sorted(a.original_name for a in attachments) == sorted(uploads)
    for attachment in attachments:
        assert str(restored_media) in attachment.file.path
        with attachment.file.open("rb") as stored:
            assert stored.read() == uploads[attachment.original_name], attachment.original_name

    # The restored database is usable: a demo login's password checks, and a new row gets an id of its own.
    assert User.objects.using(restored).get(username="leder").check_password(DEMO_PASSWORD)
    newest = Region.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert newest is not None
    assert Region.objects.using(restored).create(name="Ny region RHF", short_name="NY").pk > newest


# --- What the archive holds ---------------------------------------------------------------------------------------


@pytest.fixture
def world_archive(transactional_db: None, media: Path, settings: Any, tmp_path: Path) -> tuple[World, Path]:
    """A backup of the small test world with two case attachments; MEDIA_ROOT then points at an empty folder."""
    world = make_world()
    case_submit(
        user=world["employee"],
        data=CASE,
        network=world.network,
        files=[
            SimpleUploadedFile("notat.txt", "Vedtak – første utkast\n".encode(), content_type="text/plain"),
            SimpleUploadedFile("vedlegg.pdf", blank_pdf(bytes(range(256)) * 40)),
        ],
    )
    archive = backup(tmp_path / "backups")
    settings.MEDIA_ROOT = str(tmp_path / "media-restored")
    return world, archive


@pytest.mark.migrations  # the manifest lists the applied migrations
def test_the_archive_is_private_and_its_manifest_describes_the_database_and_every_file(
    world_archive: tuple[World, Path], media: Path
) -> None:
    _world, archive = world_archive
    assert archive.name.startswith("fagnett-backup-")
    assert archive.name.endswith(".tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds password hashes
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = sorted(tar.getnames())
    connection = connections[DEFAULT_DB_ALIAS]
    assert manifest["engine"] == connection.vendor
    assert manifest["fagnett"]["version"] == "0.1.0"
    assert datetime.datetime.fromisoformat(manifest["created"]).tzinfo is not None
    assert "cases.0001_initial" in manifest["migrations"]
    assert manifest["tables"]["cases_case"]["rows"] == Case.objects.count() == 1
    assert manifest["tables"]["cases_caseattachment"]["rows"] == 2
    assert manifest["tables"]["accounts_user"]["rows"] == User.objects.count()
    assert set(table_names(connection)) <= set(manifest["tables"])
    on_disk = {f"media/{name}": digest for name, digest in file_hashes(media).items()}
    assert len(on_disk) == 2
    assert {name: facts["sha256"] for name, facts in manifest["files"].items() if name.startswith("media/")} == on_disk
    database_file = "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert names == sorted([*on_disk, database_file, "manifest.json"])


def test_check_only_confirms_an_intact_archive_and_restores_nothing(world_archive: tuple[World, Path]) -> None:
    _world, archive = world_archive
    out, _err = restore(archive, database=DEFAULT_DB_ALIAS, check_only=True)
    assert "The archive is intact" in out
    assert Case.objects.count() == 1


# --- Refusals -------------------------------------------------------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty(world_archive: tuple[World, Path], tmp_path: Path) -> None:
    _world, archive = world_archive
    people = User.objects.count()
    with pytest.raises(CommandError, match="is not empty"):
        restore(archive, database=DEFAULT_DB_ALIAS)
    assert User.objects.count() == people
    assert not (tmp_path / "media-restored").exists()


def test_restore_refuses_a_media_folder_that_is_not_empty(
    world_archive: tuple[World, Path], restored: str, tmp_path: Path
) -> None:
    _world, archive = world_archive
    left_over = tmp_path / "media-restored" / "cases" / "old.pdf"
    left_over.parent.mkdir(parents=True)
    left_over.write_bytes(b"%PDF-1.4 from before")
    with pytest.raises(CommandError, match="already holds 1 files"):
        restore(archive)
    assert database_is_empty(restored)
    assert file_hashes(tmp_path / "media-restored") == {
        "cases/old.pdf": hashlib.sha256(left_over.read_bytes()).hexdigest()
    }


def _first_upload(members: dict[str, bytes]) -> str:
    return min(name for name in members if name.startswith("media/"))


def _change_upload(members: dict[str, bytes]) -> None:
    name = _first_upload(members)
    members[name] = members[name][:-1] + bytes([members[name][-1] ^ 1])


def _change_database(members: dict[str, bytes]) -> None:
    name = next(n for n in members if n.startswith("database."))
    middle = len(members[name]) // 2
    members[name] = members[name][:middle] + bytes([members[name][middle] ^ 0xFF]) + members[name][middle + 1 :]


def _remove_upload(members: dict[str, bytes]) -> None:
    del members[_first_upload(members)]


def _add_file(members: dict[str, bytes]) -> None:
    members["media/cases/smuggled.txt"] = b"not from the backup"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_change_upload, "media/cases/"),
        (_change_database, "database."),
        (_remove_upload, "missing in the archive"),
        (_add_file, "media/cases/smuggled.txt"),
    ],
    ids=["changed upload", "changed database", "missing upload", "added file"],
)
def test_a_damaged_archive_is_detected_and_nothing_is_restored(
    world_archive: tuple[World, Path], restored: str, tmp_path: Path, change: Callable[..., None], named: str
) -> None:
    _world, archive = world_archive
    damaged = rewrite(archive, change)
    with pytest.raises(CommandError, match="does not match its manifest") as check:
        restore(damaged, check_only=True)
    assert named in str(check.value)
    with pytest.raises(CommandError, match="nothing was restored") as error:
        restore(damaged)
    assert named in str(error.value)
    assert database_is_empty(restored)
    assert file_hashes(tmp_path / "media-restored") == {}


def test_a_truncated_archive_is_refused(world_archive: tuple[World, Path], restored: str) -> None:
    _world, archive = world_archive
    truncated = archive.with_name("truncated.tar.gz")
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="cannot be read"):
        restore(truncated)
    assert database_is_empty(restored)


def test_an_archive_of_the_other_engine_is_refused(world_archive: tuple[World, Path], restored: str) -> None:
    _world, archive = world_archive
    other = "sqlite" if connections[DEFAULT_DB_ALIAS].vendor == "postgresql" else "postgresql"
    other_file = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[other]

    def pretend_other_engine(members: dict[str, bytes]) -> None:
        current = next(n for n in members if n.startswith("database."))
        members[other_file] = members.pop(current)
        manifest = json.loads(members["manifest.json"])
        manifest["engine"] = other
        manifest["database"]["file"] = other_file
        manifest["files"][other_file] = manifest["files"].pop(current)
        members["manifest.json"] = json.dumps(manifest).encode()

    with pytest.raises(CommandError, match="Restore into the engine the backup was made from"):
        restore(rewrite(archive, pretend_other_engine))
    assert database_is_empty(restored)


def test_a_difference_found_after_restoring_fails_the_restore(world_archive: tuple[World, Path], restored: str) -> None:
    """The manifest says one more case than the database holds: the restore runs, then reports and exits non-zero."""
    _world, archive = world_archive

    def one_more_case(manifest: dict[str, Any]) -> None:
        manifest["tables"]["cases_case"]["rows"] += 1

    with pytest.raises(CommandError, match="1 checks against the manifest failed") as error:
        restore(rewrite(archive, edit_manifest(one_more_case)))
    assert "table cases_case: 1 rows restored, the backup has 2" in str(error.value)
    assert Case.objects.using(restored).count() == 1


def test_a_file_the_records_point_at_but_missing_from_the_media_folder_is_named(
    restored: str, media: Path, settings: Any, tmp_path: Path
) -> None:
    world = make_world()
    case = case_submit(
        user=world["employee"],
        data=CASE,
        network=world.network,
        files=[
            SimpleUploadedFile("beholdt.pdf", blank_pdf(b"kept")),
            SimpleUploadedFile("tapt.pdf", blank_pdf(b"lost")),
        ],
    )
    lost = case.attachments.get(original_name="tapt.pdf")
    Path(lost.file.path).unlink()
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", output_dir=str(tmp_path / "backups"), stdout=out, stderr=err)
    assert "1 files the records point at are not in the file storage" in err.getvalue()
    assert lost.file.name in err.getvalue()
    settings.MEDIA_ROOT = str(tmp_path / "media-restored")
    restored_out, restored_err = restore(Path(out.getvalue().strip().splitlines()[-1]))
    assert "Restored and verified" in restored_out
    assert f"already missing when the backup was made, so they are not restored either: {lost.file.name}" in (
        restored_err
    )
    assert list(file_hashes(tmp_path / "media-restored")) == [
        case.attachments.get(original_name="beholdt.pdf").file.name
    ]


# --- Files in Azure Blob Storage (Azurite) --------------------------------------------------------------------------


def container_hashes(storage: Any) -> dict[str, str]:
    """Every blob's name and SHA-256, read over HTTP from the container."""
    return {
        name: hashlib.sha256(storage.client.download_blob(name).readall()).hexdigest()
        for name in sorted(storage.list_all())
    }


@pytest.mark.azure
def test_backup_takes_the_files_from_the_container_and_restore_puts_them_into_an_empty_one(
    restored: str, use_azure: UseAzure, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # must stay empty: the files go to the container only
    source = use_azure()
    world = make_world()
    case_submit(
        user=world["employee"],
        data=CASE,
        network=world.network,
        files=[
            SimpleUploadedFile("notat.txt", "Vedtak – første utkast\n".encode(), content_type="text/plain"),
            SimpleUploadedFile("vedlegg.pdf", blank_pdf(bytes(range(256)) * 40)),
        ],
    )
    in_source = container_hashes(source)
    assert len(in_source) == 2

    archive = backup(tmp_path / "backups")

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        archived = {
            name.removeprefix("media/"): hashlib.sha256(tar.extractfile(name).read()).hexdigest()  # type: ignore[union-attr]
            for name in tar.getnames()
            if name.startswith("media/")
        }
    assert archived == in_source
    assert {n.removeprefix("media/"): f["sha256"] for n, f in manifest["files"].items() if n.startswith("media/")} == (
        in_source
    )
    assert manifest["missing_uploads"] == []
    assert not (tmp_path / "media").exists()

    # Into the container the files came from: refused, as it is not empty, and nothing is written.
    with pytest.raises(CommandError, match=r"The file storage \(Azure container test-\w+\) already holds 2 files"):
        restore(archive)
    assert database_is_empty(restored)

    target = use_azure()  # a new, empty container
    out, err = restore(archive)

    assert "Restored and verified" in out, out + err
    assert container_hashes(target) == in_source
    attachments = list(CaseAttachment.objects.using(restored).order_by("original_name"))
    assert [a.original_name for a in attachments] == ["notat.txt", "vedlegg.pdf"]
    for attachment in attachments:
        with attachment.file.open("rb") as stored:  # through the restored record and the configured storage
            assert hashlib.sha256(stored.read()).hexdigest() == in_source[attachment.file.name]
    assert not (tmp_path / "media").exists()
