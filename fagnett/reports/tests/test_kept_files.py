"""Approved is final (issue 22, item 7): an approved regional report keeps the exact PDF and DOCX made at approval
(core.kept), with their checksums, and serves them whatever the code does afterwards."""

import hashlib
import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.core import kept
from fagnett.core.models import KeptFile
from fagnett.reports import downloads as report_downloads
from fagnett.reports import exports, services
from fagnett.reports.models import RegionalReport
from fagnett.reports.tests.factories import Known, build_known_region

YEAR = 2025


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def known(db: None) -> Known:
    return build_known_region()


def url(name: str, known: Known, version: int = 1) -> str:
    return reverse(f"reports:{name}", args=[known.region.pk, YEAR]) + f"?version={version}"


def approve(known: Known, report: RegionalReport, capture: Any) -> RegionalReport:
    with capture(execute=True):
        services.regional_report_approve(
            user=known.people["director"], report=report, approved_on=timezone.localdate(), approved_by_body="AD-møtet"
        )
    return RegionalReport.objects.get(pk=report.pk)


def fake_render(marker: str) -> Any:
    return lambda report, fmt, progress=None: f"%{marker} {fmt} v{report.version}".encode()


def stored_bytes(row: KeptFile) -> bytes:
    with row.file.storage.open(row.file.name, "rb") as handle:
        return bytes(handle.read())


