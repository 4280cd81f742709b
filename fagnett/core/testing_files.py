"""Real files for the upload tests, made by the libraries that make them in life (python-docx, openpyxl,
python-pptx, odfpy, WeasyPrint), and ZIP packages rebuilt from them with a part replaced (zip bombs, damage).

Text is given as runs: ``["Pasient ", "1510", "8695088"]`` becomes one paragraph of three runs, so a number can be
split the way Word and PowerPoint split it.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

Runs = Sequence[str]

# A valid national identity number (control digits right) and an eleven-digit number that is not one.
NUMBER = "15108695088"
NOT_A_NUMBER = "15108695089"


def docx(
    *paragraphs: Runs, header: str = "", comment: str = "", table: Sequence[Sequence[str]] = (), title: str = ""
) -> bytes:
    from docx import Document

    document = Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text in runs:
            paragraph.add_run(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if comment:
        anchor = document.add_paragraph().add_run("Se kommentar")
        document.add_comment(anchor, text=comment, author="Saksbehandler")
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if title:
        document.core_properties.title = title
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx(rows: Iterable[Sequence[Any]] = (), *, comment: str = "", sheet_title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if sheet_title:
        sheet.title = sheet_title
    for row in rows:
        sheet.append(list(row))
    if comment:
        sheet["A1"].comment = Comment(comment, "Saksbehandler")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pptx(*slides: Runs, notes: str = "") -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    for runs in slides or [["Tom"]]:
        slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
        frame = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1)).text_frame
        paragraph = frame.paragraphs[0]
        for text in runs:
            paragraph.add_run().text = text
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def _odf_paragraph(runs: Runs) -> Any:
    from odf.text import P, Span

    paragraph = P()
    for i, text in enumerate(runs):
        if i % 2:
            paragraph.addElement(Span(text=text))
        else:
            paragraph.addText(text)
    return paragraph


def _odf_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def odt(*paragraphs: Runs) -> bytes:
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    for runs in paragraphs:
        document.text.addElement(_odf_paragraph(runs))
    return _odf_bytes(document)


def ods(rows: Iterable[Sequence[str | int]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Ark1")
    for values in rows:
        row = TableRow()
        for value in values:
            if isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    return _odf_bytes(document)


def odp(*slides: Runs) -> bytes:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.style import MasterPage, PageLayout

    document = OpenDocumentPresentation()
    layout = PageLayout(name="Layout")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for runs in slides:
        page = Page(masterpagename=master)
        frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
        box = TextBox()
        box.addElement(_odf_paragraph(runs))
        frame.addElement(box)
        page.addElement(frame)
        document.presentation.addElement(page)
    return _odf_bytes(document)


def pdf(*pages: str, title: str = "Notat") -> bytes:
    """A PDF laid out by WeasyPrint, one page per text."""
    from html import escape

    from weasyprint import HTML

    body = "".join(f'<p style="break-after: page">{escape(text)}</p>' for text in pages)
    html = f"<html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>{body}</body></html>"
    return HTML(string=html).write_pdf()


def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _repeated(head: bytes, chunk: bytes, tail: bytes, count: int) -> tuple[bytes, int, int]:
    """``head + chunk × count + tail`` deflated without ever being held or compressed whole: the chunk is compressed
    once, as a block that refers to nothing before it, and that block is repeated. Returns the compressed bytes, the
    CRC-32 and the size of the whole."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return first + block * count + last, crc, len(head) + len(chunk) * count + len(tail)


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP file of already deflated entries (name, compressed, CRC-32, size), written the way zipfile reads it."""
    out = io.BytesIO()
    directory = io.BytesIO()
    for name, compressed, crc, size in entries:
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(compressed), size, len(encoded), 0)
        )
        out.write(encoded)
        out.write(compressed)
        directory.write(
            struct.pack(
                "<4s6H3L5H2L",
                *(b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(compressed), size, len(encoded), 0, 0, 0, 0, 0),
                offset,
            )
        )
        directory.write(encoded)
    start = out.tell()
    out.write(directory.getvalue())
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory.getvalue()), start, 0)
    )
    return out.getvalue()


def repackaged(
    package: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    stream: dict[str, tuple[bytes, bytes, bytes, int]] | None = None,
) -> bytes:
    """``package`` with parts replaced or added, and parts that are ``head + chunk × count + tail`` (a zip bomb: a
    part of hundreds of megabytes that packs into a few hundred kilobytes, made in a second)."""
    replace = replace or {}
    stream = stream or {}
    source = zipfile.ZipFile(io.BytesIO(package))
    contents = {name: replace.get(name, source.read(name)) for name in source.namelist() if name not in stream}
    contents.update({name: content for name, content in replace.items() if name not in contents})
    entries = [(name, _deflated(data), zlib.crc32(data), len(data)) for name, data in contents.items()]
    entries += [(name, *_repeated(*parts)) for name, parts in stream.items()]
    return _zip(entries)


SPREADSHEET = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def xlsx_with_shared_strings(
    strings: Iterable[str] = (), *, repeat: tuple[str, int] | None = None, per_item: bool = True
) -> bytes:
    """A workbook whose sheet "Capacity" is empty and whose shared strings are ``strings``, or one string repeated
    ``count`` times (streamed: millions of strings in a file of kilobytes), or with ``per_item=False`` one string
    that is the text repeated ``count`` times."""
    from xml.sax.saxutils import escape

    base = xlsx([["unit_id"]], sheet_title="Capacity")
    types = zipfile.ZipFile(io.BytesIO(base)).read("[Content_Types].xml")
    rels = zipfile.ZipFile(io.BytesIO(base)).read("xl/_rels/workbook.xml.rels")
    if b"sharedStrings" not in types:
        types = types.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument'
            b'.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        rels = rels.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships'
            b'/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    head = SPREADSHEET + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    tail = b"</sst>"
    if repeat is not None:
        text, count = repeat
        if per_item:
            chunk = f"<si><t>{escape(text)}</t></si>".encode() * 100_000
            count //= 100_000
        else:  # a chunk of several repetitions, so that they pack against each other
            head, chunk, tail = head + b"<si><t>", escape(text).encode() * 50, b"</t></si>" + tail
            count //= 50
        return repackaged(
            base,
            replace={"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
            stream={"xl/sharedStrings.xml": (head, chunk, tail, count)},
        )
    body = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings).encode()
    return repackaged(
        base,
        replace={
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/sharedStrings.xml": head + body + tail,
        },
    )


def blank_pdf(attachment: bytes = b"") -> bytes:
    """A real one-page PDF (pypdf), with ``attachment`` embedded as a file to make it as large as a test needs: the
    size grows by exactly the attachment's length."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if attachment:
        writer.add_attachment("data.bin", attachment)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def xlsx_with_long_string(megabytes: int) -> bytes:
    """A workbook with one shared string of ``megabytes`` MB that packs about 70 times: within the unpacking bounds
    (a repeated 20 KB block of random letters, inside deflate's 32 KB window), but a reader needs several times its
    size in memory to hold it."""
    import random

    block = "".join(random.Random(16).choices("abcdefghijklmnopqrstuvwxyz ", k=20_000))
    return xlsx_with_shared_strings(repeat=(block, megabytes * 1024 * 1024 // len(block)), per_item=False)


def xlsx_sheet(rows: Iterable[Sequence[str | int]], sheet_title: str = "Capacity") -> bytes:
    """A workbook whose one sheet is written as XML directly (inline strings and numbers): tens of thousands of
    rows in a fraction of the time openpyxl takes."""
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(column) for column in range(1, 100)]

    def cell(column: int, row: int, value: str | int) -> str:
        ref = f"{letters[column - 1]}{row}"
        if isinstance(value, int):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    body = "".join(
        f'<row r="{r}">' + "".join(cell(c, r, v) for c, v in enumerate(values, start=1)) + "</row>"
        for r, values in enumerate(rows, start=1)
    )
    sheet = (
        SPREADSHEET.decode()
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + body
        + "</sheetData></worksheet>"
    )
    return repackaged(xlsx(sheet_title=sheet_title), replace={"xl/worksheets/sheet1.xml": sheet.encode()})


WORD = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'


def docx_body(paragraphs: Iterable[str] = (), *, repeat: tuple[str, int] | None = None) -> bytes:
    """A Word document whose body is ``paragraphs`` (XML of ``w:p`` elements), or one paragraph's XML repeated."""
    base = docx(["x"])
    tail = b"</w:body></w:document>"
    if repeat is not None:
        xml, count = repeat
        chunk_items = max(1, 1_000_000 // len(xml))
        return repackaged(
            base, stream={"word/document.xml": (WORD, xml.encode() * chunk_items, tail, count // chunk_items)}
        )
    return repackaged(base, replace={"word/document.xml": WORD + "".join(paragraphs).encode() + tail})
