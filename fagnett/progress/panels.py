"""Progress on a task's case page and in its Word document, added through ``cases.panels`` (cases sits below)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fagnett.cases.models import OPEN_STATUSES, Case
from fagnett.cases.panels import CasePanel
from fagnett.progress.selectors import case_progress
from fagnett.progress.services import REPORTABLE


def case_page_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """A task from the region shows its reporting schedule and progress reports."""
    if case.source != Case.Source.RHF_TASK or case.network_id is None:
        return None
    return {
        "progress": case_progress(case=case, today=timezone.localdate()),
        "can_report": request.user.has_perm("progress.report_progress", case) and case.status in REPORTABLE,
        "can_schedule": request.user.has_perm("progress.set_schedule", case) and case.status in OPEN_STATUSES,
    }


def case_document(document: Any, case: Case) -> None:
    """A task's progress reports, newest first, in the case's DOCX (python-docx ``Document``)."""
    if case.source != Case.Source.RHF_TASK:
        return
    reports = case_progress(case=case, today=timezone.localdate()).reports
    if reports:
        document.add_heading(_("Progress reports"), level=1)
        for report in reports:
            reported = date_format(timezone.localtime(report.reported_at), "SHORT_DATE_FORMAT")
            document.add_heading(f"{reported}: {report.get_status_display()} ({report.reported_by})", level=2)
            for label, text in ((_("Progress"), report.progress), (_("Risks"), report.risks),
                                (_("Next steps"), report.next_steps)):  # fmt: skip
                if text:
                    document.add_paragraph(f"{label}: {text}")


PANEL = CasePanel(template="progress/_case_progress.html", context=case_page_context, document=case_document)
