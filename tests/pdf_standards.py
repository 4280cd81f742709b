"""Checks that a PDF is what ``fagnett.core.pdf`` promises, read by code that did not write it.

- ``pdfua`` (an independent checker of the machine-checkable part of PDF/UA-1 and the WCAG criteria a PDF alone
  decides), which must find nothing at all — no error, no warning;
- our own structural reading with pikepdf: a tagged document with a structure tree, its language and title, the
  title shown by the reader, headings as heading elements, every figure with an alternative text, every table's
  header cells with a scope, every font embedded; and for the archive copy the PDF/A identification and an output
  intent.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import Any

import pikepdf
from pdfua import validate


def assert_pdf_ua(data: bytes, *, lang: str, title: str) -> None:
    _assert_no_findings(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _assert_tagged(pdf, lang=lang, title=title)
        assert str(pdf.open_metadata().get("pdfuaid:part")) == "1"


def assert_pdf_a(data: bytes, *, lang: str, title: str) -> None:
    """PDF/A-2a: the archive copy, tagged as well ("a" is the accessible level)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        metadata = pdf.open_metadata()
        assert (str(metadata.get("pdfaid:part")), str(metadata.get("pdfaid:conformance"))) == ("2", "A")
        intents = pdf.Root.get("/OutputIntents")
        assert intents is not None and any(i.S == "/GTS_PDFA1" for i in intents), "no PDF/A output intent"
        _assert_tagged(pdf, lang=lang, title=title)


def _assert_no_findings(data: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        report = validate(file.name)
    findings = [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings]
    assert not findings, "\n".join(findings)


def _assert_tagged(pdf: pikepdf.Pdf, *, lang: str, title: str) -> None:
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == lang
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.open_metadata().get("dc:title")) == title, pdf.open_metadata().get("dc:title")
    elements = list(_elements(root.StructTreeRoot))
    kinds = [str(element.S) for element, _ in elements]
    assert "/H1" in kinds, "no heading element"
    for element, _ in elements:
        if element.S == "/Figure":
            assert str(element.get("/Alt", "")).strip(), "a figure without alternative text"
        if element.S == "/TH":
            assert element.A.Scope in ("/Column", "/Row"), "a table header cell without a scope"
    for page in pdf.pages:
        for font in _fonts(page):
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font.DescendantFonts[0].FontDescriptor
            assert descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                f"font {font.get('/BaseFont')} is not embedded"
            )


def _elements(element: Any, depth: int = 0) -> Iterator[tuple[Any, int]]:
    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid, depth
            yield from _elements(kid, depth + 1)


def _fonts(page: pikepdf.Page) -> Iterator[Any]:
    resources = page.obj.get("/Resources")
    fonts = resources.get("/Font") if resources is not None else None
    if fonts is not None:
        yield from fonts.values()
