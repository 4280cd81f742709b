"""The text of uploaded documents is searched for national identity numbers before anything is stored.

Every file here is real, made by the library that makes such files in life (python-docx, openpyxl, python-pptx,
odfpy, WeasyPrint, pypdf) and read back by ``check_upload`` through the same path as an upload from the web.
"""

import io
import os
import zipfile
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from fagnett.core import testing_files as files
from fagnett.core.testing_files import NOT_A_NUMBER, NUMBER
from fagnett.core.uploads import check_upload

SPLIT = ["Pasient ", "1510", "8695", "088", " ble overflyttet"]  # one paragraph, the number over three runs
LEADING_ZERO = 1017000027  # 01017000027 typed into a number cell: Excel and Calc drop the zero


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content))
    (message,) = error.value.messages
    return message


# A paragraph whose number is split by a text box (a paragraph inside the paragraph, read on its own first).
AROUND_A_TEXT_BOX = (
    "<w:p><w:r><w:t>Pasient 1510</w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>Merknad</w:t></w:r></w:p>"
    "</w:txbxContent></w:pict></w:r><w:r><w:t>8695088</w:t></w:r></w:p>"
)


def _docx_with_link(address: str) -> bytes:
    base = files.docx(["Se journalen"])
    rels = zipfile.ZipFile(io.BytesIO(base)).read("word/_rels/document.xml.rels")
    rels = rels.replace(
        b"</Relationships>",
        f'<Relationship Id="rIdLink" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships'
        f'/hyperlink" Target="{address}" TargetMode="External"/></Relationships>'.encode(),
    )
    return files.repackaged(base, replace={"word/_rels/document.xml.rels": rels})


def _docx_with_embedded_workbook(workbook: bytes) -> bytes:
    return files.repackaged(files.docx(["Tabellen under"]), replace={"word/embeddings/Regneark1.xlsx": workbook})


HOLDING_A_NUMBER: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "docx, split over runs": ("referat.docx", lambda: files.docx(SPLIT), ""),
    "docx, header": ("referat.docx", lambda: files.docx(["Referat"], header=f"Gjelder {NUMBER}"), "header or footer"),
    "docx, comment": ("referat.docx", lambda: files.docx(["Referat"], comment=f"Pasient {NUMBER}"), "in a comment"),
    "docx, table": ("referat.docx", lambda: files.docx(["Liste"], table=[["Navn", "Nummer"], ["Kari", NUMBER]]), ""),
    "docx, title": ("referat.docx", lambda: files.docx(["Referat"], title=NUMBER), "document properties"),
    "docx, link": ("referat.docx", lambda: _docx_with_link(f"https://journal.example/?pid={NUMBER}"), "link address"),
    "docx, embedded workbook": (
        "referat.docx",
        lambda: _docx_with_embedded_workbook(files.xlsx([["Pasient", NUMBER]])),
        "embedded in the file",
    ),
    "docx, tracked deletion": (
        "referat.docx",
        lambda: files.docx_body([f"<w:p><w:del><w:r><w:delText>Pasient {NUMBER}</w:delText></w:r></w:del></w:p>"]),
        "",
    ),
    "docx, around a text box": ("referat.docx", lambda: files.docx_body([AROUND_A_TEXT_BOX]), ""),
    "xlsx, text cell": ("liste.xlsx", lambda: files.xlsx([["Pasient", NUMBER]]), ""),
    "xlsx, number cell": ("liste.xlsx", lambda: files.xlsx([["Pasient", int(NUMBER)]]), ""),
    "xlsx, number cell without its leading zero": ("liste.xlsx", lambda: files.xlsx([["Pasient", LEADING_ZERO]]), ""),
    "xlsx, cell comment": ("liste.xlsx", lambda: files.xlsx([["Tall"]], comment=f"Gjelder {NUMBER}"), "in a comment"),
    "xlsx, sheet name": ("liste.xlsx", lambda: files.xlsx([["Tall"]], sheet_title=f"P {NUMBER}"), ""),
    "pptx, split over runs": ("lysark.pptx", lambda: files.pptx(SPLIT), ""),
    "pptx, speaker notes": ("lysark.pptx", lambda: files.pptx(["Status"], notes=f"Husk {NUMBER}"), "speaker notes"),
    "odt, split over spans": ("notat.odt", lambda: files.odt(SPLIT), ""),
    "ods, text cell": ("tall.ods", lambda: files.ods([["Pasient", NUMBER]]), ""),
    "ods, number cell without its leading zero": ("tall.ods", lambda: files.ods([["Pasient", LEADING_ZERO]]), ""),
    "odp, split over spans": ("lysark.odp", lambda: files.odp(SPLIT), ""),
    "pdf, second page": ("notat.pdf", lambda: files.pdf("Innledning", f"Pasient {NUMBER} ble overflyttet"), "page 2"),
    "pdf, title": ("notat.pdf", lambda: files.pdf("Innledning", title=f"Pasient {NUMBER}"), "document properties"),
}


