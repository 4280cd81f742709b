"""Approved is final (issue 22, item 7) for minutes: approval keeps their PDF, DOCX and the archive's PDF/A
(core.kept); downloads and the Noark extract take the kept bytes, whatever the code does afterwards.

Here, above meetings and cases, because the extract (archive) and a case on the agenda are part of what is tested."""

import datetime
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from fagnett.archive.noark import build_files
from fagnett.cases.tests.factories import make_case
from fagnett.core import kept
from fagnett.core.models import KeptFile
from fagnett.meetings import exports, services
from fagnett.meetings.models import Meeting, Minutes
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World
from tests.pdf_standards import assert_pdf_a

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def circulated(world: World) -> Minutes:
    meeting = make_meeting(world.network, days=-3, title="Vintermøtet", status=Meeting.Status.HELD)
    add_items(meeting, "Godkjenning av referat", "Intensivkapasitet")
    minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
    return services.minutes_circulate(user=world["secretary"], minutes=minutes, comments_due=timezone.localdate())


def approve(world: World, minutes: Minutes, capture: Any) -> Minutes:
    with capture(execute=True):
        return services.minutes_approve(user=world["leader"], minutes=minutes)


def export_url(minutes: Minutes, fmt: str) -> str:
    return reverse("meetings:minutes_export", args=[minutes.meeting_id, minutes.version, fmt])


def stored_bytes(row: KeptFile) -> bytes:
    with row.file.storage.open(row.file.name, "rb") as handle:
        return bytes(handle.read())


def fake_exports(monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    def pdf(minutes: Minutes, *, reader: Any, purpose: Any = None) -> bytes:
        return f"%PDF {marker} {getattr(purpose, 'name', 'PUBLISH')} v{minutes.version}".encode()

    monkeypatch.setattr(exports, "minutes_pdf", pdf)
    monkeypatch.setattr(exports, "minutes_docx", lambda minutes, *, reader: f"PK {marker} v{minutes.version}".encode())


def test_approval_keeps_pdf_docx_and_the_archive_pdf_a_which_downloads_and_the_extract_take(
    world: World, client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    minutes = approve(world, circulated(world), django_capture_on_commit_callbacks)
    rows = {row.kind: row for row in kept.kept_rows(minutes)}
    assert sorted(rows) == ["docx", "pdf", "pdf-a"]
    for row in rows.values():
        content = stored_bytes(row)
        assert row.sha256 == hashlib.sha256(content).hexdigest() and row.size == len(content)
        assert row.approved_by == world["leader"]
    archive_copy = stored_bytes(rows["pdf-a"])
    assert_pdf_a(archive_copy, lang="nb", title=f"Referat – {world.network.name}")
    assert "Referat" in PdfReader(io.BytesIO(stored_bytes(rows["pdf"]))).pages[0].extract_text()  # bokmål

    # A later release renders minutes differently: what was approved does not move.
    fake_exports(monkeypatch, "changed")
    client.force_login(world["member"])
    for fmt in ("pdf", "docx"):
        response = client.get(export_url(minutes, fmt))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored_bytes(rows[fmt])  # type: ignore[attr-defined]
    files = build_files(
        network=world.network,
        start=timezone.localdate() - datetime.timedelta(days=30),
        end=timezone.localdate(),
    )
    pdfs = [f for f in files if f.content.startswith(b"%PDF")]
    assert [f.checksum for f in pdfs if f.content == archive_copy] == [rows["pdf-a"].sha256]
    assert not any(b"changed" in f.content for f in files)


def test_a_correction_approved_again_keeps_new_files_and_the_old_stay_in_the_history(
    world: World, client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_exports(monkeypatch, "first")
    first = approve(world, circulated(world), django_capture_on_commit_callbacks)
    old = {row.kind: (row.pk, row.sha256, stored_bytes(row)) for row in kept.kept_rows(first)}
    correction = services.minutes_correct(user=world["secretary"], minutes=first, reason="Feil tall")
    fake_exports(monkeypatch, "corrected")
    correction = approve(world, correction, django_capture_on_commit_callbacks)

    assert {row.kind: (row.pk, row.sha256, stored_bytes(row)) for row in kept.kept_rows(first)} == old
    new = {row.kind: row for row in kept.kept_rows(correction)}
    assert stored_bytes(new["pdf"]) == b"%PDF corrected PUBLISH v2"
    assert stored_bytes(new["pdf-a"]) == b"%PDF corrected ARCHIVE v2"

    client.force_login(world["secretary"])
    for minutes, files in ((first, old), (correction, {k: (r.pk, r.sha256, b"") for k, r in new.items()})):
        page = client.get(reverse("audit:history", args=["minutes", minutes.pk])).content.decode()
        assert page.count("Filer lagret ved godkjenningen") == 1  # the secretary reads bokmål
        for kind, (_pk, sha256, _content) in files.items():
            assert f'<code title="{sha256}" class="checksum">' in page, kind
        assert f'href="{export_url(minutes, "pdf")}"' in page
    served = client.get(export_url(first, "pdf"))
    assert b"".join(served.streaming_content) == old["pdf"][2]  # type: ignore[attr-defined]
    page = client.get(first.get_absolute_url()).content.decode()
    assert f'title="{old["pdf"][1]}"' in page  # the minutes page lists them too


def test_a_person_who_reads_the_cases_otherwise_gets_minutes_made_for_them(
    world: World, client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept copy is the network's record (another network's case withheld); the coordinator, who reads that case,
    is not handed the network's copy as if it were theirs, and a member who may not see the minutes gets nothing."""
    fake_exports(monkeypatch, "kept")
    minutes = circulated(world)
    item = minutes.meeting.agenda_items.get(title="Intensivkapasitet")
    item.case = make_case(world, network=world.other_network)
    item.save()
    minutes = approve(world, minutes, django_capture_on_commit_callbacks)
    fake_exports(monkeypatch, "for the reader")

    client.force_login(world["member"])  # reads as the network: the kept file
    assert b"".join(client.get(export_url(minutes, "pdf")).streaming_content) == b"%PDF kept PUBLISH v1"  # type: ignore[attr-defined]
    client.force_login(world["coordinator"])
    answer = client.get(export_url(minutes, "pdf"))
    assert answer.status_code == 200 and answer.content == b"%PDF for the reader PUBLISH v1"
    client.force_login(world["fagsjef_b"])  # another region
    assert client.get(export_url(minutes, "pdf")).status_code in (403, 404)
