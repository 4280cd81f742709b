"""Changes to annual reports. Each is one transaction that checks permission and the report's state.

A network report is written as a draft, submitted by the leader (its figures from the records are frozen
then), and accepted by the coordinator or sent back with a reason. A regional report is compiled by the
coordinator; when the medical directors' approval is recorded, its statistics are frozen and the version is
locked. Changes after that go into a new version. History of every field is kept by django-simple-history.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core import kept
from fagnett.core.history import acting_as
from fagnett.core.locking import check_version, locked_get, locked_update
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.networks.models import Appointment, AppointmentRole, Network, TaskListItem
from fagnett.organisations.models import Region
from fagnett.reports import statistics
from fagnett.reports.models import (
    NARRATIVE_FIELDS,
    RANKED_TASKS,
    NetworkReport,
    ReflectionPoint,
    RegionalReport,
    TaskRanking,
)
from fagnett.reports.workflow import NETWORK_REPORT_WORKFLOW, REGIONAL_REPORT_WORKFLOW, too_early
from fagnett.topics.models import Topic
from fagnett.topics.services import set_topics

NETWORK_TEXT_FIELDS = (
    "registry_data_reviewed",
    "registry_data_note",
    "central_work",
    "worked_well",
    "improve",
    "priorities",
)


def _check_year(year: int) -> None:
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError(_("Annual reports can be written for years up to this one."))


# --- Network reports --------------------------------------------------------------------------------------------


@transaction.atomic
def network_report_start(*, user: User, network: Network, year: int) -> NetworkReport:
    """The network's report for ``year``, created as an empty draft the first time someone opens it to write."""
    require_perm(user, "reports.write_network_report", network)
    _check_year(year)
    report, _created = NetworkReport.objects.get_or_create(network=network, year=year)
    return report


def _check_rankings(network: Network, tasks: list[TaskListItem | None]) -> list[TaskListItem]:
    chosen = [task for task in tasks if task is not None]
    if len({task.pk for task in chosen}) != len(chosen):
        raise ValidationError({"rank_2": _("Rank each task only once.")})
    if any(task.region_id != network.region_id for task in chosen):
        raise ValidationError({"rank_1": _("Choose tasks from the region's task list.")})
    if chosen and tasks[0] is None:
        raise ValidationError({"rank_1": _("Choose the most central task first.")})
    if None in tasks[: len(chosen)]:
        raise ValidationError({"rank_2": _("Fill the ranks in order, without gaps.")})
    return chosen


def _check_points(network: Network, points: list[ReflectionPoint], kind: str, field: str) -> None:
    if any(p.region_id != network.region_id or p.kind != kind for p in points):
        raise ValidationError({field: _("Choose among the listed answers.")})


@transaction.atomic
def network_report_save(
    *,
    user: User,
    report: NetworkReport,
    data: dict[str, Any],
    rankings: list[TaskListItem | None],
    worked_well_points: list[ReflectionPoint],
    improve_points: list[ReflectionPoint],
    lock_version: int,
    topics: list[Topic] | None = None,
) -> NetworkReport:
    """Save the leader's text, ranking, answers and topics, unless someone else saved since ``lock_version``."""
    current = locked_get(NetworkReport.objects.select_related("network"), pk=report.pk)
    NETWORK_REPORT_WORKFLOW.require_permission(user, "save", current)
    NETWORK_REPORT_WORKFLOW.require("save", current)
    check_version(current, lock_version)
    chosen = _check_rankings(current.network, rankings[:RANKED_TASKS])
    _check_points(current.network, worked_well_points, ReflectionPoint.Kind.WORKED_WELL, "worked_well_points")
    _check_points(current.network, improve_points, ReflectionPoint.Kind.IMPROVE, "improve_points")
    for name in NETWORK_TEXT_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    locked_update(current)
    current.rankings.all().delete()
    TaskRanking.objects.bulk_create(
        TaskRanking(report=current, rank=rank, task=task) for rank, task in enumerate(chosen, 1)
    )
    current.worked_well_points.set(worked_well_points)
    current.improve_points.set(improve_points)
    if topics is not None:
        set_topics(relation=current.topics, region_id=current.network.region_id, topics=topics)
    return current