@pytest.mark.parametrize("case", HOLDING_A_NUMBER, ids=list(HOLDING_A_NUMBER))
def test_a_document_holding_an_identity_number_is_refused_naming_the_file(case: str) -> None:
    name, make, where = HOLDING_A_NUMBER[case]
    message = _refusal(name, make())
    assert message.startswith(f"{name}: the file looks like it contains a national identity number")
    assert where in message
    assert NUMBER not in message and str(LEADING_ZERO) not in message


CLEAN: dict[str, tuple[str, Callable[[], bytes]]] = {
    "docx": ("referat.docx", lambda: files.docx(["Ring ", NOT_A_NUMBER[:4], NOT_A_NUMBER[4:]], header="Referat")),
    "xlsx": ("liste.xlsx", lambda: files.xlsx([["Telefon", int(NOT_A_NUMBER)], ["Saksnr", NOT_A_NUMBER]])),
    "pptx": ("lysark.pptx", lambda: files.pptx(["Status ", NOT_A_NUMBER], notes="Ingen pasientdata")),
    "odt": ("notat.odt", lambda: files.odt(["Ring ", NOT_A_NUMBER])),
    "ods": ("tall.ods", lambda: files.ods([["Telefon", int(NOT_A_NUMBER)], ["Senger", 12]])),
    "odp": ("lysark.odp", lambda: files.odp(["Status ", NOT_A_NUMBER])),
    "pdf": ("notat.pdf", lambda: files.pdf("Innledning", f"Ring {NOT_A_NUMBER}")),
}


@pytest.mark.parametrize("case", CLEAN, ids=list(CLEAN))
def test_a_clean_document_is_accepted(case: str) -> None:
    name, make = CLEAN[case]
    checked = check_upload(SimpleUploadedFile(name, make()))
    assert checked.name == name


def test_the_number_in_the_docx_really_is_split_over_runs() -> None:
    """Word stores text in runs wherever it likes; the test file must have the split the scan has to join."""
    xml = zipfile.ZipFile(io.BytesIO(files.docx(SPLIT))).read("word/document.xml").decode()
    assert NUMBER not in xml
    assert "<w:t>1510</w:t>" in xml and "<w:t>8695</w:t>" in xml and "<w:t>088</w:t>" in xml


def test_a_number_split_over_two_cells_or_paragraphs_is_two_texts() -> None:
    """Joined per paragraph and per cell, not across them: two numbers side by side are not one."""
    check_upload(SimpleUploadedFile("tall.xlsx", files.xlsx([[NUMBER[:6], NUMBER[6:]]])))
    check_upload(SimpleUploadedFile("notat.docx", files.docx([NUMBER[:6]], [NUMBER[6:]])))


def test_a_damaged_document_is_refused_as_unreadable() -> None:
    damaged = files.repackaged(files.docx(["Referat"]), replace={"word/document.xml": b"<w:document><w:body>"})
    assert "could not be read" in _refusal("referat.docx", damaged)
    assert "could not be read" in _refusal("notat.pdf", b"%PDF-1.4\n" + b"\x00" * 2000)


def test_password_protected_files_are_refused_with_a_reason() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(files.pdf(f"Pasient {NUMBER}"))))
    writer.encrypt(user_password="hemmelig", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "protected by a password" in _refusal("notat.pdf", buffer.getvalue())
    # Word and Excel save a file with a password to open as a compound file, not a ZIP package.
    compound = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
    assert "protected by a password" in _refusal("referat.docx", compound)


def test_opendocument_must_say_what_kind_it_is() -> None:
    message = _refusal("notat.odt", files.ods([["a"]]))  # a spreadsheet named as a text document
    assert message == "notat.odt: the content is not what the file name says. Save the file again and retry."


def test_a_password_protected_opendocument_file_is_refused_with_a_reason() -> None:
    """LibreOffice encrypts the parts and records how in the manifest; the ZIP itself is not encrypted."""
    base = files.odt(["Referat"])
    manifest = zipfile.ZipFile(io.BytesIO(base)).read("META-INF/manifest.xml")
    encrypted = manifest.replace(
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data '
        b'manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>',
    )
    assert encrypted != manifest
    locked = files.repackaged(base, replace={"META-INF/manifest.xml": encrypted, "content.xml": os.urandom(4000)})
    assert "protected by a password" in _refusal("referat.odt", locked)
