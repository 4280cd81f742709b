"""One formatter (issue 21, item 6): the same figure reads the same on the page, in the recommendation's PDF and
DOCX and in the CSV export — in the reader's language, rounded half-up to the same decimals.

The round is built so the rounding shows: trust A1's 9 staffed K3 beds over its 400 000 inhabitants are exactly
2.25 per 100 000, which is 2.3 rounded half-up at one decimal — Python's ``round()`` gives 2.2 (half to even), and
Django's ``number_format`` cuts it to 2.2 too. The unit admitted 180 patients in the 90-day quarter for 4 days each:
an offered load of 8 erlang, and with 9 beds Erlang's loss model refuses 17.27… % of them.
"""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone, translation
from docx import Document
from pypdf import PdfReader

from fagnett.capacity import calculations, documents
from fagnett.capacity.models import ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from tests.factories import World

pytestmark = pytest.mark.django_db

MONTHS_NB = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class _Tables(HTMLParser):
    """Every table row of a page as the texts of its cells (header cells included), keyed by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            # blanks squeezed, but not the no-break space that groups thousands
            self.tables[self._table][-1].append(re.sub(r"[ \t\r\n]+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _row(rows: list[list[str]], first: str) -> list[str]:
    return next(row for row in rows if row and row[0] == first)


@pytest.fixture
def round_(world: World) -> ReportRound:
    trust = world.trusts_a[0]
    trust.population = 400_000
    trust.save(update_fields=["population"])
    unit = units_of(world, 0)[0]
    round_ = make_round(world.region_a)  # 1 January – 31 March 2026: 90 days
    make_entry(round_, unit, "K3", "normal", physical_beds=10, staffed_beds=9, admissions=180, mean_length_of_stay=4)
    return round_


def _expected(language: str) -> dict[str, str]:
    """The figures written by hand, in each language: not by the code under test."""
    refused = Decimal(repr(100 * calculations.erlang_b(9, 8.0))).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert refused == Decimal("17.3")  # 17.27… (Erlang B with 9 servers at 8 erlang: 0.1727)
    today = timezone.localdate()
    if language == "nb":
        return {
            "per_100k": "2,3",
            "refused": "17,3 %",
            "refused_number": "17,3",
            "load": "8,00",
            "population": "400\xa0000",
            "today": f"{today.day}. {MONTHS_NB[today.month - 1]} {today.year}",
            "period": "01.01.2026 – 31.03.2026",
        }
    return {
        "per_100k": "2.3",
        "refused": "17.3 %",
        "refused_number": "17.3",
        "load": "8.00",
        "population": "400,000",
        "today": f"{today.day} {MONTHS_EN[today.month - 1]} {today.year}",
        "period": "01/01/2026 – 31/03/2026",
    }


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_page_the_pdf_the_docx_and_the_csv_write_the_same_figures(
    round_: ReportRound, world: World, login_as: object, language: str
) -> None:
    leader = world["leader"]
    leader.language = language
    leader.save(update_fields=["language"])
    client: Client = login_as("leader")  # type: ignore[operator]
    want = _expected(language)
    base = f"/capacity/rounds/{round_.pk}"

    # The page: the dashboard's distribution by trust, and the dimensioning table.
    dashboard = _tables(client.get(f"{base}/dashboard/").content.decode())
    trust_row = _row(dashboard["trust-table"], "Trust A1 HF")
    # K1, K2, K3, total, population, K1–K3 per 100 000, total per 100 000
    assert trust_row[1:10] == ["–", "–", "9", "9", want["population"], "–", "–", want["per_100k"], want["per_100k"]]
    dimensioning = _tables(client.get(f"{base}/dimensioning/").content.decode())
    k3 = next(row for row in dimensioning["dimensioning-table"] if row[:2] == ["Trust A1 HF", "K3"])
    assert any(cell.startswith(want["load"]) for cell in k3)
    assert any(want["refused"] in cell for cell in k3)

    # The CSV exports of the same two tables.
    trusts_csv = client.get(f"{base}/export.csv?table=trusts").content.decode("utf-8-sig")
    trust_line = _row(list(csv.reader(io.StringIO(trusts_csv), delimiter=";")), "Trust A1 HF")
    assert trust_line[1:11] == ["", "", "9", "9", "400000", "", "", want["per_100k"], want["per_100k"], "1"]
    dimensioning_csv = client.get(f"{base}/export.csv?table=dimensioning").content.decode("utf-8-sig")
    k3_line = next(
        r for r in csv.reader(io.StringIO(dimensioning_csv), delimiter=";") if r[:2] == ["Trust A1 HF", "K3"]
    )
    assert k3_line[5:7] == [want["load"], want["refused_number"]]

    # The recommendation's DOCX and PDF, made in the reader's language as the background job makes them.
    with translation.override(language):
        report = documents.recommendation_data(round_=round_)
        docx = Document(io.BytesIO(documents.recommendation_docx(report)))
        pdf = PdfReader(io.BytesIO(documents.recommendation_pdf(report)))
    cells = [[cell.text for cell in row.cells] for table in docx.tables for row in table.rows]
    assert _row(cells, "A1")[1:5] == ["–", "–", "9", want["per_100k"]]
    assert _row(cells, "A1")[-1].startswith("1 / 1")
    assert next(row for row in cells if row[:2] == ["Trust A1 HF", "K3"])[2:6] == [
        "9",
        want["load"],
        want["refused"],
        "13",
    ]
    intro = "\n".join(p.text for p in docx.paragraphs)
    assert want["today"] in intro and want["period"] in intro
    text = "\n".join(page.extract_text() for page in pdf.pages)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    joined = " ".join(lines)
    assert f"A1 – – 9 {want['per_100k']} 1 / 1" in joined, joined
    assert f"K3 9 {want['load']} {want['refused']} 13" in joined, joined
    assert want["today"] in joined and want["period"] in joined
    # Neither document writes the figure rounded another way, nor a date as ISO.
    wrong = {"nb": ["2,2", "2.25", "8.0 ", "17.3"], "en": ["2.2 ", "2.25", "8.0 ", "17,3"]}[language]
    for document_text in (text, "\n".join(" ".join(row) for row in cells)):
        assert not [w for w in wrong if w in document_text + " "]
        assert not re.search(r"\d{4}-\d{2}-\d{2}", document_text)


def test_the_recommendation_pictures_have_alt_text_that_gives_the_figures(round_: ReportRound) -> None:
    with translation.override("en"):
        report = documents.recommendation_data(round_=round_)
        docx = Document(io.BytesIO(documents.recommendation_docx(report)))
    descriptions = [shape._inline.docPr.get("descr") for shape in docx.inline_shapes]
    assert len(descriptions) == 2
    composition, dimensioning = descriptions
    assert "K3 100 %" in composition and "K1 0 %" in composition
    assert "Trust A1 HF K3: 9 staffed, 13 needed" in dimensioning
