"""Attachments: size and type are checked (extension and first bytes), names are random, downloads are guarded."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import Workbook

from fagnett.cases import services
from fagnett.cases.models import Case, CaseAttachment
from fagnett.cases.tests.factories import make_case
from fagnett.core.testing_files import blank_pdf
from fagnett.core.uploads import MAX_UPLOAD_BYTES as MAX_ATTACHMENT_BYTES
from fagnett.core.uploads import check_upload
from tests.factories import World

pytestmark = pytest.mark.django_db

PDF = blank_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("Innspill til prosedyre")
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("notat.pdf", PDF, "application/pdf"),
        ("FIGUR.PNG", PNG, "image/png"),
        ("bilde.jpg", JPEG, "image/jpeg"),
        ("bilde.jpeg", JPEG, "image/jpeg"),
        ("innspill.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("tall.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notat.txt", "Ring 15108695089 (ikke et fødselsnummer)".encode(), "text/plain"),
    ],
)
def test_allowed_types_are_accepted(name: str, content: bytes | None, content_type: str) -> None:
    if content is None:
        content = docx_bytes() if name.endswith(".docx") else xlsx_bytes()
    assert check_upload(upload(name, content)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("program.exe", b"MZ\x90\x00"),
        ("side.html", b"<html></html>"),
        ("uten-endelse", PDF),
        ("forkledd.pdf", PNG),  # the extension says PDF, the content is PNG
        ("forkledd.png", PDF),
        ("forkledd.jpg", b"GIF89a"),
        ("zip.docx", xlsx_bytes()),  # a package, but a spreadsheet
        ("ødelagt.docx", b"PK\x03\x04 not really a zip"),
        ("tom.pdf", b""),
        ("latin1.txt", "blåbær".encode("latin-1")),
        ("binær.txt", b"abc\x00def"),
        ("pasient.txt", b"Pasient 15108695088 innlagt"),
    ],
)
def test_other_or_disguised_files_are_refused_with_a_message_naming_the_file(name: str, content: bytes) -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert error.value.messages[0].startswith(name)


def test_a_file_name_with_an_identity_number_is_refused_without_repeating_it() -> None:
    with pytest.raises(ValidationError) as error:
        check_upload(upload("epikrise 15108695088.pdf", PDF))
    assert "15108695088" not in error.value.messages[0]


def test_the_size_limit_is_ten_megabytes() -> None:
    just_right, padding = b"", MAX_ATTACHMENT_BYTES - len(blank_pdf(b"0"))
    for _ in range(5):  # a real PDF, read to the end by the scan; offsets grow a digit as it grows
        just_right = blank_pdf(b"0" * padding)
        if len(just_right) == MAX_ATTACHMENT_BYTES:
            break
        padding += MAX_ATTACHMENT_BYTES - len(just_right)
    assert len(just_right) == MAX_ATTACHMENT_BYTES
    assert check_upload(upload("stor.pdf", just_right)).content_type == "application/pdf"
    with pytest.raises(ValidationError) as error:
        check_upload(upload("for-stor.pdf", just_right + b"0"))
    assert "for-stor.pdf" in error.value.messages[0]


def test_files_are_stored_under_random_names_in_media_root(world: World, media_root: Path) -> None:
    case = make_case(world)
    attachment = services.case_attach(user=world["employee"], case=case, upload=upload("Referat fra møtet.pdf", PDF))
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(media_root)
    assert stored.read_bytes() == PDF
    assert "Referat" not in stored.name and stored.suffix == ".pdf"
    assert attachment.original_name == "Referat fra møtet.pdf"
    assert case.events.filter(kind="attached").exists()


def test_one_bad_file_in_a_submission_saves_nothing(world: World, media_root: Path) -> None:
    data = {"title": "Vedlegg", "description": "Se vedlegg.", "wanted": "Svar"}
    with pytest.raises(ValidationError):
        services.case_submit(
            user=world["employee"],
            data=data,
            network=world.network,
            files=[upload("ok.pdf", PDF), upload("virus.exe", b"MZ")],
        )
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.pdf"))


def test_only_people_who_see_the_case_download_and_always_as_an_attachment(world: World, client: Client) -> None:
    case = make_case(world)
    attachment = services.case_attach(user=world["employee"], case=case, upload=upload("notat.pdf", PDF))
    url = reverse("cases:attachment", args=[attachment.pk])
    client.force_login(world["member"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="notat.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    for role in ("other_member", "coordinator_b"):
        client.force_login(world[role])
        assert client.get(url).status_code == 404


def test_uploading_through_the_page(world: World, client: Client) -> None:
    case = make_case(world)
    client.force_login(world["employee"])
    url = reverse("cases:attach", args=[case.pk])
    response = client.post(url, {"attachments": [upload("fil.exe", b"MZ")]})
    assert response.status_code == 400
    assert list(response.context["attachment_form"].errors) == ["attachments"]
    assert not CaseAttachment.objects.exists()
    response = client.post(url, {"attachments": [upload("a.pdf", PDF), upload("b.png", PNG)]})
    assert response.status_code == 302
    assert sorted(case.attachments.values_list("original_name", flat=True)) == ["a.pdf", "b.png"]
    client.force_login(world["member"])  # a member reads, but does not add files
    assert client.post(url, {"attachments": [upload("c.pdf", PDF)]}).status_code == 403


def test_submitting_with_attachments_through_the_page(world: World, client: Client) -> None:
    client.force_login(world["employee"])
    response = client.post(
        reverse("cases:submit"),
        {
            "network": world.network.pk,
            "title": "Med vedlegg",
            "description": "Se vedlegg",
            "wanted": "Svar",
            "attachments": [upload("a.pdf", PDF), upload("b.docx", docx_bytes())],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.attachments.count() == 2
    response = client.post(
        reverse("cases:submit"),
        {"network": world.network.pk, "title": "For stor", "description": "x", "wanted": "y",
         "attachments": [upload("stor.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)]},
    )  # fmt: skip
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["attachments"]
    assert Case.objects.count() == 1
