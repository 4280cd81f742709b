"""The annual reports' workflows as tables (``core.workflow``): the services refuse by them, the report pages show
buttons by them.

A network's report: draft (written by the network's leader and secretary) → submitted by the leader once the year
is over → accepted by the region's coordinator, or sent back to draft with a reason. The permissions are held on the
report's network.

The region's report: a draft compiled by the coordinator → approved by the medical directors (recorded by a
director), which locks the version; a change after that is a new version, made from the newest approved one. The
permissions are held on the report's region.
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fagnett.core.workflow import Step, Workflow
from fagnett.reports.models import NetworkReport, RegionalReport

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


R = RegionalReport.Status


def _still_a_draft(report: RegionalReport) -> str:
    return gettext("Version %(version)s is still a draft: change that one.") % {"version": report.version}


REGIONAL_REPORT_WORKFLOW = Workflow(
    "regional reports",
    steps=(
        Step(
            "save",
            sources=[R.DRAFT],
            perm="reports.compile_regional_report",
            refusal=_("This version is approved and locked. Make a new version to change it."),
        ),
        Step(
            "approve",
            sources=[R.DRAFT],
            perm="reports.approve_regional_report",
            target=R.APPROVED,
            refusal=_("This version is already approved."),
        ),
        # Asked on the newest version: a new draft follows an approved one (the new record is the draft).
        Step("new_version", sources=[R.APPROVED], perm="reports.compile_regional_report", refusal=_still_a_draft),
    ),
    perm_object=lambda report: report.region,
)
