"""An agenda document whose text holds an identity number is refused, and nothing is stored (core.uploads scans it)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fagnett.accounts.models import User
from fagnett.core import testing_files as files
from fagnett.meetings.models import AgendaDocument
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World

SPLIT = ["Pasient ", "1510", "8695", "088", " ble overflyttet"]  # one paragraph, the number over three runs


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
def test_an_agenda_document_with_a_number_is_refused_and_nothing_is_stored(
    world: World, client: Client, media: Path
) -> None:
    meeting = make_meeting(world.network)
    (item,) = add_items(meeting, "Kapasitet")
    client.force_login(world["secretary"])
    response = client.post(
        reverse("meetings:document_upload", args=[item.pk]),
        {"file": SimpleUploadedFile("referat.docx", files.docx(SPLIT))},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("referat.docx: the file looks like it contains a national identity") for m in shown)
    assert not AgendaDocument.objects.exists() and not _stored(media)
    client.post(
        reverse("meetings:document_upload", args=[item.pk]),
        {"file": SimpleUploadedFile("referat.docx", files.docx(["Referat fra møtet"]))},
    )
    assert AgendaDocument.objects.get().original_name == "referat.docx" and len(_stored(media)) == 1
