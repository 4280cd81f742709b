"""The invitation with agenda and the minutes as PDF (WeasyPrint) and DOCX (python-docx)."""

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

from fagnett.core import forked, word
from fagnett.core.calendar import local
from fagnett.meetings import selectors
from fagnett.meetings.models import CASE_WITHHELD, Attendance, Meeting, Minutes

PRINT_CSS = Path(__file__).resolve().parent.parent / "core" / "templates" / "exports" / "print.css"


def _pdf(html: str) -> bytes:
    """Laid out in a child process (``core.forked``), so WeasyPrint's memory does not stay in the worker."""
    return forked.call(_write_pdf, html)


def _write_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))]))


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


def agenda_pdf(meeting: Meeting, *, reader: selectors.CaseReader, show_documents: bool) -> bytes:
    """``reader``: whom the items of cases are shown to (``selectors.case_reader``); ``show_documents``: list the
    attached documents' names (only for those who may open them)."""
    return _pdf(render_to_string("meetings/export/agenda.html", _agenda_context(meeting, reader, show_documents)))


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
        lines = [item.display_title]
        if item.withholds_case:
            lines.append(str(CASE_WITHHELD))
        elif item.description:
            lines.append(item.description)
        if item.kind == "follow_up":
            lines += [
                f"• {a.display_title} ({a.owner}, {formats.date_format(a.due_date, 'SHORT_DATE_FORMAT')})"
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


def minutes_pdf(minutes: Minutes, *, reader: selectors.CaseReader) -> bytes:
    """``reader``: whom items of cases are shown to (``selectors.case_reader``, or the network's for the archive)."""
    return _pdf(render_to_string("meetings/export/minutes.html", _minutes_context(minutes, reader)))


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
        document.add_heading(f"{item.agenda_item.order}. {item.agenda_item.display_title}", level=1)
        if item.withholds_case:
            document.add_paragraph(str(CASE_WITHHELD))
            continue
        if item.summary:
            document.add_paragraph(item.summary)
        if item.conclusion:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{_('Conclusion')}: ").bold = True
            paragraph.add_run(item.conclusion)
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
