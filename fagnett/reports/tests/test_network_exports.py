"""A network's own annual report as PDF and DOCX, made by a background job like the region's report."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from docx import Document
from pypdf import PdfReader

from fagnett.core.models import Download
from fagnett.reports import services
from fagnett.reports.models import NetworkReport
from fagnett.reports.tests.factories import complete_draft
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _export_url(world: World, fmt: str) -> str:
    return reverse("reports:network_report_export", args=[world.network.pk, YEAR, fmt])


def _made(client: Client, url: str) -> Download:
    response = client.post(url)
    download = Download.objects.get()
    assert response["Location"] == download.get_absolute_url()
    download.refresh_from_db()  # the test settings' task backend runs the job at once
    assert download.state == Download.State.DONE, download.state
    return download


def test_the_leader_gets_the_report_as_pdf_and_docx(world: World, client: Client) -> None:
    complete_draft(world.network, world.tasks[0], central_work="Sedasjonsprosedyre for hele regionen.")
    client.force_login(world["leader"])
    page = client.get(reverse("reports:network_report", args=[world.network.pk, YEAR])).content.decode()
    for fmt in ("pdf", "docx"):
        assert f'action="{_export_url(world, fmt)}"' in page
    assert client.get(_export_url(world, "pdf")).status_code == 200  # a GET shows the button, starts nothing
    assert not Download.objects.exists()

    pdf = _made(client, _export_url(world, "pdf"))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.file.read())).pages)
    assert world.network.name in text and "Sedasjonsprosedyre for hele regionen." in text
    assert "Regionale prosedyrer." in text  # the priorities
    assert pdf.filename.endswith(f"-{YEAR}.pdf")

    Download.objects.all().delete()
    docx = _made(client, _export_url(world, "docx"))
    paragraphs = [p.text for p in Document(io.BytesIO(docx.file.read())).paragraphs]
    assert any(world.network.name in p for p in paragraphs)
    assert "Gode faglige diskusjoner." in paragraphs


def test_no_file_of_a_report_not_started_nor_for_another_region(world: World, client: Client) -> None:
    client.force_login(world["leader"])
    assert client.post(_export_url(world, "pdf")).status_code == 404
    complete_draft(world.network, world.tasks[0])
    assert (
        client.post(reverse("reports:network_report_export", args=[world.network.pk, YEAR, "exe"])).status_code == 404
    )
    client.force_login(world["coordinator_b"])
    assert client.post(_export_url(world, "pdf")).status_code == 404
    assert not Download.objects.exists()


def test_the_submitted_date_is_written_in_the_readers_language(world: World, client: Client) -> None:
    report = complete_draft(world.network, world.tasks[0])
    services.network_report_submit(user=world["leader"], report=report)
    submitted = timezone.localdate(NetworkReport.objects.get(pk=report.pk).submitted_at)
    with translation.override("nb"):
        written = date_format(submitted, "DATE_FORMAT")  # e.g. "5. desember 2026"
    client.force_login(world["leader"])
    docx = _made(client, _export_url(world, "docx"))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.file.read())).paragraphs)
    assert f"Sendt til koordinatoren {written}" in text
    assert submitted.isoformat() not in text
