"""The invitation with agenda and the minutes as PDF (WeasyPrint) and DOCX (python-docx)."""

import io
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

from fagnett.core import forked, pdf, word
from fagnett.core.calendar import local
from fagnett.meetings import selectors
from fagnett.meetings.models import CASE_WITHHELD, ActionItem, AgendaDocument, AgendaItem, Attendance, Meeting, Minutes

PRINT_CSS = Path(__file__).resolve().parent.parent / "core" / "templates" / "exports" / "print.css"


def _pdf(html: str, purpose: pdf.Purpose = pdf.Purpose.PUBLISH) -> bytes:
    """Laid out in a child process (``core.forked``), so WeasyPrint's memory does not stay in the worker."""
    return forked.call(partial(pdf.write_pdf, purpose=purpose, stylesheets=[PRINT_CSS]), html)


def _when(meeting: Meeting) -> str:
    start, end = local(meeting.starts_at), local(meeting.ends_at)
    return f"{formats.date_format(start, 'WEEKDAY_DATETIME_FORMAT')}–{formats.time_format(end, 'TIME_FORMAT')}"


def _agenda_context(meeting: Meeting, reader: selectors.CaseReader, show_documents: bool) -> dict[str, Any]:
    return {
        "show_documents": show_documents,
        "meeting": meeting,
        "items": selectors.agenda(meeting=meeting, reader=reader),
        "action_items": selectors.open_action_items(network=meeting.network, reader=reader, before=meeting.starts_at),
    }


def _follow_up_done(item: ActionItem) -> str:
    """What the follow-up item says of an action item closed since the meeting began: done, and what was done."""
    if item.status != ActionItem.Status.DONE:
        return ""
    note = item.done_note if item.done_note and not item.withholds_case else ""
    return f" – {_('Done')}: {note}" if note else f" – {_('Done')}"


def agenda_pdf(meeting: Meeting, *, reader: selectors.CaseReader, show_documents: bool) -> bytes:
    """``reader``: whom the items of cases are shown to (``selectors.case_reader``); ``show_documents``: list the
    attached documents' names (only for those who may open them)."""
    return _pdf(render_to_string("meetings/export/agenda.html", _agenda_context(meeting, reader, show_documents)))


@dataclass(frozen=True)
class PackDocument:
    item: AgendaItem
    document: AgendaDocument
    included: bool


def _is_pdf(document: AgendaDocument) -> bool:
    return document.content_type == "application/pdf" or document.original_name.lower().endswith(".pdf")


