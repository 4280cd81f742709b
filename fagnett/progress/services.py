"""Changes to progress on tasks. Each is one transaction that checks permission and writes a timeline event."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fagnett.accounts.models import RegionRole, User
from fagnett.cases.models import OPEN_STATUSES, Case, CaseEvent
from fagnett.cases.services import case_assign_task
from fagnett.core.locking import check_version, locked_update
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.networks.models import Network
from fagnett.progress.models import ProgressReport, ReportingSchedule

#: a report may be written while the network works on the task, and once more when it has answered
REPORTABLE = frozenset(
    {
        Case.Status.ACCEPTED,
        Case.Status.IN_PROGRESS,
        Case.Status.ON_AGENDA,
        Case.Status.RECOMMENDATION_GIVEN,
        Case.Status.ESCALATED,
    }
)


def _event(case: Case, user: User, kind: str, text: str) -> CaseEvent:
    event = CaseEvent(case=case, kind=kind, actor=user, at=timezone.now(), text=text)
    event.full_clean()
    event.save()
    return event


def _check_task(case: Case) -> None:
    if case.source != Case.Source.RHF_TASK or case.network_id is None:
        raise ValidationError(_("Only a task from the region has progress reports."))


@transaction.atomic
def schedule_set(
    *,
    user: User,
    case: Case,
    interval: int,
    unit: str,
    first_due: datetime.date,
    lock_version: int | None = None,
) -> ReportingSchedule:
    """Set or change how often the network reports progress on the task, and when the first report is due.

    The first report falls between the day the task was assigned and its deadline. ``lock_version`` is the
    version the person saw (0 when there was no schedule); a schedule changed since raises ``ConflictError``.
    """
    require_perm(user, "progress.set_schedule", case)
    _check_task(case)
    if case.status not in OPEN_STATUSES:
        raise ValidationError(_("The task is answered or closed: no more progress reports are due."))
    errors: dict[str, str] = {}
    if unit not in ReportingSchedule.Unit.values:
        errors["unit"] = _("Choose weeks or months.")
    elif interval is None or not 1 <= interval <= ReportingSchedule.MAX_INTERVAL[unit]:  # type: ignore[index]
        errors["interval"] = _("Report at least once a year: every 1 to 52 weeks, or every 1 to 12 months.")
    assigned = timezone.localdate(case.submitted_at)
    if first_due is None:
        errors["first_due"] = _("Give the date of the first report.")
    elif first_due < assigned:
        errors["first_due"] = _("The first report cannot be due before the task was assigned (%(date)s).") % {
            "date": date_format(assigned, "SHORT_DATE_FORMAT")
        }
    elif case.due_date and first_due > case.due_date:
        errors["first_due"] = _("The first report must be due by the task's deadline (%(date)s).") % {
            "date": date_format(case.due_date, "SHORT_DATE_FORMAT")
        }
    if errors:
        raise ValidationError(errors)
    schedule = ReportingSchedule.objects.select_for_update().filter(case=case).first()
    check_version(schedule, lock_version)
    if schedule is None:
        schedule = ReportingSchedule(case=case)
    elif (schedule.interval, schedule.unit, schedule.first_due) == (interval, unit, first_due):
        return schedule
    schedule.interval, schedule.unit, schedule.first_due = interval, unit, first_due
    schedule.set_by, schedule.set_at = user, timezone.now()
    locked_update(schedule)
    _event(
        case,
        user,
        CaseEvent.Kind.SCHEDULE,
        _("Progress reported %(interval)s, the first report due %(date)s.")
        % {"interval": schedule.interval_text, "date": date_format(first_due, "SHORT_DATE_FORMAT")},
    )
    return schedule


@transaction.atomic
def task_assign(
    *,
    user: User,
    networks: list[Network],
    data: dict[str, Any],
    schedule: Mapping[str, Any] | None = None,
) -> list[Case]:
    """A task from the region (oppdrag): one case in each chosen network, with a deadline
    (``cases.services.case_assign_task``).

    With ``schedule`` (``interval``, ``unit``, ``first_due``), each network's leader reports progress to the
    medical director on that schedule; a schedule that does not fit the task saves nothing at all.
    """
    cases = case_assign_task(user=user, networks=networks, data=data)
    if schedule is not None:
        for case in cases:
            schedule_set(user=user, case=case, **schedule)
    return cases


@transaction.atomic
def progress_report_submit(
    *, user: User, case: Case, status: str, progress: str, risks: str = "", next_steps: str = ""
) -> ProgressReport:
    """The leader's report on the task to the medical director; the region's medical directors and coordinator
    are e-mailed once it is saved."""
    require_perm(user, "progress.report_progress", case)
    _check_task(case)
    if case.status not in REPORTABLE:
        raise ValidationError(
            _("Progress cannot be reported while the task is %(status)s.")
            % {"status": case.get_status_display().lower()}
        )
    progress, risks, next_steps = progress.strip(), risks.strip(), next_steps.strip()
    errors: dict[str, str] = {}
    if status not in ProgressReport.Status.values:
        errors["status"] = _("Choose the status of the task.")
    if not progress:
        errors["progress"] = _("Write what has been done since the last report.")
    if status in (ProgressReport.Status.AT_RISK, ProgressReport.Status.DELAYED) and not risks:
        errors["risks"] = _("Describe the risks when the task is at risk or delayed.")
    if status != ProgressReport.Status.DONE and not next_steps:
        errors["next_steps"] = _("Write the next steps, or choose done when the task is finished.")
    if errors:
        raise ValidationError(errors)
    report = ProgressReport(
        case=case,
        status=status,
        progress=progress,
        risks=risks,
        next_steps=next_steps,
        reported_by=user,
        reported_at=timezone.now(),
    )
    report.full_clean()
    report.save()
    _event(case, user, CaseEvent.Kind.PROGRESS, str(report.get_status_display()))
    overseers = User.objects.filter(
        region_roles__region_id=case.region_id,
        region_roles__role__in=[RegionRole.Role.MEDICAL_DIRECTOR, RegionRole.Role.COORDINATOR],
    ).distinct()
    mail_on_commit(
        recipients=[person for person in overseers if person.pk != user.pk],
        template="progress_report",
        context={"case": case, "report": report},
        digest=True,
    )
    return report
