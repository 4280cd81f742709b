"""What is due and overdue, asked about a fixed day (``today`` is a parameter, never the clock)."""

import datetime

import pytest

from fagnett.cases.models import Case
from fagnett.networks.models import AppointmentRole
from fagnett.progress.models import ProgressReport, ReportingSchedule
from fagnett.progress.selectors import OverviewFilters, case_progress, overdue_tasks, overview_scope, task_overview
from fagnett.progress.tests.factories import make_report, make_task
from tests.factories import World, appoint, make_network

pytestmark = pytest.mark.django_db

D = datetime.date
S = Case.Status
MONTHS, WEEKS = ReportingSchedule.Unit.MONTHS, ReportingSchedule.Unit.WEEKS
FIRST = D(2026, 3, 1)


def progress_on(case: Case, today: datetime.date) -> tuple[datetime.date | None, bool]:
    task = case_progress(case=case, today=today).task
    return task.next_due, task.overdue


class TestOverdue:
    def test_the_first_report_is_overdue_the_day_after_it_was_due(self, world: World) -> None:
        case = make_task(world, schedule=(3, MONTHS, FIRST))
        assert progress_on(case, D(2026, 2, 28)) == (FIRST, False)
        assert progress_on(case, FIRST) == (FIRST, False)
        assert progress_on(case, D(2026, 3, 2)) == (FIRST, True)

    def test_a_report_moves_the_next_due_date_one_interval_on(self, world: World) -> None:
        case = make_task(world, schedule=(3, MONTHS, FIRST))
        make_report(case, world["leader"], on=D(2026, 3, 5))  # four days late
        assert progress_on(case, D(2026, 3, 6)) == (D(2026, 6, 5), False)
        assert progress_on(case, D(2026, 6, 6)) == (D(2026, 6, 5), True)
        make_report(case, world["leader"], on=D(2026, 6, 1), status=ProgressReport.Status.AT_RISK, risks="Bemanning")
        assert progress_on(case, D(2026, 6, 6)) == (D(2026, 9, 1), False)

    def test_weekly_schedules(self, world: World) -> None:
        case = make_task(world, schedule=(2, WEEKS, FIRST))
        make_report(case, world["secretary"], on=D(2026, 3, 1))
        assert progress_on(case, D(2026, 3, 16)) == (D(2026, 3, 15), True)

    def test_nothing_is_due_once_the_task_is_reported_done_or_answered(self, world: World) -> None:
        case = make_task(world, schedule=(1, MONTHS, FIRST))
        make_report(case, world["leader"], on=D(2026, 2, 1), status=ProgressReport.Status.DONE)
        progress = case_progress(case=case, today=D(2026, 12, 1)).task
        assert (progress.next_due, progress.overdue, progress.reporting_ended) == (None, False, True)
        answered = make_task(world, status=S.RECOMMENDATION_GIVEN, schedule=(1, MONTHS, FIRST))
        assert progress_on(answered, D(2026, 12, 1)) == (None, False)

    def test_a_task_without_a_schedule_is_never_overdue(self, world: World) -> None:
        case = make_task(world)
        progress = case_progress(case=case, today=D(2030, 1, 1)).task
        assert (progress.schedule, progress.next_due, progress.overdue, progress.reporting_ended) == (
            None, None, False, False
        )  # fmt: skip

    def test_overdue_tasks_for_the_reminders(self, world: World) -> None:
        late = make_task(world, schedule=(1, MONTHS, FIRST), title="Sent")
        reported = make_task(world, schedule=(1, MONTHS, FIRST), title="Rapportert")
        make_report(reported, world["leader"], on=D(2026, 3, 10))
        make_task(world, status=S.CLOSED, schedule=(1, MONTHS, FIRST), title="Lukket")
        make_task(world, title="Uten plan")
        assert [row.case for row in overdue_tasks(today=D(2026, 3, 20))] == [late]
        assert {row.case.title for row in overdue_tasks(today=D(2026, 4, 20))} == {"Sent", "Rapportert"}


class TestOverview:
    def test_the_director_sees_every_task_of_the_region_with_the_latest_report(self, world: World) -> None:
        first = make_task(world, schedule=(1, MONTHS, FIRST), title="Kapasitet")
        make_report(first, world["leader"], on=D(2026, 2, 20), progress="Første rapport")
        latest = make_report(first, world["leader"], on=D(2026, 3, 20), progress="Andre rapport")
        other = make_task(world, network=world.other_network, schedule=(2, WEEKS, FIRST), title="Øyeoppdrag")
        make_task(world, network=world.network_b, title="Nord")  # another region
        make_task(world, status=S.CLOSED, title="Ferdig")
        no_deadline = make_task(world, title="Uten frist", due_date=None)

        rows = task_overview(user=world["director"], today=D(2026, 3, 25))
        assert [row.case for row in rows] == [other, first, no_deadline]  # overdue first
        assert rows[0].overdue and rows[0].latest is None and rows[0].next_due == FIRST
        assert rows[1].latest == latest and rows[1].next_due == D(2026, 4, 20) and not rows[1].overdue

        assert [row.case for row in task_overview(
            user=world["director"], today=D(2026, 3, 25), filters=OverviewFilters(overdue=True)
        )] == [other]  # fmt: skip
        finished = task_overview(
            user=world["coordinator"], today=D(2026, 3, 25), filters=OverviewFilters(finished=True)
        )
        assert "Ferdig" in {row.case.title for row in finished}
        assert "Nord" not in {row.case.title for row in finished}

    def test_a_leader_sees_the_tasks_of_the_networks_they_lead(self, world: World) -> None:
        make_task(world, title="Vårt")
        make_task(world, network=world.other_network, title="Deres")
        assert [row.case.title for row in task_overview(user=world["leader"], today=D(2026, 3, 1))] == ["Vårt"]
        assert [row.case.title for row in task_overview(user=world["secretary"], today=D(2026, 3, 1))] == ["Vårt"]

    @pytest.mark.parametrize("role", ["member", "rhf_rep", "employee", "fagsjef", "other_member"])
    def test_others_have_no_overview(self, world: World, role: str) -> None:
        assert overview_scope(user=world[role]).empty

    def test_a_leader_who_also_is_a_member_elsewhere_sees_only_what_they_lead(self, world: World) -> None:
        elsewhere = make_network(world.region_a)
        appoint(elsewhere, world["leader"], AppointmentRole.MEMBER)
        make_task(world, network=elsewhere, title="Annet")
        assert [row.case.title for row in task_overview(user=world["leader"], today=D(2026, 3, 1))] == []
