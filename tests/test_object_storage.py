"""Files in object storage: the settings that choose it, and uploads, downloads and deletes in a real Azurite.

The ``azure`` tests run against Azurite (tests/azurite.py): scripts/test.sh starts one and requires these tests to
run; elsewhere the fixture starts its own. Nothing is mocked: the files go over HTTP to the emulator and back.
"""

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from storages.backends.azure_storage import AzureStorage

from config.env import storage_config
from fagnett.cases.models import CaseAttachment
from fagnett.cases.services import case_submit
from fagnett.core.storage import (
    AZURE_RANGE,
    storage_kind,
    stored_file_chunks,
    stored_file_response,
    stored_names,
)
from fagnett.core.testing_files import blank_pdf
from fagnett.meetings.models import AgendaDocument
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.conftest import UseAzure
from tests.factories import World

NOTE = blank_pdf(b"Saksframlegg om intensivkapasitet " * 200)


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


# --- The settings ---------------------------------------------------------------------------------------------------


class TestSettings:
    def test_the_local_folder_is_the_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("FAGNETT_STORAGE", raising=False)
        assert storage_config() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        monkeypatch.setenv("FAGNETT_STORAGE", "local")
        assert storage_config() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    def test_azure_with_an_account_key_and_a_custom_endpoint(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name, value in {
            "FAGNETT_STORAGE": "azure", "FAGNETT_AZURE_ACCOUNT_NAME": "fagnettprod",
            "FAGNETT_AZURE_ACCOUNT_KEY": "a2V5", "FAGNETT_AZURE_CONTAINER": "uploads",
            "FAGNETT_AZURE_BLOB_ENDPOINT": "http://127.0.0.1:10000/fagnettprod/",
        }.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        config = storage_config()
        assert config["BACKEND"] == "storages.backends.azure_storage.AzureStorage"
        options: Any = config["OPTIONS"]
        assert options["azure_container"] == "uploads"
        assert options["overwrite_files"] is False
        assert options["connection_string"] == (
            "DefaultEndpointsProtocol=http;AccountName=fagnettprod;AccountKey=a2V5;"
            "BlobEndpoint=http://127.0.0.1:10000/fagnettprod"
        )
        monkeypatch.delenv("FAGNETT_AZURE_BLOB_ENDPOINT")
        assert storage_config()["OPTIONS"]["connection_string"].endswith(";EndpointSuffix=core.windows.net")  # type: ignore[index]
        # A connection string (e.g. with a SAS token) is taken as it is, and then no key is needed.
        monkeypatch.delenv("FAGNETT_AZURE_ACCOUNT_KEY")
        monkeypatch.setenv(
            "FAGNETT_AZURE_CONNECTION_STRING", "BlobEndpoint=https://x.blob.core.windows.net;SharedAccessSignature=sv=1"
        )
        assert (
            storage_config()["OPTIONS"]["connection_string"]
            == "BlobEndpoint=https://x.blob.core.windows.net;SharedAccessSignature=sv=1"
        )  # type: ignore[index]

    def test_s3_takes_only_the_variables_that_are_set(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("FAGNETT_STORAGE", "s3")
        monkeypatch.setenv("FAGNETT_S3_BUCKET", "fagnett-files")
        monkeypatch.setenv("FAGNETT_S3_ENDPOINT_URL", "https://s3.example.no")
        monkeypatch.setenv("FAGNETT_S3_REGION", "eu-north-1")
        config = storage_config()
        assert config == {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "fagnett-files", "file_overwrite": False, "default_acl": None,
                "endpoint_url": "https://s3.example.no", "region_name": "eu-north-1",
            },
        }  # fmt: skip

    @pytest.mark.parametrize(
        ("environment", "message"),
        [
            ({"FAGNETT_STORAGE": "nfs"}, "FAGNETT_STORAGE must be one of local, azure, s3, not 'nfs'"),
            ({"FAGNETT_STORAGE": "azure"}, "FAGNETT_STORAGE=azure needs FAGNETT_AZURE_CONTAINER"),
            (
                {"FAGNETT_STORAGE": "azure", "FAGNETT_AZURE_CONTAINER": "c", "FAGNETT_AZURE_ACCOUNT_NAME": "a"},
                "needs FAGNETT_AZURE_ACCOUNT_KEY to be set",
            ),
            ({"FAGNETT_STORAGE": "S3"}, "FAGNETT_STORAGE=s3 needs FAGNETT_S3_BUCKET"),
        ],
    )
    def test_a_storage_missing_its_settings_stops_the_start(
        self, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], message: str
    ) -> None:
        for name in [n for n in os.environ if n.startswith(("FAGNETT_AZURE_", "FAGNETT_S3_"))]:
            monkeypatch.delenv(name)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ImproperlyConfigured, match=message):
            storage_config()


