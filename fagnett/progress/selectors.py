"""Reads for progress on tasks, scoped to the person asking.

"Today" is a parameter everywhere, so what is overdue can be asked about any day (the reminders, the tests).
"""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.cases.models import OPEN_STATUSES, Case
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import Region
from fagnett.progress import calculations
from fagnett.progress.models import ProgressReport, ReportingSchedule


@dataclass(frozen=True)
class TaskProgress:
    """A task with its schedule, its latest report and when the next one is due."""

    case: Case
    schedule: ReportingSchedule | None
    latest: ProgressReport | None
    next_due: datetime.date | None
    overdue: bool
    #: the task is answered, closed or declined, or the last report said done: nothing more is due
    reporting_ended: bool


def task_progress(
    *, case: Case, schedule: ReportingSchedule | None, latest: ProgressReport | None, today: datetime.date
) -> TaskProgress:
    """Where one task stands on ``today``: no report is due once the task is answered or reported done."""
    due = None
    ended = case.status not in OPEN_STATUSES or (latest is not None and latest.status == ProgressReport.Status.DONE)
    if schedule is not None and not ended:
        due = calculations.next_due(
            first_due=schedule.first_due,
            interval=schedule.interval,
            unit=schedule.unit,
            last_reported_on=timezone.localdate(latest.reported_at) if latest else None,
        )
    return TaskProgress(
        case=case,
        schedule=schedule,
        latest=latest,
        next_due=due,
        overdue=calculations.is_overdue(due, today),
        reporting_ended=ended,
    )


def _schedule_of(case: Case) -> ReportingSchedule | None:
    try:
        return case.reporting_schedule
    except ReportingSchedule.DoesNotExist:
        return None


def _with_progress(cases: QuerySet[Case], today: datetime.date) -> list[TaskProgress]:
    """Each task with its schedule and latest report, in two queries however many tasks and reports there are."""
    latest_pk = ProgressReport.objects.filter(case=OuterRef("pk")).order_by("-reported_at", "-pk").values("pk")[:1]
    rows = list(
        cases.select_related("network", "region", "reporting_schedule").annotate(latest_report_pk=Subquery(latest_pk))
    )
    reports = ProgressReport.objects.select_related("reported_by").in_bulk(
        [row.latest_report_pk for row in rows if row.latest_report_pk]
    )
    return [
        task_progress(
            case=case,
            schedule=_schedule_of(case),
            latest=reports.get(case.latest_report_pk),
            today=today,
        )
        for case in rows
    ]


@dataclass(frozen=True)
class OverviewScope:
    """Which tasks a person sees on the overview: whole regions, and the networks they lead."""

    regions: frozenset[int]
    networks: frozenset[int]
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not (self.everything or self.regions or self.networks)

    def filter(self) -> Q:
        if self.everything:
            return Q()
        query = Q(pk__in=[])
        if self.regions:
            query |= Q(region__in=self.regions)
        if self.networks:
            query |= Q(network__in=self.networks)
        return query


def overview_scope(*, user: User) -> OverviewScope:
    """The coordinator and the medical directors see every task of their region; a leader or secretary
    sees the tasks of the networks they lead."""
    access = access_for(user)
    led = frozenset(n for n, roles in access.network_roles.items() if roles & LEADERSHIP_ROLES)
    return OverviewScope(
        regions=access.coordinator_regions | access.director_regions, networks=led, everything=access.is_superuser
    )


def overview_regions(*, scope: OverviewScope) -> QuerySet[Region]:
    if scope.everything:
        return Region.objects.order_by("name")
    return Region.objects.filter(pk__in=scope.regions).order_by("name")


@dataclass(frozen=True)
class OverviewFilters:
    region: int | None = None
    overdue: bool = False
    finished: bool = False


def task_overview(*, user: User, today: datetime.date, filters: OverviewFilters | None = None) -> list[TaskProgress]:
    """The tasks from the region the person may follow, with the latest report and the next due date.

    Overdue tasks first, then by next due date and deadline. Open tasks only unless ``filters.finished``.
    The same number of queries however many tasks and reports there are.
    """
    filters = filters or OverviewFilters()
    scope = overview_scope(user=user)
    cases = Case.objects.filter(scope.filter(), source=Case.Source.RHF_TASK, network__isnull=False)
    if filters.region:
        cases = cases.filter(region_id=filters.region)
    if not filters.finished:
        cases = cases.filter(status__in=OPEN_STATUSES)
    rows = _with_progress(cases, today)
    if filters.overdue:
        rows = [row for row in rows if row.overdue]
    far = datetime.date.max
    return sorted(
        rows,
        key=lambda row: (
            not row.overdue,
            row.next_due or far,
            row.case.due_date or far,
            row.case.network.name if row.case.network else "",
            row.case.pk,
        ),
    )


def overdue_tasks(*, today: datetime.date) -> list[TaskProgress]:
    """Every open task whose progress report is overdue on ``today``, for the daily reminders."""
    cases = Case.objects.filter(source=Case.Source.RHF_TASK, status__in=OPEN_STATUSES, reporting_schedule__isnull=False)
    return [row for row in _with_progress(cases, today) if row.overdue]


@dataclass(frozen=True)
class CaseProgress:
    """The progress section of a task's page: the schedule, every report, newest first, and what is due."""

    task: TaskProgress
    reports: list[ProgressReport]


def case_progress(*, case: Case, today: datetime.date) -> CaseProgress:
    reports = list(case.progress_reports.select_related("reported_by").order_by("-reported_at", "-pk"))
    schedule = ReportingSchedule.objects.filter(case=case).select_related("set_by").first()
    return CaseProgress(
        task=task_progress(case=case, schedule=schedule, latest=reports[0] if reports else None, today=today),
        reports=reports,
    )
