"""Every PDF Fagnett makes is laid out here, by WeasyPrint, as one of two standard kinds.

- ``Purpose.PUBLISH`` — what people read and what is published (the regional report, an agenda, minutes, the
  capacity recommendation): **PDF/UA-1**, a tagged PDF with a structure tree (headings, lists, tables, figures with
  their alternative texts), the document's language and its title shown by the reader, so a screen reader can
  follow it.
- ``Purpose.ARCHIVE`` — the copies that go to the trust's archive (the minutes in the Noark extract): **PDF/A-2a**,
  the archive standard at its "accessible" level: every font embedded, colour and metadata as the standard asks,
  and tagged like the published kind. (PDF/A-2 is among the archive formats the National Archives accept.)

The title, language and author come from the HTML: ``<title>``, ``<html lang>`` and ``<meta name="author">``.

WeasyPrint does not say which way a table's header cells apply (``/Scope``); a screen reader then has to guess the
header of each data cell. ``_scope_table_headers`` adds it after layout: a header cell in a table's head row is a
column header, one in its body a row header (how our templates use ``<th>``).

Headings and captions keep with what follows and a figure stays whole with its caption (``KEEP_CSS``), so no page
ends with a heading alone.

Call ``write_pdf`` where the layout runs: usually in a child process (``core.forked``), with the HTML built first.
"""

import enum
import io
import os
from collections.abc import Iterable, Iterator
from typing import Any

#: Applied to every PDF before the document's own styles, so a document can still decide otherwise.
KEEP_CSS = """
h1, h2, h3, h4, h5, h6, caption, figcaption, thead { break-after: avoid; }
figure, tr, .keep-together { break-inside: avoid; }
thead { display: table-header-group; }
"""


class Purpose(enum.Enum):
    PUBLISH = "pdf/ua-1"
    ARCHIVE = "pdf/a-2a"


def write_pdf(
    html: str,
    *,
    purpose: Purpose = Purpose.PUBLISH,
    stylesheets: Iterable[str | os.PathLike[str]] = (),
    url_fetcher: Any = None,
) -> bytes:
    """The PDF of ``html``; ``stylesheets`` are file paths; the fetcher defaults to ``data:`` addresses only (a
    document never loads anything from the network or the disk)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = url_fetcher or URLFetcher(allowed_protocols=["data"])
    sheets = [CSS(string=KEEP_CSS), *(CSS(filename=str(path)) for path in stylesheets)]
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=sheets, pdf_variant=purpose.value)
    return _scope_table_headers(bytes(pdf))


def _scope_table_headers(pdf: bytes) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        changed = False
        for element, in_head in _header_cells(root):
            scope = pikepdf.Name.Column if in_head else pikepdf.Name.Row
            element.A = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=scope)
            changed = True
        if not changed:
            return pdf
        out = io.BytesIO()
        # Saved whole, not as an update appended to the file: PDF/A forbids neither, but one cross-reference
        # table keeps the file as simple as WeasyPrint made it; the document ID and the metadata are kept.
        document.save(out, static_id=False)
        return out.getvalue()


def _header_cells(element: Any, in_head: bool = False) -> Iterator[tuple[Any, bool]]:
    """Every ``/TH`` structure element under ``element``, and whether it is in a table's head (``/THead``)."""
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
            continue  # marked content of a page, not a structure element
        kind = kid.S
        if kind == pikepdf.Name.TH:
            yield kid, in_head
        else:
            yield from _header_cells(kid, in_head or kind == pikepdf.Name.THead)