def meeting_pack_pdf(meeting: Meeting, *, reader: selectors.CaseReader, progress: Any = None) -> bytes:
    """The meeting pack for reading on a tablet: the agenda, then every PDF document of the agenda in its order, each
    with a bookmark ("3. Item – file.pdf"); other documents are listed by name in the agenda with a note.

    ``reader`` decides the items of cases as everywhere: a document of a case the reader may not read is neither in the
    pack nor named in it. The documents are read here, in the worker (they may be on Azure or S3), and joined in a
    child process under the upload limits (``core.forked``), as an uploaded file is read; a document that cannot be
    read (damaged since, encrypted) is listed as not included rather than failing the whole pack.
    """
    context = _agenda_context(meeting, reader, show_documents=True)
    entries = [
        PackDocument(item=item, document=document, included=_is_pdf(document))
        for item in context["items"]
        if not item.withholds_case
        for document in item.documents.all()
    ]
    included = [entry for entry in entries if entry.included]
    contents: list[tuple[str, bytes]] = []
    for number, entry in enumerate(included, 1):
        with entry.document.file.open("rb") as handle:
            contents.append((f"{entry.item.order}. {entry.item.title} – {entry.document.original_name}", handle.read()))
        if progress is not None:
            progress(10 + 60 * number // len(included))
    failed = forked.call(_unreadable, [content for _name, content in contents], limits=forked.upload_limits())
    if failed:
        left_out = {included[index].document.pk for index in failed}
        entries = [PackDocument(e.item, e.document, e.included and e.document.pk not in left_out) for e in entries]
        contents = [content for index, content in enumerate(contents) if index not in failed]
    agenda = _pdf(render_to_string("meetings/export/agenda.html", {**context, "pack_documents": entries}))
    if progress is not None:
        progress(80)
    title = f"{_('Meeting pack')}: {meeting.network.name}, {_when(meeting)}"
    return bytes(forked.call(_join, agenda, _("Agenda"), contents, title, limits=forked.upload_limits()))


def _unreadable(contents: list[bytes]) -> set[int]:
    """The indexes of the PDFs pypdf cannot read (in a child)."""
    from pypdf import PdfReader

    failed = set()
    for index, content in enumerate(contents):
        try:
            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted:
                failed.add(index)
                continue
            len(reader.pages)
        except Exception:
            failed.add(index)
    return failed


def _join(agenda: bytes, agenda_title: str, documents: list[tuple[str, bytes]], title: str) -> bytes:
    """The agenda and the documents as one PDF with a bookmark for each (in a child)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(agenda), outline_item=agenda_title)
    for name, content in documents:
        writer.append(io.BytesIO(content), outline_item=name)
    writer.add_metadata({"/Title": title, "/Producer": "Fagnett"})
    writer.page_mode = "/UseOutlines"
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def agenda_docx(meeting: Meeting, *, reader: selectors.CaseReader, show_documents: bool) -> bytes:
    context = _agenda_context(meeting, reader, show_documents)
    from docx.shared import Pt

    document = word.new_document(
        title=f"{_('Invitation and agenda')}: {meeting.network.name}",
        author=meeting.network.region.name,
        subject=_when(meeting),
    )
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading(_("Invitation and agenda"), level=0)
    document.add_paragraph(meeting.network.name).runs[0].bold = True
    place = meeting.location or meeting.video_link
    document.add_paragraph(f"{_when(meeting)} · {meeting.get_form_display()}" + (f" · {place}" if place else ""))
    document.add_heading(_("Agenda"), level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("No."), _("Item"), _("Presenter")], strict=True):
        cell.text = text
    for item in context["items"]:
        cells = table.add_row().cells
        cells[0].text = str(item.order)
        lines = [f"{item.display_title} ({item.get_item_type_display().lower()})"]
        if item.withholds_case:
            lines.append(str(CASE_WITHHELD))
        else:
            if item.description:
                lines.append(item.description)
            if item.is_decision and item.proposed_resolution:
                lines.append(f"{_('Proposed resolution')}: {item.proposed_resolution}")
        if item.kind == "follow_up":
            lines += [
                f"• {a.display_title} ({a.owner}, {formats.date_format(a.due_date, 'SHORT_DATE_FORMAT')})"
                + _follow_up_done(a)
                for a in context["action_items"]
            ]
        if show_documents and not item.withholds_case:
            lines += [f"{_('Document')}: {d.original_name}" for d in item.documents.all()]
        cells[1].text = "\n".join(lines)
        cells[2].text = "" if item.withholds_case else item.presenter
    return _save(document)


def _minutes_context(minutes: Minutes, reader: selectors.CaseReader) -> dict[str, Any]:
    attendance = list(minutes.meeting.attendance.select_related("person", "trust").order_by("person__first_name"))
    return {
        "meeting": minutes.meeting,
        "minutes": minutes,
        "minutes_items": selectors.minutes_items(minutes=minutes, reader=reader),
        "present": [a for a in attendance if a.status == Attendance.Status.PRESENT],
        "absent": [a for a in attendance if a.status != Attendance.Status.PRESENT],
    }


def minutes_pdf(minutes: Minutes, *, reader: selectors.CaseReader, purpose: pdf.Purpose = pdf.Purpose.PUBLISH) -> bytes:
    """``reader``: whom items of cases are shown to (``selectors.case_reader``, or the network's for the archive);
    ``purpose``: ``ARCHIVE`` for the archive's copy (PDF/A)."""
    return _pdf(render_to_string("meetings/export/minutes.html", _minutes_context(minutes, reader)), purpose)


def minutes_docx(minutes: Minutes, *, reader: selectors.CaseReader) -> bytes:
    context = _minutes_context(minutes, reader)
    meeting = minutes.meeting
    from docx.shared import Pt

    document = word.new_document(
        title=f"{_('Minutes')}: {meeting.network.name}", author=meeting.network.region.name, subject=_when(meeting)
    )
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading(f"{_('Minutes')}: {meeting.network.name}", level=0)
    document.add_paragraph(f"{_when(meeting)} · {meeting.get_form_display()}")
    status = f"{_('Version')} {minutes.version}, {minutes.get_status_display()}"
    if minutes.approved_at:
        status += f" – {minutes.get_approved_via_display()}, {formats.date_format(minutes.approved_at, 'DATE_FORMAT')}"
    document.add_paragraph(status)
    document.add_heading(_("Present"), level=1)
    document.add_paragraph(", ".join(str(a.person) for a in context["present"]) or "–")
    for item in context["minutes_items"]:
        agenda_item = item.agenda_item
        document.add_heading(f"{agenda_item.order}. {agenda_item.display_title}", level=1)
        document.add_paragraph().add_run(agenda_item.get_item_type_display()).italic = True
        if item.withholds_case:
            document.add_paragraph(str(CASE_WITHHELD))
            continue
        if item.summary:
            document.add_paragraph(item.summary)
        if item.conclusion:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{_('Conclusion')}: ").bold = True
            paragraph.add_run(item.conclusion)
        if item.decision:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{_('Decision')}: ").bold = True
            paragraph.add_run(item.decision)
        actions = list(item.agenda_item.action_items.all())
        if actions:
            table = document.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, [_("Action"), _("Owner"), _("Due")], strict=True):
                cell.text = text
            for action in actions:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = action.title, str(action.owner)
                cells[2].text = formats.date_format(action.due_date, "SHORT_DATE_FORMAT")
    return _save(document)


def _save(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
