"""Case attachments whose text holds an identity number are refused, and nothing is stored (core.uploads scans them)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fagnett.accounts.models import User
from fagnett.cases.models import Case, CaseAttachment
from fagnett.cases.tests.factories import make_case
from fagnett.core import testing_files as files
from fagnett.core.testing_files import NUMBER
from tests.factories import World


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def media(world: World, settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a fresh folder; everyone reads Fagnett in English, so the messages are compared as written."""
    User.objects.update(language="en")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _stored(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.django_db
def test_a_case_attachment_with_a_number_is_refused_and_nothing_is_stored(
    world: World, client: Client, media: Path
) -> None:
    case = make_case(world)
    client.force_login(world["employee"])
    response = client.post(
        reverse("cases:attach", args=[case.pk]),
        {"attachments": [SimpleUploadedFile("lysark.pptx", files.pptx(["Status"], notes=f"Husk {NUMBER}"))]},
    )
    assert response.status_code == 400
    (error,) = response.context["attachment_form"].errors["attachments"]
    assert error.startswith("lysark.pptx: ") and "speaker notes" in error
    assert not CaseAttachment.objects.exists() and not _stored(media)


@pytest.mark.django_db
def test_a_case_submitted_with_a_document_holding_a_number_is_not_saved(
    world: World, client: Client, media: Path
) -> None:
    client.force_login(world["employee"])
    response = client.post(
        reverse("cases:submit"),
        {
            "network": world.network.pk,
            "title": "Med vedlegg",
            "description": "Se vedlegg",
            "wanted": "Svar",
            "attachments": [
                SimpleUploadedFile("ok.docx", files.docx(["Innspill"])),
                SimpleUploadedFile("epikrise.pdf", files.pdf(f"Pasient {NUMBER}")),
            ],
        },
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["attachments"]
    assert error.startswith("epikrise.pdf: ") and "page 1" in error
    assert not Case.objects.exists() and not CaseAttachment.objects.exists() and not _stored(media)