def missing_for_submission(report: NetworkReport) -> list[str]:
    """What the leader must still write before the report can be submitted (empty when complete)."""
    missing = []
    if not report.rankings.exists():
        missing.append(_("Rank at least the most central task of the year."))
    if report.registry_data_reviewed is None:
        missing.append(_("Say whether registry or health-atlas data were reviewed."))
    if not (report.worked_well.strip() or report.worked_well_points.exists()):
        missing.append(_("Say what worked well."))
    if not (report.improve.strip() or report.improve_points.exists()):
        missing.append(_("Say what should improve."))
    if not report.priorities.strip():
        missing.append(_("Write the priorities for next year."))
    return missing


def submission_blockers(report: NetworkReport) -> list[str]:
    """Everything that keeps a draft from being submitted now: the time of year (``workflow.too_early``) and what
    is still to be written (``missing_for_submission``). Empty when it can be submitted."""
    return too_early(report) + missing_for_submission(report)


@transaction.atomic
def network_report_submit(*, user: User, report: NetworkReport) -> NetworkReport:
    """Submit the report to the coordinator; the figures from the records are frozen into it."""
    current = locked_get(NetworkReport.objects.select_related("network__region"), pk=report.pk)
    NETWORK_REPORT_WORKFLOW.require_permission(user, "submit", current)
    if current.is_editable:
        # Every reason at once, so the leader learns in one go what stands in the way.
        reasons = submission_blockers(current)
        if reasons:
            raise ValidationError(reasons)
    NETWORK_REPORT_WORKFLOW.require("submit", current)  # the status and the time, too
    current.facts = statistics.network_facts(network=current.network, year=current.year)
    current.status = NetworkReport.Status.SUBMITTED
    current.submitted_by = user
    current.submitted_at = timezone.now()
    current.returned_reason = ""
    return locked_update(current, clean=False)


@transaction.atomic
def network_report_accept(*, user: User, report: NetworkReport) -> NetworkReport:
    current = locked_get(NetworkReport.objects.select_related("network"), pk=report.pk)
    NETWORK_REPORT_WORKFLOW.require_permission(user, "accept", current)
    NETWORK_REPORT_WORKFLOW.require("accept", current)
    current.status = NetworkReport.Status.ACCEPTED
    current.accepted_by = user
    current.accepted_at = timezone.now()
    return locked_update(current, clean=False)


@transaction.atomic
def network_report_return(*, user: User, report: NetworkReport, reason: str) -> NetworkReport:
    """Send a submitted report back to the network as a draft, saying why."""
    current = locked_get(NetworkReport.objects.select_related("network"), pk=report.pk)
    NETWORK_REPORT_WORKFLOW.require_permission(user, "return", current)
    NETWORK_REPORT_WORKFLOW.require("return", current)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the network should change.")})
    current.status = NetworkReport.Status.DRAFT
    current.returned_reason = reason.strip()
    current.facts = {}
    return locked_update(current)


@transaction.atomic
def region_early_reports_set(*, user: User, region: Region, allowed: bool) -> Region:
    """Allow (or stop) the region's networks submitting their annual report in December once their last meeting of
    the year is held. The region's history records who switched it and when."""
    require_perm(user, "reports.compile_regional_report", region)
    current = Region.objects.select_for_update().get(pk=region.pk)
    if current.early_network_reports != allowed:
        current.early_network_reports = allowed
        with acting_as(user):
            current.save(update_fields=["early_network_reports"])
        if allowed:
            _notify_early_reports(current, actor=user)
    return current


