"""The annual reports' workflows as tables (``core.workflow``): the services refuse by them, the report pages show
buttons by them.

A network's report: draft (written by the network's leader and secretary) → submitted by the leader once the year
is over (or in December, if the region's coordinator allows early reports and the network's last meeting of the year
is held: ``too_early``) → accepted by the region's coordinator, or sent back to draft with a reason. The permissions
are held on the report's network.

The region's report: a draft compiled by the coordinator → approved by the medical directors (recorded by a
director), which locks the version; a change after that is a new version, made from the newest approved one. The
permissions are held on the report's region.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fagnett.core.workflow import Step, Workflow
from fagnett.meetings.models import Meeting
from fagnett.reports.models import NetworkReport, RegionalReport

S = NetworkReport.Status


def too_early(report: NetworkReport) -> list[str]:
    """Why the year's report cannot be submitted yet, in the leader's words (empty when the time has come).

    A year's report is submitted when the year is over. In December it may be submitted already, if the region's
    coordinator allows early reports and the network's last planned meeting of the year is held, so a network that
    has finished its year need not wait for January."""
    today = timezone.localdate()
    if report.year < today.year:
        return []
    reasons = [
        gettext("The year %(year)s is not over: the report can be submitted from 1 January %(next)s.")
        % {"year": report.year, "next": report.year + 1}
    ]
    if report.year != today.year or today.month != 12:
        return reasons
    if not report.network.region.early_network_reports:
        reasons.append(gettext("The region's coordinator has not allowed reports to be submitted in December."))
        return reasons
    waiting = (
        report.network.meetings.filter(
            starts_at__year=report.year, status__in=[Meeting.Status.PLANNED, Meeting.Status.INVITED]
        )
        .order_by("-starts_at")
        .first()
    )
    if waiting is None:
        return []  # early reporting allowed, and every meeting of the year held (or cancelled)
    reasons.append(
        gettext(
            "It can be submitted in December once the network's last meeting of the year is held: "
            "the meeting on %(date)s is not marked as held."
        )
        % {"date": formats.date_format(timezone.localtime(waiting.starts_at), "DATE_FORMAT")}
    )
    return reasons


def _time_has_come(report: NetworkReport) -> bool:
    return not too_early(report)


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
            guard=_time_has_come,
            guard_message=lambda report: " ".join(too_early(report)),
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
