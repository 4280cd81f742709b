"""Word documents people can use as they are: one starting point for every DOCX Fagnett writes.

``new_document`` gives an A4 page with the margins Norwegian public bodies use (2.5 cm), a footer with the
document's title and "Side X av Y" (Word fields, so the numbers are right after any edit), the document
properties a records system and a screen reader read (title, author — the region or trust the document
comes from —, subject, language; not python-docx's own "python-docx" author and comment), and the language of the
text set on the default style, so Word checks the spelling in bokmål. ``add_table_of_contents`` inserts a Word
table of contents that Word fills in when the file is opened. python-docx is imported here only, in the functions
(it is heavy, and the documents are made in forked children or background jobs).
"""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

A4_WIDTH_CM, A4_HEIGHT_CM = 21.0, 29.7
MARGIN_CM = 2.5


def language_tag(language: str | None = None) -> str:
    """The document language for Word: nb-NO, or en-GB when the reader chose English."""
    return "en-GB" if (language or get_language() or "").startswith("en") else "nb-NO"


def new_document(*, title: str, author: str, subject: str = "", keywords: str = "") -> Any:
    """An empty ``docx.Document`` set up as above; ``author`` is the organisation the document comes from."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = Document()
    language = language_tag()
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    properties.subject = subject
    properties.keywords = keywords
    properties.comments = ""
    properties.language = language
    now = timezone.now().replace(microsecond=0).astimezone(datetime.UTC).replace(tzinfo=None)
    properties.created = properties.modified = now

    # The language of every run that does not say otherwise (docDefaults), for spelling and for screen readers.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), language)

    for section in document.sections:
        section.page_width, section.page_height = Cm(A4_WIDTH_CM), Cm(A4_HEIGHT_CM)
        section.left_margin = section.right_margin = Cm(MARGIN_CM)
        section.top_margin = section.bottom_margin = Cm(MARGIN_CM)
        _footer(section.footer.paragraphs[0], title)
    return document


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A simple Word field (PAGE, NUMPAGES) with the text shown until Word updates it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _footer(paragraph: Any, title: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.style.font.size = Pt(9)
    # "Page {page} of {pages}" in the reader's language, its numbers as fields.
    before, rest = _("Page {page} of {pages}").split("{page}", 1)
    between, after = rest.split("{pages}", 1)
    paragraph.add_run(f"{title} · {before}")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(between)
    _field(paragraph, "NUMPAGES", "1")
    if after:
        paragraph.add_run(after)


def add_table_of_contents(document: Any, *, levels: int = 2) -> None:
    """A heading and a table of contents over the headings down to ``levels``; Word fills it in when the file is
    opened (``w:updateFields``), LibreOffice when asked to update the index."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document.add_paragraph(_("Contents"), style="TOC Heading" if "TOC Heading" in document.styles else "Heading 1")
    paragraph = document.add_paragraph()
    _field(
        paragraph, f'TOC \\o "1-{levels}" \\h \\z \\u', _("The table of contents is filled in when the file is opened.")
    )
    settings = document.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def add_picture(document: Any, image: bytes, *, alt: str, width_cm: float = 16) -> Any:
    """A picture with its text alternative (the drawing's ``descr``, which Word shows as "Alt Text" and a screen
    reader reads); python-docx's ``add_picture`` leaves it empty."""
    import io

    from docx.shared import Cm

    shape = document.add_picture(io.BytesIO(image), width=Cm(width_cm))
    shape._inline.docPr.set("descr", alt)
    return shape