@pytest.mark.django_db
def test_approval_keeps_both_files_with_their_checksums_and_a_later_renderer_does_not_change_the_download(
    known: Known, client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docx import Document
    from pypdf import PdfReader

    director = known.people["director"]
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    report = approve(known, draft, django_capture_on_commit_callbacks)

    rows = {row.kind: row for row in kept.kept_rows(report)}
    assert sorted(rows) == ["docx", "pdf"]
    approval = report.history.filter(status="approved").get()  # type: ignore[attr-defined]
    for row in rows.values():
        content = stored_bytes(row)  # recomputed from the storage, not taken from the row
        assert row.state == KeptFile.State.KEPT
        assert row.sha256 == hashlib.sha256(content).hexdigest()
        assert row.size == len(content)
        assert row.approved_by == director and row.history_id == approval.history_id and row.round == 1
    assert PdfReader(io.BytesIO(stored_bytes(rows["pdf"]))).metadata.title.startswith("Årsrapport 2025")
    assert Document(io.BytesIO(stored_bytes(rows["docx"]))).sections[0].page_width is not None

    # A later release lays the report out differently (here: the renderer itself says something else).
    monkeypatch.setattr(exports, "report_pdf", lambda built: b"%PDF-1.7 a different layout")
    monkeypatch.setattr(exports, "report_docx", lambda built: b"PK a different document")
    assert report_downloads.render(report, "pdf") == b"%PDF-1.7 a different layout"  # the patch is in force
    client.force_login(known.people["member"])
    for kind in ("pdf", "docx"):
        response = client.get(url(kind, known))
        assert response.status_code == 200
        served = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert served == stored_bytes(rows[kind])
        assert hashlib.sha256(served).hexdigest() == rows[kind].sha256
        assert response["Repr-Digest"].startswith("sha-256=:")
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_tampered_kept_file_is_detected_logged_and_not_served(
    known: Known,
    client: Client,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(report_downloads, "render", fake_render("PDF"))
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    report = approve(known, draft, django_capture_on_commit_callbacks)
    row = kept.kept_file(report, "pdf")
    assert row is not None
    # Someone changes the stored bytes behind the app's back (same length, so only the checksum can tell).
    path = Path(row.file.path)
    original = path.read_bytes()
    path.write_bytes(original.replace(b"v1", b"v2"))
    assert path.read_bytes() != original

    with pytest.raises(kept.KeptFileDamaged):
        kept.kept_read(row)
    client.force_login(known.people["member"])
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="fagnett.core.kept"):
        response = client.get(url("pdf", known))
    assert response.status_code == 500
    page = response.content.decode()
    assert "no longer matches the checksum" in page and row.sha256 in page
    assert b"%PDF pdf v2" not in response.content
    assert any("does not match its checksum" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_a_new_version_approved_after_a_correction_keeps_files_of_its_own_and_the_old_ones_stay(
    known: Known, client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_downloads, "render", fake_render("PDF"))
    coordinator = known.people["coordinator"]
    first = approve(
        known,
        services.regional_report_start(user=coordinator, region=known.region, year=YEAR),
        django_capture_on_commit_callbacks,
    )
    old = {row.kind: (row.pk, row.file.name, row.sha256) for row in kept.kept_rows(first)}
    second = services.regional_report_new_version(user=coordinator, report=first)
    monkeypatch.setattr(report_downloads, "render", fake_render("PDF corrected"))
    second = approve(known, second, django_capture_on_commit_callbacks)

    assert {row.kind: (row.pk, row.file.name, row.sha256) for row in kept.kept_rows(first)} == old
    new = {row.kind: row for row in kept.kept_rows(second)}
    assert sorted(new) == ["docx", "pdf"] and all(row.pk not in {pk for pk, *_ in old.values()} for row in new.values())
    client.force_login(known.people["member"])
    first_pdf = b"".join(client.get(url("pdf", known, 1)).streaming_content)  # type: ignore[attr-defined]
    second_pdf = b"".join(client.get(url("pdf", known, 2)).streaming_content)  # type: ignore[attr-defined]
    assert first_pdf == b"%PDF pdf v1" and second_pdf == b"%PDF corrected pdf v2"
    assert default_storage.exists(old["pdf"][1])

    # Never replaced: neither by save() nor by the job run again.
    row = kept.kept_file(first, "pdf")
    assert row is not None
    row.sha256 = "0" * 64
    with pytest.raises(ValueError, match="never changed"):
        row.save()
    kept.make(row.pk)
    assert KeptFile.objects.get(pk=row.pk).sha256 == old["pdf"][2]


@pytest.mark.django_db
def test_the_page_says_the_files_are_being_made_until_the_job_has_kept_them(
    known: Known, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approval does not wait for the files: without the commit's job they are being made, the page says so,
    and the download makes them by an ordinary job meanwhile."""
    monkeypatch.setattr(report_downloads, "render", fake_render("PDF"))
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    services.regional_report_approve(  # the test's transaction never commits: the job is not run
        user=known.people["director"], report=draft, approved_on=timezone.localdate(), approved_by_body="AD-møtet"
    )
    report = RegionalReport.objects.get(pk=draft.pk)
    assert {row.state for row in kept.kept_rows(report)} == {KeptFile.State.PENDING}
    client.force_login(known.people["member"])
    page = client.get(reverse("reports:regional_report", args=[known.region.pk, YEAR])).content.decode()
    assert "The approved files are being made" in page
    assert f'action="{url("pdf", known)}"' in page  # the button of an ordinary job, not the kept file's link

    kept.kept_make.call([row.pk for row in kept.kept_rows(report)])
    page = client.get(reverse("reports:regional_report", args=[known.region.pk, YEAR])).content.decode()
    assert "The approved files are being made" not in page
    pdf = kept.kept_file(report, "pdf")
    assert pdf is not None and f'title="{pdf.sha256}"' in page and f'href="{url("pdf", known)}"' in page


@pytest.mark.django_db
def test_the_history_shows_the_kept_files_with_checksums_and_links_on_the_approval(
    known: Known, client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_downloads, "render", fake_render("PDF"))
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    report = approve(known, draft, django_capture_on_commit_callbacks)
    client.force_login(known.people["coordinator"])
    page = client.get(reverse("audit:history", args=["regional-report", report.pk])).content.decode()
    assert page.count("Files kept at approval") == 1  # on the approval's entry only
    for row in kept.kept_rows(report):
        assert f'<code title="{row.sha256}" class="checksum">' in page
        assert f"{row.short_sha256}…" in page
        assert f'href="{url(row.kind, known)}">{row.filename}</a>' in page


@pytest.mark.django_db
def test_only_those_who_read_the_report_get_its_kept_files(
    known: Known, client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_downloads, "render", fake_render("PDF"))
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    approve(known, draft, django_capture_on_commit_callbacks)
    client.force_login(known.people["outsider"])  # another region's person
    for kind in ("pdf", "docx"):
        assert client.get(url(kind, known)).status_code in (403, 404)
    client.logout()
    assert client.get(url("pdf", known)).status_code == 302  # to the login


@pytest.fixture
def before_kept(transactional_db: None) -> Any:
    """The database as it was while the report kept its files in two columns; migrated to the end afterwards."""
    from django.core.management import call_command

    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0005_approved_files")])
    executor.loader.build_graph()
    try:
        yield executor
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.migrations
def test_the_migration_keeps_the_existing_files_with_checksums_computed_from_the_storage(before_kept: Any) -> None:
    old = before_kept.loader.project_state([("reports", "0005_approved_files")]).apps
    known = build_known_region()
    pdf_name = default_storage.save("reports/ab/approved-pdf", ContentFile(b"%PDF approved in 2026"))
    docx_name = default_storage.save("reports/ab/approved-docx", ContentFile(b"PK approved docx"))
    Report = old.get_model("reports", "RegionalReport")
    report = Report.objects.create(
        region_id=known.region.pk,
        year=YEAR,
        version=1,
        status="approved",
        approved_on=timezone.localdate(),
        approval_recorded_by_id=known.people["director"].pk,
        created_by_id=known.people["coordinator"].pk,
        approved_pdf=pdf_name,
        approved_docx=docx_name,
    )
    lost = Report.objects.create(
        region_id=known.region.pk,
        year=YEAR,
        version=2,
        status="approved",
        approved_on=timezone.localdate(),
        created_by_id=known.people["coordinator"].pk,
        approved_pdf="reports/ab/gone",
    )

    before_kept.migrate(before_kept.loader.graph.leaf_nodes())

    rows = {row.kind: row for row in KeptFile.objects.filter(owner_id=report.pk)}
    assert rows["pdf"].file.name == pdf_name and rows["docx"].file.name == docx_name
    assert rows["pdf"].sha256 == hashlib.sha256(b"%PDF approved in 2026").hexdigest() and rows["pdf"].size == 21
    assert rows["docx"].sha256 == hashlib.sha256(b"PK approved docx").hexdigest()
    assert rows["pdf"].approved_by_id == known.people["director"].pk
    assert rows["pdf"].filename == "arsrapport-hmn-2025-v1.pdf" and rows["pdf"].state == "kept"
    assert not KeptFile.objects.filter(owner_id=lost.pk).exists()  # missing: nothing to vouch for
    assert kept.kept_read(rows["pdf"]) == b"%PDF approved in 2026"

    before_kept.loader.build_graph()
    before_kept.migrate([("reports", "0005_approved_files")])  # and back: the columns get their names again
    back = before_kept.loader.project_state([("reports", "0005_approved_files")]).apps
    again = back.get_model("reports", "RegionalReport").objects.get(pk=report.pk)
    assert again.approved_pdf.name == pdf_name and again.approved_docx.name == docx_name


@pytest.mark.django_db
def test_kept_verify_names_the_changed_and_missing_files(
    known: Known, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    monkeypatch.setattr(report_downloads, "render", fake_render("PDF"))
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    report = approve(known, draft, django_capture_on_commit_callbacks)
    out = io.StringIO()
    call_command("kept_verify", stdout=out)
    assert out.getvalue().strip() == "2 kept files match their checksums"

    pdf, docx = kept.kept_file(report, "pdf"), kept.kept_file(report, "docx")
    assert pdf is not None and docx is not None
    Path(pdf.file.path).write_bytes(b"%PDF changed")
    docx.file.storage.delete(docx.file.name)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 of 2 kept files are missing or changed"):
        call_command("kept_verify", stdout=io.StringIO(), stderr=err)
    assert f"{pdf.pk} {pdf.file.name} ({pdf.filename}): checksum" in err.getvalue()
    assert f"{docx.pk} {docx.file.name} ({docx.filename}): missing" in err.getvalue()
