"""The regional annual report as DOCX (python-docx) and PDF (WeasyPrint), and the figures' data as CSV and XLSX."""

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fagnett.core import forked, pdf, word
from fagnett.core.spreadsheet import Column, Sheet, write_csv, write_xlsx
from fagnett.reports import charts
from fagnett.reports.document import Block, ReportDocument, Section

#: The most rows of one figure's data: a row per network, task or topic of one region, a few hundred at most.
MAX_FIGURE_ROWS = 10_000


def figure_numbers(stats: dict[str, Any]) -> list[int]:
    if "meetings" not in stats:
        return []  # a network's own report has no figures
    return [1, 2, 3] if (stats.get("topics") or {}).get("rows") else [1, 2]


def figure_pngs(stats: dict[str, Any]) -> dict[int, bytes]:
    return {n: charts.DRAW[n](stats, "png") for n in figure_numbers(stats)}


def report_docx(document: ReportDocument) -> bytes:
    """The report as DOCX, made in a child process (``core.forked``)."""
    return forked.call(_docx, document)


def _docx(document: ReportDocument) -> bytes:
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    pngs = figure_pngs(document.stats)
    docx = word.new_document(
        title=f"{document.title} – {document.subtitle}",
        author=document.stats["region"]["name"],
        subject=document.title,
        keywords=_("annual report, regional networks"),
    )
    # A cover page, then the table of contents, then the report.
    cover = docx.add_paragraph(document.title, style="Title")
    cover.paragraph_format.space_before = Cm(6)
    docx.add_paragraph(document.subtitle, style="Subtitle")
    docx.add_paragraph(document.stats["region"]["name"])
    docx.add_paragraph(document.approval).runs[-1].add_break(WD_BREAK.PAGE)
    word.add_table_of_contents(docx)
    docx.add_page_break()

    def table(block: Block) -> None:
        docx.add_paragraph(block.caption, style="Caption")
        grid = docx.add_table(rows=1, cols=len(block.header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, block.header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        # Repeat the header row on every page.
        header_props = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_props.append(repeat)
        for row in block.rows:
            for cell, text in zip(grid.add_row().cells, row, strict=True):
                cell.text = text

    def add_blocks(blocks: list[Block]) -> None:
        for block in blocks:
            if block.kind == "paragraph":
                docx.add_paragraph(block.text)
            elif block.kind == "bullets":
                for item in block.items:
                    docx.add_paragraph(item, style="List Bullet")
            elif block.kind == "table":
                table(block)
            elif block.kind == "figure":
                docx.add_picture(io.BytesIO(pngs[block.number]), width=Cm(16))
                # The picture's alt text (wp:docPr descr) is what screen readers read.
                doc_pr = docx.inline_shapes[-1]._inline.docPr
                doc_pr.set("descr", block.alt)
                doc_pr.set("title", block.caption)
                docx.add_paragraph(block.caption, style="Caption")
                if block.table is not None:
                    table(block.table)

    def add_section(section: Section, level: int) -> None:
        docx.add_heading(section.heading, level=level)
        add_blocks(section.blocks)
        for sub in section.subsections:
            add_section(sub, min(level + 1, 9))

    for section in document.sections:
        add_section(section, 1)
    if document.appendices:
        docx.add_page_break()
        docx.add_heading(_("Appendices: the networks' reports"), level=1)
        for appendix in document.appendices:
            add_section(appendix, 2)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def report_pdf(document: ReportDocument) -> bytes:
    """The report as PDF. One child process draws the figures while another lays out the text with WeasyPrint,
    which asks for the figures only when it places them; the two cores share the work, and neither the plots nor
    the layout stay in the worker's memory (``core.forked``)."""
    figures = forked.Child(figure_pngs, document.stats)
    try:
        sources = {n: f"{FIGURE_URL}{n}" for n in figure_numbers(document.stats)}
        html = render_to_string("reports/regional_pdf.html", {"document": document, "figure_sources": sources})
        return forked.call(_pdf, html, figures)
    finally:
        figures.close()


FIGURE_URL = "fagnett-figure:"


def _pdf(html: str, figures: forked.Child) -> bytes:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    pngs: dict[int, bytes] = {}

    class Fetcher(URLFetcher):
        """The figures from the other child; nothing from the network or the disk."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if not url.startswith(FIGURE_URL):
                return super().fetch(url, headers)
            if not pngs:
                pngs.update(figures.receive())
            return URLFetcherResponse(url, pngs[int(url.removeprefix(FIGURE_URL))], {"Content-Type": "image/png"})

    return pdf.write_pdf(html, url_fetcher=Fetcher(allowed_protocols=["data"]))


def figure_tables(stats: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The data behind figures 1, 2 and 3, as (sheet name, header, rows) with plain numbers."""
    meetings = stats["meetings"]
    figure_1 = (
        _("Figure 1 meetings"),
        [_("Network"), *[str(y) for y in meetings["years"]], _("Minimum"), _("Below minimum")],
        [
            [row["network"], *row["counts"], row["minimum"], _("Yes") if row["below"] else _("No")]
            for row in meetings["rows"]
        ],
    )
    figure_2 = (
        _("Figure 2 tasks"),
        [_("Code"), _("Task"), _("Most central"), _("Second"), _("Third")],
        [[row["code"], row["title"], row["first"], row["second"], row["third"]] for row in stats["tasks"]["rows"]],
    )
    topics = stats.get("topics") or {"years": [stats["year"] - 1, stats["year"]], "rows": []}
    figure_3 = (
        _("Figure 3 topics"),
        [_("Topic"), *[str(y) for y in topics["years"]], pgettext("difference between two years", "Change")],
        [[row["topic"], row["last_year"], row["this_year"], row["change"]] for row in topics["rows"]],
    )
    return [figure_1, figure_2, figure_3]


def figures_csv(stats: dict[str, Any], figure: int) -> str:
    """One figure's data as CSV (semicolon-separated, as Norwegian Excel expects), with a BOM for Excel."""
    _name, header, rows = figure_tables(stats)[figure - 1]
    return write_csv(header, rows, max_rows=MAX_FIGURE_ROWS)


def figures_xlsx(stats: dict[str, Any]) -> bytes:
    """The figures' data, one sheet each, with numbers as numbers."""
    sheets = [
        Sheet(name, [Column(text, 45 if i == 0 else None) for i, text in enumerate(header)], rows)
        for name, header, rows in figure_tables(stats)
    ]
    return write_xlsx(sheets, max_rows=MAX_FIGURE_ROWS)
