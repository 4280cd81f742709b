import io

from pypdf import PdfReader

from fagnett.core.pdf import Purpose, write_pdf
from tests.pdf_standards import assert_pdf_a, assert_pdf_ua

PAGE = "<style>@page { size: A4; margin: 20mm; } body { margin: 0; font-size: 11pt; } p { margin: 0; }</style>"


def _document(body: str) -> str:
    head = f"<head><title>Notat</title>{PAGE}</head>"
    return f'<!DOCTYPE html><html lang="nb">{head}<body><h1>Notat</h1>{body}</body></html>'


PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_no_heading_or_caption_is_left_alone_at_the_bottom_of_a_page() -> None:
    """Spacers of growing height push a heading, and then a table with its caption, down the first page to its very
    end: each moves on with what follows it (``KEEP_CSS``; WeasyPrint keeps headings by itself, but left a table's
    caption and head row alone at the bottom of a page at 10 of these 25 heights)."""
    rows = "".join(f"<tr><td>Sykehus {i}</td><td>{i}</td></tr>" for i in range(8))
    table = f"<table><caption>Tabell 1. Senger</caption><thead><tr><th>Sykehus</th><th>Senger</th></tr></thead>{rows}"
    moved = 0
    for height in range(200, 250, 2):
        html = _document(f'<div style="height: {height}mm"></div><h2>Konklusjon</h2>{table}</table>')
        pages = [page.extract_text().split("\n") for page in PdfReader(io.BytesIO(write_pdf(html))).pages]
        for lines in pages:
            last = lines[-1].strip()
            assert not last.startswith(("Konklusjon", "Tabell 1", "Sykehus Senger")), (
                f"'{last}' ends a page at {height}"
            )
        moved += len(pages) > 1 and pages[1][0].startswith("Konklusjon")
    assert moved, "the spacers never pushed the heading over to the next page: the test proves nothing"


def test_table_header_cells_get_their_scope_and_both_kinds_pass_their_checks() -> None:
    html = _document(
        "<table><thead><tr><th>Nettverk</th><th>Møter</th></tr></thead>"
        "<tbody><tr><th>Anestesi</th><td>4</td></tr></tbody></table>"
        f'<figure><img alt="Søyler: møter per nettverk" src="{PNG}">'
        "<figcaption>Figur 1</figcaption></figure>"
    )
    assert_pdf_ua(write_pdf(html), lang="nb", title="Notat")
    assert_pdf_a(write_pdf(html, purpose=Purpose.ARCHIVE), lang="nb", title="Notat")