def _notify_early_reports(region: Region, *, actor: User) -> None:
    """Tell every active network's leader and secretary that their report may go in now, once their last meeting of
    the year is held: otherwise they learn it only by opening the report page. It may wait for a daily digest."""
    leaders = (
        User.objects.filter(
            appointments__network__region=region,
            appointments__network__status=Network.Status.ACTIVE,
            appointments__status=Appointment.Status.APPOINTED,
            appointments__role__in=[AppointmentRole.LEADER, AppointmentRole.SECRETARY],
            is_active=True,
        )
        .exclude(pk=actor.pk)
        .distinct()
        .order_by("pk")
    )
    mail_on_commit(
        recipients=leaders,
        template="early_reports_allowed",
        context={"region": region, "year": timezone.localdate().year},
        digest=True,
    )


# --- Regional reports -------------------------------------------------------------------------------------------


@transaction.atomic
def regional_report_start(*, user: User, region: Region, year: int) -> RegionalReport:
    """The newest version of the region's report for ``year``; the first draft is created when first compiled."""
    require_perm(user, "reports.compile_regional_report", region)
    _check_year(year)
    report = RegionalReport.objects.filter(region=region, year=year).order_by("-version").first()
    if report is None:
        report = RegionalReport.objects.create(region=region, year=year, created_by=user)
    return report


@transaction.atomic
def regional_report_save(
    *, user: User, report: RegionalReport, data: dict[str, Any], lock_version: int
) -> RegionalReport:
    current = locked_get(RegionalReport.objects, pk=report.pk)
    REGIONAL_REPORT_WORKFLOW.require_permission(user, "save", current)
    REGIONAL_REPORT_WORKFLOW.require("save", current)
    check_version(current, lock_version)
    for name in NARRATIVE_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    return locked_update(current)


@transaction.atomic
def regional_report_approve(
    *,
    user: User,
    report: RegionalReport,
    approved_on: datetime.date,
    approved_by_body: str,
    lock_version: int | None = None,
) -> RegionalReport:
    """Record the medical directors' approval: the statistics are frozen and the version is locked.

    With ``lock_version`` (the version of the text the director read), a text saved since is not approved:
    ``ConflictError``."""
    current = locked_get(RegionalReport.objects.select_related("region"), pk=report.pk)
    REGIONAL_REPORT_WORKFLOW.require_permission(user, "approve", current)
    REGIONAL_REPORT_WORKFLOW.require("approve", current)
    check_version(current, lock_version)
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": _("The date cannot be in the future.")})
    if approved_on.year <= current.year:
        raise ValidationError({"approved_on": _("The report can be approved after the year it is about.")})
    if not approved_by_body.strip():
        raise ValidationError({"approved_by_body": _("Say who approved the report.")})
    # Networks that have not reported are named in the report itself; they do not hold the approval back.
    current.statistics = statistics.region_statistics(region=current.region, year=current.year)
    current.status = RegionalReport.Status.APPROVED
    current.approved_on = approved_on
    current.approved_by_body = approved_by_body.strip()
    current.approval_recorded_by = user
    approved = locked_update(current)
    # The PDF and DOCX are made once, by a job after the commit, and kept with their checksums (core.kept): what
    # was approved is served from then on, whatever the code does later.
    kept.keep_on_commit(approved, by=user)
    return approved


@transaction.atomic
def regional_report_new_version(*, user: User, report: RegionalReport) -> RegionalReport:
    """A new draft after an approved version, starting from its text."""
    REGIONAL_REPORT_WORKFLOW.require_permission(user, "new_version", report)
    newest = RegionalReport.objects.select_for_update().filter(region=report.region, year=report.year)
    top = newest.aggregate(top=Max("version"))["top"] or 0
    latest = newest.filter(version=top).first()
    if latest is None:
        raise ValidationError(_("Nothing has been saved yet: write the first version."))
    REGIONAL_REPORT_WORKFLOW.require("new_version", latest)
    return RegionalReport.objects.create(
        region=report.region,
        year=report.year,
        version=top + 1,
        created_by=user,
        **{name: getattr(latest, name) for name in NARRATIVE_FIELDS},
    )
