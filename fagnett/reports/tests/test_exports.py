import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.meetings.models import Meeting
from fagnett.reports import services
from fagnett.reports.tests.factories import BELOW, COUNTED_2025, Known, at, meeting
from tests.downloads import made
from tests.pdf_standards import assert_pdf_ua

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def known(known_region: Known) -> Known:
    return known_region


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def coordinator(known: Known, client: Client) -> Client:
    """The coordinator, who reads English (``User.language``; the middleware activates it for every request)."""
    client.force_login(known.people["coordinator"])
    return client


def url(name: str, known: Known, *extra: int) -> str:
    return reverse(f"reports:{name}", args=[known.region.pk, YEAR, *extra])


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- DOCX ------------------------------------------------------------------------------------------------------


def read_docx(content: bytes):  # type: ignore[no-untyped-def]
    from docx import Document

    return Document(io.BytesIO(content))


def headings(docx, level: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in docx.paragraphs if p.style.name == f"Heading {level}"]


def test_docx_has_the_sections_figures_with_alt_text_and_appendices(known: Known, coordinator: Client) -> None:
    response = made(coordinator, url("docx", known))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == 'attachment; filename="arsrapport-hmn-2025-v1.docx"'
    docx = read_docx(response.content)

    assert headings(docx, 1) == [
        "Introduction",
        "Status 2025",
        "Activities",
        "How the networks work",
        "Priorities in 2026",
        "Support from the regional health authority",
        "Use of funds",
        "Summary",
        "Appendices: the networks' reports",
    ]
    appendices = [h for h in headings(docx, 2) if h.startswith("Appendix ")]
    assert appendices == [f"Appendix {i}: Nettverk {i:02d}" for i in range(1, COUNTED_2025 + 1)]
    assert {"Meetings", "Central cases and tasks", "Success factors", "Points to improve"} <= set(headings(docx, 2))

    pictures = docx.inline_shapes
    assert len(pictures) == 2
    alt_1, alt_2 = (shape._inline.docPr.get("descr") for shape in pictures)
    assert "6 of 33 networks held fewer meetings than the minimum in 2025" in alt_1
    assert "2023: 93, 2024: 126, 2025: 145" in alt_1
    assert "Oppgave 1: ranked highest by 10 networks; Oppgave 2: ranked highest by 7 networks" in alt_2
    assert pictures[0]._inline.docPr.get("title").startswith("Figure 1.")

    text = "\n".join(p.text for p in docx.paragraphs)
    assert "6 of the 33 networks in operation in 2025 held fewer meetings than their mandate's minimum." in text
    assert (
        "59 regional procedures and 6 standardised patient pathways – 65 in all, 25 more than the year before (40)"
        in text
    )
    assert "from 13 in 2024 to 19 in 2025" in text
    assert docx.core_properties.title == "Annual report 2025 – The regional networks in Helse Midt-Norge RHF"
    assert (docx.core_properties.author, docx.core_properties.language) == ("Helse Midt-Norge RHF", "en-GB")
    assert (round(docx.sections[0].page_width.cm, 1), round(docx.sections[0].page_height.cm, 1)) == (21.0, 29.7)
    # A cover (title, subtitle, region, approval), then the table of contents as a Word field.
    assert [p.style.name for p in docx.paragraphs[:2]] == ["Title", "Subtitle"]
    assert docx.paragraphs[2].text == "Helse Midt-Norge RHF"
    assert "Contents" in [p.text for p in docx.paragraphs[:8]]
    assert 'instr="TOC' in docx.element.xml

    # Figure 1's table: one row per network and the totals, with the header repeated on every page.
    table = next(t for t in docx.tables if t.rows[0].cells[0].text == "Network" and len(t.rows[0].cells) == 5)
    assert [c.text for c in table.rows[0].cells] == ["Network", "2023", "2024", "2025", "Minimum"]
    assert [c.text for c in table.rows[-1].cells] == ["All networks", "93", "126", "145", ""]
    assert len(table.rows) == 1 + 33 + 1
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1


def test_docx_in_norwegian_has_the_same_numbers_and_appendices(known: Known, client: Client) -> None:
    User.objects.filter(pk=known.people["coordinator"].pk).update(language="nb")
    client.force_login(known.people["coordinator"])
    docx = read_docx(made(client, url("docx", known)).content)
    appendices = [re.match(r"^\w+ (\d+): (.+)$", h) for h in headings(docx, 2)]
    numbered = [(int(m.group(1)), m.group(2)) for m in appendices if m and m.group(2).startswith("Nettverk")]
    assert numbered == [(i, f"Nettverk {i:02d}") for i in range(1, COUNTED_2025 + 1)]
    alt_1 = docx.inline_shapes[0]._inline.docPr.get("descr")
    assert "6" in alt_1 and "33" in alt_1 and "145" in alt_1
    assert "6 av 33 nettverk i drift" in "\n".join(p.text for p in docx.paragraphs)


# --- PDF -------------------------------------------------------------------------------------------------------


