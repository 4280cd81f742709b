"""Every Word file starts from ``core.word.new_document``: A4 with Norwegian margins, a footer with the title and
page numbers, the document properties and the language — checked by reading the saved file back with python-docx
and in the package's XML."""

import ast
import io
import zipfile
from pathlib import Path

import docx
from django.utils import translation

from fagnett.core import word

ROOT = Path(__file__).resolve().parents[2]  # fagnett/
TWIPS_PER_CM = 1440 / 2.54


def saved(document: object) -> tuple[docx.document.Document, zipfile.ZipFile]:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return docx.Document(io.BytesIO(buffer.getvalue())), zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def test_a4_with_norwegian_margins_a_footer_and_the_properties() -> None:
    with translation.override("nb"):
        document = word.new_document(title="Årsrapport 2025", author="Helse Midt-Norge RHF", subject="Årsrapport")
        document.add_heading("Innledning", level=1)
        read, package = saved(document)

    section = read.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert {round(m.cm, 2) for m in (section.left_margin, section.right_margin)} == {2.5}
    assert {round(m.cm, 2) for m in (section.top_margin, section.bottom_margin)} == {2.5}
    properties = read.core_properties
    assert (properties.title, properties.author, properties.subject) == (
        "Årsrapport 2025",
        "Helse Midt-Norge RHF",
        "Årsrapport",
    )
    assert properties.language == "nb-NO" and properties.comments == "" and properties.created is not None
    assert read.paragraphs[0].style.name == "Heading 1"  # a real heading style, for the navigation pane

    footer = package.read("word/footer1.xml").decode()
    assert "Årsrapport 2025 · Side " in footer and " av " in footer
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert 'w:lang w:val="nb-NO"' in package.read("word/styles.xml").decode()
    page = package.read("word/document.xml").decode()
    assert f'w:w="{round(21.0 * TWIPS_PER_CM)}"' in page or 'w:w="11906"' in page


def test_english_readers_get_english_page_numbers_and_language() -> None:
    with translation.override("en"):
        read, package = saved(word.new_document(title="Annual report 2025", author="Helse Nord RHF"))
    assert read.core_properties.language == "en-GB"
    assert "Annual report 2025 · Page " in package.read("word/footer1.xml").decode()


def test_the_table_of_contents_is_a_field_word_fills_in_on_opening() -> None:
    with translation.override("nb"):
        document = word.new_document(title="Årsrapport", author="Helse Midt-Norge RHF")
        word.add_table_of_contents(document)
        _read, package = saved(document)
    assert 'w:instr="TOC \\o &quot;1-2&quot; \\h \\z \\u"' in package.read("word/document.xml").decode()
    assert '<w:updateFields w:val="true"/>' in package.read("word/settings.xml").decode()


def test_no_word_file_is_started_anywhere_else() -> None:
    """``docx.Document()`` (a new, US-Letter document) is called in core/word.py only; reading a file is fine."""
    callers = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or path.name == "testing_files.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None) and getattr(node.func, "id", getattr(node.func, "attr", ""))  # type: ignore[attr-defined]
            if isinstance(node, ast.Call) and name == "Document" and not node.args:
                callers.append(str(path.relative_to(ROOT)))
    assert callers == ["core/word.py"]
