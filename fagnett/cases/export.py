"""Cases as Word documents: one case with its record, and the answers to a common case, one section per network."""

import datetime
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.cases import panels
from fagnett.cases.models import Case, CaseEvent, CommonCase
from fagnett.cases.selectors import CommonCaseMatrix, ConsultationRow
from fagnett.core import word


def _date(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def consultation_summary(row: ConsultationRow) -> str:
    """What the record says about one kind of consultation, in one line: the state, then its details."""
    consultation = row.consultation
    parts = [str(row.state_label)]
    if consultation is not None:
        if not consultation.required:
            parts.append(consultation.not_required_reason)
        else:
            if consultation.consulted_on:
                parts.append(_date(consultation.consulted_on))
            if consultation.consulted:
                parts.append(consultation.consulted)
            if consultation.outcome:
                parts.append(consultation.outcome)
    return " – ".join(parts)


def _table(document: Any, headings: Iterable[Any], rows: Iterable[Iterable[Any]]) -> None:
    headings = [str(h) for h in headings]
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)


def _consultations(document: Any, rows: list[ConsultationRow]) -> None:
    _table(
        document,
        (_("Consultation"), _("Status"), _("Date"), _("Who was consulted"), _("What came of it, or why not required")),
        (
            (
                row.label,
                row.state_label,
                _date(row.consultation.consulted_on) if row.consultation and row.consultation.consulted_on else "–",
                (row.consultation.consulted if row.consultation else "") or "–",
                (
                    (row.consultation.outcome if row.consultation.required else row.consultation.not_required_reason)
                    if row.consultation
                    else ""
                )
                or "–",
            )
            for row in rows
        ),
    )


def case_docx(
    *,
    case: Case,
    consultations: list[ConsultationRow],
    events: Iterable[CaseEvent],
) -> bytes:
    """The case record: facts, the case, the consultations, the outcome, the sections of the apps above cases
    (``cases.panels``: a task's progress reports) and the timeline."""
    document = word.new_document(title=case.title, author=case.region.name, subject=_("Case record"))
    document.add_heading(case.title, level=0)
    _table(
        document,
        (_("Fact"), _("Value")),
        [
            (_("Case number"), case.reference or "–"),
            (_("Network"), case.network.name if case.network else "–"),
            (_("Source"), case.get_source_display()),
            (_("Status"), case.get_status_display()),
            (_("Submitted by"), f"{case.submitted_by}, {_date(case.submitted_at)}"),
            (_("Health trust"), case.trust or case.region),
            (_("Answer wanted by"), _date(case.due_date)),
            (_("Responsible"), case.responsible or "–"),
        ],
    )
    document.add_heading(_("The case"), level=1)
    document.add_paragraph(case.description)
    document.add_heading(_("What is wanted"), level=2)
    document.add_paragraph(case.wanted)
    document.add_heading(_("Consultations"), level=1)
    _consultations(document, consultations)
    if case.recommendation or case.decision:
        document.add_heading(_("Outcome"), level=1)
        if case.recommendation:
            document.add_heading(_("The network's recommendation"), level=2)
            document.add_paragraph(case.recommendation)
        if case.consensus is False:
            document.add_heading(_("Other view"), level=2)
            document.add_paragraph(case.other_view)
        if case.decision:
            document.add_heading(_("Decision"), level=2)
            document.add_paragraph(case.decision)
    for panel in panels.registered():
        if panel.document is not None:
            panel.document(document, case)
    document.add_heading(_("Timeline"), level=1)
    _table(
        document,
        (_("When"), _("Who"), _("What")),
        (
            (
                date_format(timezone.localtime(e.at), "SHORT_DATETIME_FORMAT"),
                e.actor,
                f"{e.get_kind_display()}{': ' + e.text if e.text else ''}",
            )
            for e in events
        ),
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def common_case_docx(
    *,
    common: CommonCase,
    matrix: CommonCaseMatrix,
    consultations: Mapping[int, list[ConsultationRow]] | None = None,
) -> bytes:
    consultations = consultations or {}
    document = word.new_document(title=common.title, author=common.region.name, subject=_("Common case"))
    document.add_heading(common.title, level=0)
    document.add_paragraph(
        _("Common case from %(region)s, sent %(date)s.")
        % {"region": common.region, "date": date_format(timezone.localtime(common.created_at), "SHORT_DATE_FORMAT")}
    )
    document.add_paragraph(common.description)
    if common.wanted:
        document.add_heading(_("What is wanted"), level=2)
        document.add_paragraph(common.wanted)
    document.add_paragraph(
        ngettext(
            "%(answered)s of %(total)s network has answered.",
            "%(answered)s of %(total)s networks have answered.",
            len(matrix.rows),
        )
        % {"answered": matrix.answered_count, "total": len(matrix.rows)}
    )
    _table(
        document,
        (_("Network"), _("Case"), _("Status")),
        ((row.network.name, row.case.reference, row.case.get_status_display()) for row in matrix.rows),
    )
    for row in matrix.rows:
        document.add_heading(f"{row.network.name} ({row.case.reference})", level=1)
        if not row.answered:
            document.add_paragraph(_("No answer yet."))
            continue
        document.add_paragraph(row.case.recommendation)
        if row.case.consensus is False:
            document.add_heading(_("Other view"), level=3)
            document.add_paragraph(row.case.other_view)
        if row.case.decision:
            document.add_heading(_("Decision"), level=3)
            document.add_paragraph(row.case.decision)
        if row.case.pk in consultations:
            document.add_heading(_("Consultations"), level=3)
            for consultation in consultations[row.case.pk]:
                document.add_paragraph(f"{consultation.label}: {consultation_summary(consultation)}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