def test_pdf_has_the_numbers_and_the_appendices(known: Known, coordinator: Client) -> None:
    from pypdf import PdfReader

    response = made(coordinator, url("pdf", known))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="arsrapport-hmn-2025-v1.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    pages = [squash(page.extract_text()) for page in reader.pages]
    text = " ".join(pages)
    assert "Annual report 2025" in pages[0]
    assert reader.trailer["/Root"]["/Lang"] == "en"  # the document says which language it is in
    title = "Annual report 2025 – The regional networks in Helse Midt-Norge RHF"
    assert_pdf_ua(response.content, lang="en", title=title)  # tagged, for screen readers
    assert "6 of the 33 networks in operation in 2025 held fewer meetings than their mandate's minimum." in text
    assert (
        "59 regional procedures and 6 standardised patient pathways – 65 in all, 25 more than the year before (40)"
        in text
    )
    assert "from 13 in 2024 to 19 in 2025" in text
    assert "ranked highest by 10 networks" in text
    for i in range(1, COUNTED_2025 + 1):
        assert f"Appendix {i}: Nettverk {i:02d}" in text
    assert "Appendix 31:" not in text
    # Each appendix starts on a page of its own.
    first_pages = [n for n, page in enumerate(pages) if re.search(r"Appendix \d+: Nettverk", page)]
    assert len(first_pages) >= COUNTED_2025
    # No page holds a heading alone (a figure too tall to follow it on the page leaves it there: issue 22).
    alone = [(n + 1, page) for n, page in enumerate(pages) if len(re.sub(r"\d+ / \d+", "", page).split()) <= 3]
    assert not alone, alone


# --- CSV and XLSX ----------------------------------------------------------------------------------------------


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_of_figure_1(known: Known, coordinator: Client) -> None:
    response = coordinator.get(url("figure_csv", known, 1))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="arsrapport-hmn-2025-v1.figur1.csv"'
    header, *rows = read_csv(response.content)
    assert header[1:4] == ["2023", "2024", "2025"]
    assert len(rows) == 33
    assert [sum(int(row[i]) for row in rows) for i in (1, 2, 3)] == [93, 126, 145]
    below = [row for row in rows if int(row[3]) < int(row[4])]
    assert [row[0] for row in below] == known.below_names
    assert len({row[5] for row in below}) == 1 and {row[5] for row in below} != {
        row[5] for row in rows if row not in below
    }
    assert rows[0] == ["Nettverk 01", "3", "4", "5", "4", "No"]
    assert rows[min(BELOW)] == ["Nettverk 04", "2", "3", "0", "4", "Yes"]


def test_csv_of_figure_2(known: Known, coordinator: Client) -> None:
    header, *rows = read_csv(coordinator.get(url("figure_csv", known, 2)).content)
    assert len(header) == 5
    assert [(row[0], int(row[2]), int(row[3]), int(row[4])) for row in rows] == [
        ("T1", 10, 0, 0),
        ("T2", 7, 0, 0),
        ("T4", 5, 6, 0),
        ("T3", 5, 2, 0),
        ("T5", 3, 0, 4),
    ]
    # Figure 3 (topics) has its own CSV; there is no figure 4.
    assert coordinator.get(url("figure_csv", known, 3)).status_code == 200
    assert coordinator.get(url("figure_csv", known, 4)).status_code == 404


def test_xlsx_has_both_figures_with_numbers_as_numbers(known: Known, coordinator: Client) -> None:
    from openpyxl import load_workbook

    response = coordinator.get(url("figures_xlsx", known))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    meetings, tasks, topics = workbook.worksheets
    assert [meetings.title, tasks.title, topics.title] == ["Figure 1 meetings", "Figure 2 tasks", "Figure 3 topics"]
    assert topics.max_row == 1  # the known region has no topics: the header only
    rows = list(meetings.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 33
    assert rows[0][:5] == ("Nettverk 01", 3, 4, 5, 4)
    assert sum(row[3] for row in rows) == 145
    assert sum(1 for row in rows if row[3] < row[4]) == 6
    assert meetings.freeze_panes == "A2"
    assert meetings["A1"].font.bold
    ranked = {row[0]: row[2:] for row in tasks.iter_rows(min_row=2, values_only=True)}
    assert ranked == {"T1": (10, 0, 0), "T2": (7, 0, 0), "T3": (5, 2, 0), "T4": (5, 6, 0), "T5": (3, 0, 4)}


def test_an_approved_version_exports_its_frozen_numbers(known: Known, coordinator: Client) -> None:
    draft = services.regional_report_start(user=known.people["coordinator"], region=known.region, year=YEAR)
    services.regional_report_approve(
        user=known.people["director"], report=draft, approved_on=timezone.localdate(), approved_by_body="Fagdirektørene"
    )
    # Network 04 holds four more meetings after the approval: the live figures change, the approved do not.
    below = known.networks[min(BELOW)]
    Meeting.objects.bulk_create([meeting(below, at(YEAR, month, 20)) for month in (2, 4, 6, 8)])

    _header, *frozen = read_csv(coordinator.get(url("figure_csv", known, 1) + "?version=1").content)
    assert sum(int(row[3]) for row in frozen) == 145
    _header, *live = read_csv(coordinator.get(url("figure_csv", known, 1)).content)
    assert sum(int(row[3]) for row in live) == 145  # the newest version is the approved one
    alt = read_docx(made(coordinator, url("docx", known)).content).inline_shapes[0]._inline.docPr.get("descr")
    assert "6 of 33 networks" in alt

    services.regional_report_new_version(user=known.people["coordinator"], report=draft)
    _header, *draft_rows = read_csv(coordinator.get(url("figure_csv", known, 1) + "?version=2").content)
    assert sum(int(row[3]) for row in draft_rows) == 149
    assert [row[0] for row in draft_rows if row[5] == "Yes"] == known.below_names[1:]
