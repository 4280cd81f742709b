"""The text of an uploaded document, read to find national identity numbers before the file is stored.

Office Open XML (.docx, .xlsx, .pptx) and OpenDocument (.odt, .ods, .odp) files are ZIP packages of XML parts.
Every XML part is read, not only the body: headers and footers, comments, footnotes, speaker notes, tracked
deletions, text boxes, alternative text of pictures, link addresses, embedded workbooks and the document properties
all travel with the file (only Office's large formatting parts, styles, fonts and themes, which hold no text, are
left out). The parts are read with lxml's ``iterparse``, and what has been read is dropped as it goes, so memory
follows the longest paragraph, not the size of the part; entities are not expanded, no DTD is loaded and nothing is
fetched from the network. In the parts of these vocabularies the parser reports only the elements that can hold
text (a sheet of 20 000 rows has half a million cells, and most of the time is the parser's); any other XML part
(custom XML data) is read whole, every element's text.

Word and PowerPoint split a paragraph into runs wherever the formatting or the editing history changes, so
"15108695088" can be stored as ``<w:t>1510</w:t>`` ``<w:t>8695088</w:t>``. The text is therefore joined per
paragraph (``w:p``, ``a:p``, ``text:p``, ``text:h``), per shared or inline string of a workbook (``si``, ``is``)
and per comment before it is searched, and every other element (a cell's value, a property) is searched on its own.

PDF text is read with pypdf, page by page, with the annotations, form fields, outline and document information.
Text drawn as pictures (a scanned page) cannot be read and is not searched.

``find_in_document`` is meant to run in a child process under ``core.forked.upload_limits()``: pypdf and a
crafted package can need far more memory or time than the file's size suggests.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

from fagnett.core.packages import PackageRefused, check_package
from fagnett.core.validators import find_national_id_numbers

PACKAGE_EXTENSIONS = frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"})
SCANNED_EXTENSIONS = PACKAGE_EXTENSIONS | {".pdf"}

# Elements whose text is joined before it is searched: paragraphs (WordprocessingML, DrawingML, OpenDocument),
# headings (OpenDocument), a workbook's shared and inline strings, and the text of a comment in a workbook or a
# presentation. Matched by local name, so the strict Office namespaces are covered too.
_PARAGRAPHS = frozenset({"p", "h"})
_STRINGS = frozenset({"si", "is", "text"})
_BLOCKS = _PARAGRAPHS | _STRINGS
# Elements outside paragraphs whose own text people wrote: cell values and formulas (workbooks, charts), a sheet's
# headers and footers, the document properties (core, app, custom; OpenDocument's meta.xml) and alternative text.
_LEAVES = frozenset(
    {
        "v",
        "f",
        *("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"),
        *("title", "subject", "creator", "keywords", "keyword", "description", "desc", "lastModifiedBy"),
        *("category", "contentStatus", "identifier", "Company", "Manager", "HyperlinkBase", "lpstr", "lpwstr"),
        *("bstr", "initial-creator", "user-defined"),
    }
)
# Elements with attributes that hold words people wrote: alternative text of a picture (docPr, cNvPr), link
# addresses (Relationship's Target, OpenDocument's text:a), a field's instruction (w:fldSimple), tooltips, the names
# of sheets and slides, a pivot table's cached values (s, n) and an OpenDocument cell's value.
_HOLDERS = frozenset(
    {
        *("docPr", "cNvPr", "frame", "Relationship", "a", "fldSimple", "hyperlink", "hlinkClick"),
        *("sheet", "table", "cSld", "s", "n", "table-cell"),
    }
)
_TEXT_ATTRIBUTES = frozenset(
    {"descr", "title", "name", "Target", "href", "instr", "tooltip", "v", "value", "string-value"}
)
# Rows of a sheet: once read, they are dropped with everything in them.
_ROWS = frozenset({"row", "table-row"})
_PARAGRAPH, _STRING, _LEAF, _HOLDER, _ROW = range(5)
_WATCHED = [f"{{*}}{name}" for name in sorted(_BLOCKS | _LEAVES | _HOLDERS | _ROWS)]
# The parts laid out by these vocabularies are read through the elements above only; any other XML part (custom XML
# data, settings) is read whole, every element's text.
_KNOWN_PARTS = ("word/", "xl/", "ppt/", "docprops/", "content.xml", "styles.xml", "meta.xml", "/content.xml")
# Parts of Office Open XML that hold no text, only formatting (names in attributes), and are large: not read.
_FORMATTING_PARTS = ("styles.xml", "styleswitheffects.xml", "fonttable.xml", "websettings.xml")
# Fewer characters cannot hold eleven digits.
_SHORTEST = 11
# One level of embedded packages (a workbook pasted into a document as an object) is opened and read too.
_MAX_NESTING = 1


class Unreadable(Exception):
    """The document cannot be read, so it cannot be checked: ``reason`` is ``damaged``, ``encrypted`` or ``too_large``
    (an embedded package outside the bounds)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Finding:
    """Where a number was found: ``where`` is ``text``, ``header``, ``comment``, ``note``, ``speaker_notes``,
    ``properties``, ``link``, ``embedded`` or ``page`` (with ``page`` set). The number itself is not kept."""

    where: str
    page: int | None = None


