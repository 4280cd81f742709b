"""The network annual report's workflow as one table (``core.workflow``): the services refuse by it, the report
page shows buttons by it.

draft (written by the network's leader and secretary) → submitted by the leader once the year is over → accepted
by the region's coordinator, or sent back to draft with a reason. The permissions are held on the report's network.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fagnett.core.workflow import Step, Workflow
from fagnett.reports.models import NetworkReport

S = NetworkReport.Status


def _year_over(report: NetworkReport) -> bool:
    return report.year < timezone.localdate().year


NETWORK_REPORT_WORKFLOW = Workflow(
    "network reports",
    steps=(
        Step(
            "save",
            sources=[S.DRAFT],
            perm="reports.write_network_report",
            refusal=_("The report has been submitted and can no longer be changed."),
        ),
        Step(
            "submit",
            sources=[S.DRAFT],
            perm="reports.submit_network_report",
            target=S.SUBMITTED,
            refusal=_("The report has already been submitted."),
            guard=_year_over,
            guard_message=_("A year's report can be submitted when the year is over."),
        ),
        Step(
            "accept",
            sources=[S.SUBMITTED],
            perm="reports.review_network_report",
            target=S.ACCEPTED,
            refusal=_("Only a submitted report can be accepted."),
        ),
        Step(
            "return",
            sources=[S.SUBMITTED],
            perm="reports.review_network_report",
            target=S.DRAFT,
            refusal=_("Only a submitted report can be sent back."),
        ),
    ),
    perm_object=lambda report: report.network,
)
