"""The regional report's PDF and DOCX as background jobs, and an approved version's files kept at approval."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.accounts.models import RegionRole
from fagnett.core import downloads, kept
from fagnett.core.models import Download
from fagnett.reports import services
from fagnett.reports.models import RegionalReport
from fagnett.reports.tests.factories import Known, build_known_region

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def known(db: None) -> Known:
    return build_known_region()


def url(name: str, known: Known) -> str:
    return reverse(f"reports:{name}", args=[known.region.pk, YEAR])


def test_a_get_shows_the_button_and_starts_nothing(known: Known, client: Client) -> None:
    client.force_login(known.people["coordinator"])
    response = client.get(url("pdf", known))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post"' in page and "csrfmiddlewaretoken" in page
    assert not Download.objects.exists()


def test_the_report_page_offers_the_draft_files_as_buttons_that_post(known: Known, client: Client) -> None:
    services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    client.force_login(known.people["coordinator"])
    page = client.get(url("regional_report", known)).content.decode()
    for name in ("pdf", "docx"):
        assert f'action="{url(name, known)}?version=1"' in page


def test_the_post_starts_a_job_for_the_version_asked_for(known: Known, client: Client) -> None:
    services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    client.force_login(known.people["coordinator"])
    response = client.post(url("docx", known) + "?version=1")
    download = Download.objects.get()
    assert response["Location"] == download.get_absolute_url()
    assert download.owner == known.people["coordinator"]
    assert download.kind == "reports.regional_docx"
    assert download.params == {"region_id": known.region.pk, "year": YEAR, "version": 1}
    assert download.state == Download.State.DONE
    assert download.filename == "arsrapport-hmn-2025-v1.docx"


def test_the_job_checks_the_owners_permission_again(known: Known) -> None:
    """The coordinator asks for a draft's PDF, then loses the role before a worker takes the job: no file."""
    coordinator = known.people["coordinator"]
    services.regional_report_start(user=coordinator, region=known.region, year=YEAR)
    download = Download.objects.create(
        owner=coordinator,
        kind="reports.regional_pdf",
        title="x",
        params={"region_id": known.region.pk, "year": YEAR, "version": 1},
    )
    RegionRole.objects.filter(user=coordinator).delete()
    downloads.run(download.pk)
    download.refresh_from_db()
    assert download.state == Download.State.FAILED
    assert download.message == str(downloads.NO_ACCESS)
    assert not download.file


def test_an_approved_version_is_served_from_the_files_made_at_approval(
    known: Known, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from docx import Document
    from pypdf import PdfReader

    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        services.regional_report_approve(
            user=known.people["director"], report=draft, approved_on=timezone.localdate(), approved_by_body="AD-møtet"
        )
    report = RegionalReport.objects.get(pk=draft.pk)
    files = {row.kind: row for row in kept.kept_rows(report)}
    assert sorted(files) == ["docx", "pdf"] and all(row.file.name.startswith("kept/") for row in files.values())
    assert report.lock_version == draft.lock_version + 1  # made without moving the approved version's lock

    client.force_login(known.people["member"])  # a member reads approved versions
    page = client.get(url("regional_report", known)).content.decode()
    assert f'href="{url("pdf", known)}?version=1"' in page  # a plain link: nothing to wait for
    response = client.get(url("pdf", known) + "?version=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="arsrapport-hmn-2025-v1.pdf"'
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    # The kept copy is the official one, in the site's language (bokmål), whoever downloads it.
    assert "Årsrapport 2025" in pdf.pages[0].extract_text()
    docx = client.get(url("docx", known))  # the newest version is the approved one
    assert Document(io.BytesIO(b"".join(docx.streaming_content))).core_properties.title.startswith(  # type: ignore[attr-defined]
        "Årsrapport 2025"
    )
    assert not Download.objects.exists()  # no job

    client.force_login(known.people["coordinator"])
    services.regional_report_new_version(user=known.people["coordinator"], report=report)
    assert client.get(url("pdf", known) + "?version=2").status_code == 200  # the new draft: the button's page
    assert not Download.objects.exists()


def test_a_kept_file_lost_from_the_storage_is_an_error_not_made_again(
    known: Known,
    client: Client,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Approved is final (issue 22): a lost file made again would be made by today's code, not what was approved.
    (Until issue 22 the button made it again by a job; this test said so.)"""
    from fagnett.reports import downloads as report_downloads

    monkeypatch.setattr(report_downloads, "render", lambda report, fmt, progress=None: f"%PDF {fmt}".encode())
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        services.regional_report_approve(
            user=known.people["director"], report=draft, approved_on=timezone.localdate(), approved_by_body="AD-møtet"
        )
    report = RegionalReport.objects.get(pk=draft.pk)
    pdf = kept.kept_file(report, "pdf")
    assert pdf is not None
    pdf.file.storage.delete(pdf.file.name)
    client.force_login(known.people["coordinator"])
    answer = client.get(url("pdf", known) + "?version=1")
    assert answer.status_code == 500
    assert "missing from the storage" in answer.content.decode()
    assert pdf.sha256 in answer.content.decode()
    assert any("missing from the storage" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    assert not Download.objects.exists()  # no job made another file
