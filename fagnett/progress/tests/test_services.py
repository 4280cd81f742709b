from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from fagnett.cases.models import Case, CaseEvent
from fagnett.cases.tests.factories import days_from_today, make_case
from fagnett.core.exceptions import ConflictError
from fagnett.networks.models import AppointmentRole
from fagnett.progress import services
from fagnett.progress.models import ProgressReport, ReportingSchedule
from fagnett.progress.tests.factories import make_task
from tests.factories import World, appoint, make_user

pytestmark = pytest.mark.django_db

S = Case.Status
R = ProgressReport.Status
MONTHS, WEEKS = ReportingSchedule.Unit.MONTHS, ReportingSchedule.Unit.WEEKS
TASK = {"title": "Vurdere intensivkapasiteten", "description": "Oppdrag fra RHF.", "wanted": "Vurdering",
        "due_date": days_from_today(180)}  # fmt: skip


class TestSchedule:
    def test_assigning_a_task_with_a_schedule_gives_each_network_one(self, world: World) -> None:
        cases = services.task_assign(
            user=world["director"],
            networks=[world.network, world.other_network],
            data=TASK,
            schedule={"interval": 3, "unit": MONTHS, "first_due": days_from_today(30)},
        )
        for case in cases:
            schedule = case.reporting_schedule
            assert (schedule.interval, schedule.unit, schedule.first_due) == (3, MONTHS, days_from_today(30))
            assert schedule.set_by == world["director"]
            kinds = list(case.events.values_list("kind", flat=True))
            assert kinds == [CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.SCHEDULE]

    def test_a_schedule_that_does_not_fit_the_task_saves_no_task(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.task_assign(
                user=world["coordinator"],
                networks=[world.network],
                data=TASK,
                schedule={"interval": 3, "unit": MONTHS, "first_due": days_from_today(181)},
            )
        assert list(error.value.message_dict) == ["first_due"]
        assert not Case.objects.exists()
        assert not ReportingSchedule.objects.exists()

    @pytest.mark.parametrize(
        ("interval", "unit", "first_due", "field"),
        [
            (0, MONTHS, 30, "interval"),
            (13, MONTHS, 30, "interval"),
            (53, WEEKS, 30, "interval"),
            (2, "days", 30, "unit"),
            (2, WEEKS, -1, "first_due"),  # before the task was assigned
            (2, WEEKS, 181, "first_due"),  # after its deadline
        ],
    )
    def test_bad_schedules_are_refused(
        self, world: World, interval: int, unit: str, first_due: int, field: str
    ) -> None:
        case = make_task(world)
        with pytest.raises(ValidationError) as error:
            services.schedule_set(
                user=world["coordinator"], case=case, interval=interval, unit=unit, first_due=days_from_today(first_due)
            )
        assert list(error.value.message_dict) == [field]
        assert not ReportingSchedule.objects.exists()

    def test_the_longest_intervals_and_the_deadline_itself_are_accepted(self, world: World) -> None:
        case = make_task(world)
        services.schedule_set(user=world["coordinator"], case=case, interval=52, unit=WEEKS, first_due=case.due_date)
        schedule = services.schedule_set(
            user=world["coordinator"], case=case, interval=12, unit=MONTHS, first_due=days_from_today(0)
        )
        assert (schedule.interval, schedule.unit, schedule.lock_version) == (12, MONTHS, 2)
        assert case.events.filter(kind=CaseEvent.Kind.SCHEDULE).count() == 2
        assert schedule.history.count() == 2

    @pytest.mark.parametrize(
        ("role", "allowed"),
        [("coordinator", True), ("director", True), ("leader", False), ("secretary", False), ("member", False),
         ("coordinator_b", False), ("employee", False)],
    )  # fmt: skip
    def test_the_coordinator_and_the_directors_set_the_schedule(self, world: World, role: str, allowed: bool) -> None:
        case = make_task(world)
        call = lambda: services.schedule_set(  # noqa: E731
            user=world[role], case=case, interval=1, unit=MONTHS, first_due=days_from_today(10)
        )
        if allowed:
            assert call().set_by == world[role]
        else:
            with pytest.raises(PermissionDenied):
                call()

    def test_only_tasks_from_the_region_have_a_schedule(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        with pytest.raises(ValidationError):
            services.schedule_set(
                user=world["coordinator"], case=case, interval=1, unit=MONTHS, first_due=days_from_today(10)
            )

    def test_a_finished_task_gets_no_schedule(self, world: World) -> None:
        case = make_task(world, status=S.CLOSED)
        with pytest.raises(ValidationError):
            services.schedule_set(
                user=world["coordinator"], case=case, interval=1, unit=MONTHS, first_due=days_from_today(10)
            )

    def test_the_second_of_two_editors_is_told(self, world: World) -> None:
        case = make_task(world, schedule=(1, MONTHS, days_from_today(10)))
        services.schedule_set(
            user=world["director"], case=case, interval=2, unit=MONTHS, first_due=days_from_today(10), lock_version=1
        )
        with pytest.raises(ConflictError):
            services.schedule_set(
                user=world["coordinator"], case=case, interval=3, unit=WEEKS, first_due=days_from_today(5),
                lock_version=1,
            )  # fmt: skip
        assert ReportingSchedule.objects.get().interval == 2


REPORT = {"status": R.ON_TRACK, "progress": "Tall fra tre av fire HF.", "next_steps": "Purre det siste HF-et."}


class TestReport:
    def test_the_leader_reports_and_the_directors_and_coordinator_are_mailed(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = make_task(world)
        with django_capture_on_commit_callbacks(execute=True):
            report = services.progress_report_submit(user=world["leader"], case=case, **REPORT)
        assert (report.status, report.reported_by) == (R.ON_TRACK, world["leader"])
        assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.org", "director@example.org"]
        message = mail.outbox[0]
        assert case.reference in message.subject and "On track" in message.subject
        assert "Tall fra tre av fire HF." in message.body and "Purre det siste HF-et." in message.body
        event = case.events.get(kind=CaseEvent.Kind.PROGRESS)
        assert (event.actor, event.text) == (world["leader"], "On track")
        assert report.history.count() == 1

    def test_no_mail_before_the_transaction_commits(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = make_task(world)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.progress_report_submit(user=world["secretary"], case=case, **REPORT)
        assert len(callbacks) == 1 and mail.outbox == []

    @pytest.mark.parametrize(
        ("role", "allowed"),
        [("leader", True), ("secretary", True), ("member", False), ("rhf_rep", False), ("coordinator", False),
         ("director", False), ("other_member", False), ("coordinator_b", False)],
    )  # fmt: skip
    def test_the_networks_leader_and_secretary_write_reports(self, world: World, role: str, allowed: bool) -> None:
        case = make_task(world)
        if allowed:
            assert services.progress_report_submit(user=world[role], case=case, **REPORT).reported_by == world[role]
        else:
            with pytest.raises(PermissionDenied):
                services.progress_report_submit(user=world[role], case=case, **REPORT)
            assert not ProgressReport.objects.exists()

    def test_the_leader_of_another_network_cannot_report(self, world: World) -> None:
        other_leader = make_user(trust=world.trusts_a[0])
        appoint(world.other_network, other_leader, AppointmentRole.LEADER)
        with pytest.raises(PermissionDenied):
            services.progress_report_submit(user=other_leader, case=make_task(world), **REPORT)

    @pytest.mark.parametrize(
        ("data", "fields"),
        [
            ({"status": "", "progress": "x", "next_steps": "y"}, {"status"}),
            ({"status": R.ON_TRACK, "progress": " ", "next_steps": "y"}, {"progress"}),
            ({"status": R.AT_RISK, "progress": "x", "next_steps": "y"}, {"risks"}),
            ({"status": R.DELAYED, "progress": "x", "risks": "", "next_steps": ""}, {"risks", "next_steps"}),
            ({"status": R.ON_TRACK, "progress": "Pasient 15108695088 ble flyttet.", "next_steps": "y"}, {"progress"}),
            ({"status": R.AT_RISK, "progress": "x", "risks": "Gjelder 151086 95088", "next_steps": "y"}, {"risks"}),
        ],
    )
    def test_bad_reports_are_refused_and_save_nothing(
        self, world: World, data: dict[str, str], fields: set[str]
    ) -> None:
        case = make_task(world)
        with pytest.raises(ValidationError) as error:
            services.progress_report_submit(user=world["leader"], case=case, **data)
        assert set(error.value.message_dict) == fields
        assert not ProgressReport.objects.exists()
        assert not case.events.filter(kind=CaseEvent.Kind.PROGRESS).exists()

    def test_a_final_report_needs_no_next_steps(self, world: World) -> None:
        case = make_task(world, status=S.RECOMMENDATION_GIVEN)
        report = services.progress_report_submit(user=world["leader"], case=case, status=R.DONE, progress="Levert.")
        assert report.next_steps == ""

    @pytest.mark.parametrize("status", [S.RECEIVED, S.DECLINED, S.DECISION_RECORDED, S.CLOSED])
    def test_no_report_on_a_task_not_being_worked_on(self, world: World, status: str) -> None:
        with pytest.raises(ValidationError):
            services.progress_report_submit(user=world["leader"], case=make_task(world, status=status), **REPORT)

    def test_only_tasks_from_the_region_get_progress_reports(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.progress_report_submit(user=world["leader"], case=make_case(world, status=S.IN_PROGRESS), **REPORT)