def find_in_document(data: bytes, extension: str) -> Finding | None:
    """The first place in the document that holds a national identity number, or ``None``."""
    if extension == ".pdf":
        return _find_in_pdf(data)
    try:
        package = check_package(io.BytesIO(data))
    except PackageRefused as refused:  # checked in the worker already; here for callers that did not
        reason = "encrypted" if refused.encrypted else "damaged" if refused.not_a_package else "too_large"
        raise Unreadable(reason) from None
    with package:
        return _find_in_package(package, depth=0)


def _hit(segments: Iterable[str]) -> bool:
    return any(len(segment) >= _SHORTEST and find_national_id_numbers(segment) for segment in segments)


# --- ZIP packages --------------------------------------------------------------------------------------------------


def _find_in_package(package: zipfile.ZipFile, *, depth: int) -> Finding | None:
    if _opendocument_encrypted(package):
        raise Unreadable("encrypted")
    for info in package.infolist():
        name = info.filename
        lower = name.lower()
        if info.is_dir():
            continue
        if lower.endswith((".xml", ".rels")):
            if _formatting_only(lower):
                continue
            try:
                with package.open(info) as part:
                    known = lower.endswith(".rels") or lower.startswith(_KNOWN_PARTS) or lower.endswith(_KNOWN_PARTS)
                    if _hit(xml_segments(part) if known else all_xml_segments(part)):
                        return Finding("embedded" if depth else _where(lower))
            except etree.XMLSyntaxError as error:
                if error.code == etree.ErrorTypes.ERR_NO_MEMORY:  # libxml2 out of memory: the child's limit
                    raise MemoryError(str(error)) from None
                raise Unreadable("damaged") from None
            except (zipfile.BadZipFile, EOFError, OSError):
                raise Unreadable("damaged") from None
        elif depth < _MAX_NESTING and lower.endswith(tuple(PACKAGE_EXTENSIONS)):
            try:
                nested = check_package(io.BytesIO(package.read(info)))
            except PackageRefused as refused:
                raise Unreadable("too_large" if not refused.not_a_package else "damaged") from None
            except (zipfile.BadZipFile, EOFError, OSError):
                raise Unreadable("damaged") from None
            with nested:
                if _find_in_package(nested, depth=depth + 1):
                    return Finding("embedded")
    return None


def _opendocument_encrypted(package: zipfile.ZipFile) -> bool:
    """An OpenDocument file saved with a password keeps its parts encrypted, and says so in its manifest."""
    try:
        with package.open("META-INF/manifest.xml") as manifest:
            return b"encryption-data" in manifest.read()
    except KeyError:
        return False
    except (zipfile.BadZipFile, EOFError, OSError):
        raise Unreadable("damaged") from None


def _formatting_only(part: str) -> bool:
    folder, _, base = part.rpartition("/")
    return folder.startswith(("word", "xl", "ppt")) and (base in _FORMATTING_PARTS or folder.endswith("/theme"))


def _where(part: str) -> str:
    base = part.rsplit("/", 1)[-1]
    if part.endswith(".rels"):
        return "link"
    if part.startswith("docprops/") or part == "meta.xml":
        return "properties"
    if "comment" in base:  # comments.xml, commentsExtended, threadedComment1.xml, ppt/comments/modernComment_…
        return "comment"
    if base.startswith(("header", "footer")) or part == "styles.xml":  # OpenDocument keeps headers in styles.xml
        return "header"
    if base.startswith(("footnotes", "endnotes")):
        return "note"
    if "notesslide" in part:
        return "speaker_notes"
    return "text"


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _padded_number(element: Any, local: str) -> str | None:
    """A ten-digit number in a number cell, with the leading zero Excel and Calc drop from 01018012345."""
    value = None
    if local == "v":  # SpreadsheetML: <c t="n"><v>1018012345</v></c>; t="s" is an index into the shared strings
        value = element.text
        if not value or len(value) != 10:
            return None
        parent = element.getparent()
        if parent is None or _local(parent.tag) != "c" or parent.get("t") not in (None, "n"):
            return None
    elif local == "table-cell":  # OpenDocument: <table:table-cell office:value-type="float" office:value="…">
        for key, attribute in element.attrib.items():
            if _local(key) == "value":
                value = attribute
    if value and len(value) == 10 and value.isascii() and value.isdigit():
        return "0" + value
    return None