# --- Azure Blob Storage in Azurite ----------------------------------------------------------------------------------


@pytest.mark.azure
@pytest.mark.django_db
class TestAzure:
    def test_an_agenda_document_is_uploaded_downloaded_by_those_allowed_and_deleted(
        self,
        world: World,
        use_azure: UseAzure,
        client: Client,
        settings: Any,
        tmp_path: Path,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        settings.MEDIA_ROOT = str(tmp_path / "media")
        storage = use_azure()
        assert isinstance(storage, AzureStorage)
        meeting = make_meeting(world.network, days=7)
        item, *_rest = add_items(meeting, "Intensivkapasitet i regionen")

        client.force_login(world["secretary"])
        upload = client.post(
            reverse("meetings:document_upload", args=[item.pk]),
            {"file": SimpleUploadedFile("saksframlegg.pdf", NOTE, content_type="application/pdf")},
        )
        assert upload.status_code == 302
        document = AgendaDocument.objects.get(item=item)
        # In the container, byte for byte, and nowhere on the app server's disk.
        blob = storage.client.get_blob_client(document.file.name)
        assert blob.download_blob().readall() == NOTE
        assert list(stored_names(storage)) == [document.file.name]
        assert files_under(tmp_path / "media") == []

        client.force_login(world["member"])
        download = client.get(reverse("meetings:document", args=[document.pk]))
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith('attachment; filename="saksframlegg.pdf"')
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Length"] == str(len(NOTE))
        assert b"".join(download.streaming_content) == NOTE

        # A member of another network, and a person of another region, get nothing (not even that it exists).
        for other in ("other_member", "coordinator_b"):
            client.force_login(world[other])
            assert client.get(reverse("meetings:document", args=[document.pk])).status_code == 404
            assert client.post(reverse("meetings:document_delete", args=[document.pk])).status_code == 404
        assert blob.exists()

        client.force_login(world["secretary"])
        with django_capture_on_commit_callbacks(execute=True):
            deleted = client.post(reverse("meetings:document_delete", args=[document.pk]))
        assert deleted.status_code == 302
        assert not AgendaDocument.objects.filter(pk=document.pk).exists()
        assert not blob.exists()
        assert list(stored_names(storage)) == []

    def test_a_case_attachment_is_stored_in_the_container_and_downloaded_with_permission(
        self, world: World, use_azure: UseAzure, client: Client
    ) -> None:
        storage = use_azure()
        content = "Vedtak – første utkast\n".encode()
        case = case_submit(
            user=world["employee"],
            data={"title": "Felles rutine", "description": "Ulike kriterier.", "wanted": "En anbefaling."},
            network=world.network,
            files=[SimpleUploadedFile("notat.txt", content, content_type="text/plain")],
        )
        attachment = CaseAttachment.objects.get(case=case)
        assert storage.exists(attachment.file.name)
        url = reverse("cases:attachment", args=[attachment.pk])
        client.force_login(world["leader"])
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        client.force_login(world["coordinator_b"])
        assert client.get(url).status_code == 404

    def test_a_large_file_streams_in_ranges_of_the_same_version(self, use_azure: UseAzure, db: None) -> None:
        storage = use_azure()
        content = os.urandom(2 * AZURE_RANGE + 12345)
        name = storage.save("generated/stor.bin", ContentFile(content))

        # default_storage, the lazy proxy every FileField holds, is read in ranges like the storage itself.
        assert storage_kind(default_storage) == "azure"
        reading = stored_file_chunks(default_storage, name)
        chunks = list(reading.chunks)
        assert reading.size == len(content)
        assert [len(chunk) for chunk in chunks] == [AZURE_RANGE, AZURE_RANGE, 12345]
        assert b"".join(chunks) == content

        class Stored:  # what a FileField hands the view: the storage and the name
            storage = default_storage
            file = None

        stored: Any = Stored()
        stored.name = name
        response = stored_file_response(stored, filename="stor.bin")
        assert response["Content-Length"] == str(len(content))
        assert hashlib.sha256(b"".join(response.streaming_content)).digest() == hashlib.sha256(content).digest()

        with pytest.raises(FileNotFoundError):
            stored_file_chunks(storage, "generated/finnes-ikke.bin")

    def test_an_approved_reports_files_are_kept_in_the_container_and_a_changed_blob_is_refused(
        self,
        use_azure: UseAzure,
        client: Client,
        django_capture_on_commit_callbacks: Any,
        monkeypatch: pytest.MonkeyPatch,
        db: None,
    ) -> None:
        """Approved is final (core.kept) on object storage: kept through the storage API, read back in ranges and
        checked; a blob changed in the container behind the app's back is not served."""
        from django.utils import timezone

        from fagnett.core import kept
        from fagnett.reports import downloads as report_downloads
        from fagnett.reports import services as report_services
        from fagnett.reports.tests.factories import build_known_region

        storage: Any = use_azure()
        known = build_known_region()
        monkeypatch.setattr(report_downloads, "render", lambda report, fmt, progress=None: f"%PDF kept {fmt}".encode())
        draft = report_services.regional_report_start(user=known.people["coordinator"], region=known.region, year=2025)
        with django_capture_on_commit_callbacks(execute=True):
            report_services.regional_report_approve(
                user=known.people["director"], report=draft, approved_on=timezone.localdate(), approved_by_body="AD"
            )
        row = kept.kept_file(draft, "pdf")
        assert row is not None and row.file.name in storage.list_all()
        assert row.sha256 == hashlib.sha256(b"%PDF kept pdf").hexdigest()
        client.force_login(known.people["member"])
        url = reverse("reports:pdf", args=[known.region.pk, 2025]) + "?version=1"
        assert b"".join(client.get(url).streaming_content) == b"%PDF kept pdf"  # type: ignore[attr-defined]

        blob = storage.client.get_blob_client(storage._get_valid_path(row.file.name))
        blob.upload_blob(b"%PDF evil pdf", overwrite=True)
        response = client.get(url)
        assert response.status_code == 500 and b"evil" not in response.content


# --- Moving the files from the local folder -------------------------------------------------------------------------


def move(**options: Any) -> tuple[str, str]:
    out, err = io.StringIO(), options.pop("stderr", io.StringIO())
    call_command("move_files_to_storage", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.azure
@pytest.mark.django_db
def test_the_files_on_disk_move_into_the_container_once_verified_and_never_overwritten(
    world: World, use_azure: UseAzure, settings: Any, tmp_path: Path, client: Client
) -> None:
    folder = tmp_path / "media"
    settings.MEDIA_ROOT = str(folder)  # the local folder the app used so far (the default storage still)
    with pytest.raises(CommandError, match="The configured storage is a local folder"):
        move()
    case = case_submit(
        user=world["employee"],
        data={"title": "Felles rutine", "description": "Ulike kriterier.", "wanted": "En anbefaling."},
        network=world.network,
        files=[
            SimpleUploadedFile("notat.txt", "Vedtak – første utkast\n".encode(), content_type="text/plain"),
            SimpleUploadedFile("vedlegg.pdf", blank_pdf(bytes(range(256)) * 40)),
        ],
    )
    on_disk = {p.relative_to(folder).as_posix(): p.read_bytes() for p in files_under(folder)}
    assert len(on_disk) == 2

    storage = use_azure()  # the operator sets FAGNETT_STORAGE=azure and the rest; MEDIA_ROOT still names the folder
    out, _err = move(dry_run=True)
    assert f"Would copy 2 files (0.0 MB) from {folder} to Azure container" in out
    assert list(stored_names(storage)) == []

    out, err = move()
    assert "Copied 2 files" in out and "0 were there already" in out, out + err
    assert "Every file the records point at is in Azure container" in out
    assert {name: storage.client.download_blob(name).readall() for name in stored_names(storage)} == on_disk
    assert sorted(files_under(folder)) == sorted(folder / name for name in on_disk)  # the folder is left as it is

    # The app now serves them from the container.
    attachment = CaseAttachment.objects.get(case=case, original_name="notat.txt")
    client.force_login(world["leader"])
    response = client.get(reverse("cases:attachment", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == on_disk[attachment.file.name]

    # Run again: nothing is copied twice, and the content check passes.
    out, _err = move(checksums=True)
    assert "Copied 0 files (0.0 MB)" in out and "2 were there already" in out

    # A blob of another size under a name from the folder is reported, not overwritten.
    changed = attachment.file.name
    storage.client.upload_blob(changed, b"another file", overwrite=True)
    with pytest.raises(CommandError, match="1 files could not be copied as they are and 0 records"):
        move()
    assert storage.client.download_blob(changed).readall() == b"another file"

    # A record whose file is neither on disk nor in the container is named.
    storage.delete(changed)
    (folder / changed).unlink()
    with pytest.raises(CommandError, match="0 files could not be copied as they are and 1 records"):
        move(stderr=(err_out := io.StringIO()))
    assert changed in err_out.getvalue()
