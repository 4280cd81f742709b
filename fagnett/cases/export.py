"""The answers to a common case as one Word document, one section per network."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document

from fagnett.cases.models import CommonCase
from fagnett.cases.selectors import CommonCaseMatrix


def common_case_docx(*, common: CommonCase, matrix: CommonCaseMatrix) -> bytes:
    document = Document()
    document.core_properties.title = common.title
    document.add_heading(common.title, level=0)
    document.add_paragraph(
        _("Common case from %(region)s, sent %(date)s.")
        % {"region": common.region, "date": timezone.localtime(common.created_at).strftime("%d.%m.%Y")}
    )
    document.add_paragraph(common.description)
    if common.wanted:
        document.add_heading(_("What is wanted"), level=2)
        document.add_paragraph(common.wanted)
    document.add_paragraph(
        _("%(answered)s of %(total)s networks have answered.")
        % {"answered": matrix.answered_count, "total": len(matrix.rows)}
    )
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("Network"), _("Case"), _("Status")), strict=True):
        cell.text = str(text)
    for row in matrix.rows:
        cells = table.add_row().cells
        cells[0].text = row.network.name
        cells[1].text = row.case.reference
        cells[2].text = str(row.case.get_status_display())
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
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