def _in_paragraph(element: Any, kinds: dict[str, int]) -> bool:
    return any(kinds.get(ancestor.tag) == _PARAGRAPH for ancestor in element.iterancestors())


def _drop_read(element: Any) -> None:
    """Everything up to ``element`` has been read: drop it, and whatever came before it at every level, so memory
    does not grow with the part."""
    element.clear(keep_tail=True)
    node = element
    while (parent := node.getparent()) is not None:
        while node.getprevious() is not None:
            del parent[0]
        node = parent


def _parse(stream: IO[bytes], **kwargs: Any) -> Any:
    return etree.iterparse(
        stream,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        **kwargs,
    )


def xml_segments(stream: IO[bytes]) -> Iterator[str]:
    """The text of an Office or OpenDocument part, joined per paragraph (and per string, comment), in document order.

    Only the elements that can hold text are reported by the parser (a workbook's sheet has millions of others);
    a paragraph nested in another (a text box in a paragraph) is read on its own and then the outer one."""
    kinds: dict[str, int] = {}  # tag → kind, worked out once per tag
    for _, element in _parse(stream, events=("end",), tag=_WATCHED):
        tag = element.tag
        kind = kinds.get(tag)
        if kind is None:
            local = _local(tag)
            kind = kinds[tag] = (
                _PARAGRAPH
                if local in _PARAGRAPHS
                else _STRING
                if local in _STRINGS
                else _LEAF
                if local in _LEAVES
                else _ROW
                if local in _ROWS
                else _HOLDER
            )
        if kind == _LEAF:
            text = element.text
            if text and len(text) >= _SHORTEST:
                yield text
            elif text and len(text) == 10:
                padded = _padded_number(element, _local(tag))
                if padded:
                    yield padded
        elif kind == _STRING:  # never nested, and many (a cell's, or one of millions of shared strings)
            yield "".join(element.itertext())
            element.clear(keep_tail=True)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
        elif kind == _PARAGRAPH:
            yield "".join(element.itertext())
            if _in_paragraph(element, kinds):
                element.clear(keep_tail=True)  # read; the outer paragraph goes on without it
            else:
                _drop_read(element)
        elif kind == _HOLDER:
            for key, value in element.attrib.items():
                if len(value) >= _SHORTEST and _local(key) in _TEXT_ATTRIBUTES:
                    yield value
            padded = _padded_number(element, _local(tag))
            if padded:
                yield padded
        else:  # a row
            _drop_read(element)


def all_xml_segments(stream: IO[bytes]) -> Iterator[str]:
    """The text of any XML part: each element's own text (paragraph-like elements' joined), attributes not read."""
    depth = 0  # how many paragraph-like elements are open
    for event, element in _parse(stream, events=("start", "end")):
        block = _local(element.tag) in _BLOCKS
        if event == "start":
            depth += block
            continue
        if block:
            depth -= 1
            if depth == 0:
                yield "".join(element.itertext())
        elif depth == 0 and element.text and len(element.text) >= _SHORTEST:
            yield element.text
        if depth == 0:
            _drop_read(element)


# --- PDF -----------------------------------------------------------------------------------------------------------


def _find_in_pdf(data: bytes) -> Finding | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted")
        if _hit(_pdf_values(reader.metadata or {})):
            return Finding("properties")
        for number, page in enumerate(reader.pages, start=1):
            if _hit([page.extract_text() or ""]) or _hit(_annotations(page)):
                return Finding("page", number)
        if _hit(_pdf_values(reader.get_fields() or {})) or _hit(_outline(reader.outline)):
            return Finding("text")
    except (Unreadable, MemoryError):
        raise
    except Exception:
        raise Unreadable("damaged") from None
    return None


def _pdf_values(values: Any) -> Iterator[str]:
    for value in values.values():
        if isinstance(value, dict):  # a form field: its value and its default
            yield from (str(value.get(key, "")) for key in ("/V", "/DV"))
        else:
            yield str(value)


def _annotations(page: Any) -> Iterator[str]:
    for annotation in page.get("/Annots") or []:
        annotation = annotation.get_object()
        for key in ("/Contents", "/T", "/Subj"):
            if key in annotation:
                yield str(annotation[key])
        action = annotation.get("/A")
        if action is not None and "/URI" in action.get_object():
            yield str(action.get_object()["/URI"])


def _outline(items: Any) -> Iterator[str]:
    for item in items:
        if isinstance(item, list):
            yield from _outline(item)
        else:
            yield str(item.get("/Title", ""))
