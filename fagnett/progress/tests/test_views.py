import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from fagnett.cases.models import Case
from fagnett.cases.tests.factories import days_from_today, make_case
from fagnett.networks.models import AppointmentRole
from fagnett.progress.calculations import add_months
from fagnett.progress.models import ProgressReport, ReportingSchedule
from fagnett.progress.tests.factories import make_report, make_task
from tests.factories import World, appoint, make_network

pytestmark = pytest.mark.django_db

S = Case.Status
MONTHS = ReportingSchedule.Unit.MONTHS


class TestOverviewPage:
    def test_the_director_sees_each_task_with_its_latest_report_and_what_is_overdue(
        self, world: World, login_as: Any
    ) -> None:
        reported = make_task(world, title="Vurdere intensivkapasiteten", schedule=(3, MONTHS, days_from_today(-40)))
        make_report(reported, world["leader"], on=days_from_today(-35), progress="Datainnsamling startet.")
        make_report(
            reported, world["leader"], on=days_from_today(-5), status=ProgressReport.Status.AT_RISK,
            progress="Tall fra tre av fire HF er inne.", risks="Ett HF mangler tall.",
        )  # fmt: skip
        late = make_task(
            world, network=world.other_network, title="Felles beredskapsplan", schedule=(1, MONTHS, days_from_today(-3))
        )
        response = login_as("director").get(reverse("progress:overview"))
        assert response.status_code == 200
        html = response.content.decode()
        rows = response.context["rows"]
        assert [row.case for row in rows] == [late, reported]
        assert response.context["overdue_count"] == 1
        assert "Tall fra tre av fire HF er inne." in html and "Datainnsamling startet." not in html
        assert "At risk" in html and "Overdue" in html and "No report yet" in html
        assert world.other_network.name in html and reported.get_absolute_url() in html
        assert rows[1].next_due == add_months(days_from_today(-5), 3) and not rows[1].overdue

        only_overdue = login_as("director").get(reverse("progress:overview"), {"overdue": "on"})
        assert [row.case for row in only_overdue.context["rows"]] == [late]

    @pytest.mark.parametrize(
        ("role", "status"),
        [("coordinator", 200), ("director", 200), ("leader", 200), ("secretary", 200), ("member", 403),
         ("employee", 403), ("fagsjef", 403), ("coordinator_b", 200)],
    )  # fmt: skip
    def test_who_may_open_it(self, world: World, login_as: Any, role: str, status: int) -> None:
        make_task(world)
        response = login_as(role).get(reverse("progress:overview"))
        assert response.status_code == status
        if role == "coordinator_b":
            assert response.context["rows"] == []

    def count(self, client: Client) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("progress:overview")).status_code == 200
        return len(queries)

    def grow(self, world: World, n: int) -> None:
        for i in range(n):
            network = make_network(world.region_a)
            appoint(network, world["leader"], AppointmentRole.LEADER)
            task = make_task(world, network=network, schedule=(1, MONTHS, days_from_today(-i)) if i % 3 else None)
            for days in range(i % 4):
                make_report(task, world["leader"], on=days_from_today(-days))

    @pytest.mark.parametrize("role", ["director", "leader"])
    def test_the_same_number_of_queries_however_many_tasks(self, world: World, client: Client, role: str) -> None:
        client.force_login(world[role])
        client.get(reverse("progress:overview"))  # session warm-up
        self.grow(world, 2)
        client.get(reverse("progress:overview"))  # new appointments change the person's kept access: read it again
        small = self.count(client)
        self.grow(world, 25)
        assert len(client.get(reverse("progress:overview")).context["rows"]) == 27
        assert self.count(client) == small


class TestReportPage:
    def test_the_leader_reports_from_the_task_page_and_the_director_is_told(
        self, world: World, login_as: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = make_task(world, schedule=(1, MONTHS, days_from_today(-2)))
        client = login_as("leader")
        detail = client.get(case.get_absolute_url())
        html = detail.content.decode()
        assert reverse("progress:report", args=[case.pk]) in html
        assert detail.context["progress"].task.overdue
        assert reverse("progress:schedule", args=[case.pk]) not in html
        assert client.get(reverse("progress:report", args=[case.pk])).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("progress:report", args=[case.pk]),
                {"status": "on_track", "progress": "Alle HF har levert.", "risks": "", "next_steps": "Dimensjonering."},
            )
        assert response.status_code == 302
        report = ProgressReport.objects.get()
        assert report.reported_by == world["leader"]
        assert {m.to[0] for m in mail.outbox} == {"director@example.org", "coordinator@example.org"}
        detail = client.get(case.get_absolute_url())
        assert "Alle HF har levert." in detail.content.decode()
        assert not detail.context["progress"].task.overdue

    def test_bad_input_is_told_and_saves_nothing(self, world: World, login_as: Any) -> None:
        case = make_task(world)
        client = login_as("secretary")
        response = client.post(
            reverse("progress:report", args=[case.pk]),
            {"status": "on_track", "progress": "Gjelder 15108695088", "risks": "", "next_steps": "Møte"},
        )
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["progress"]
        assert "Nothing was saved" in response.content.decode()
        response = client.post(
            reverse("progress:report", args=[case.pk]),
            {"status": "delayed", "progress": "Forsinket", "risks": "", "next_steps": ""},
        )
        assert set(response.context["form"].errors) == {"risks", "next_steps"}
        assert not ProgressReport.objects.exists()

    @pytest.mark.parametrize(("role", "status"), [("member", 403), ("director", 403), ("coordinator_b", 404)])
    def test_others_may_not_report(self, world: World, login_as: Any, role: str, status: int) -> None:
        case = make_task(world)
        assert login_as(role).get(reverse("progress:report", args=[case.pk])).status_code == status
        response = login_as(role).post(
            reverse("progress:report", args=[case.pk]), {"status": "on_track", "progress": "x", "next_steps": "y"}
        )
        assert response.status_code == status
        assert not ProgressReport.objects.exists()

    def test_a_case_that_is_not_a_task_shows_no_progress(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        response = login_as("leader").get(case.get_absolute_url())
        assert response.context.get("progress") is None
        assert 'id="progress-heading"' not in response.content.decode()


class TestSchedulePage:
    def test_the_coordinator_changes_the_schedule(self, world: World, login_as: Any) -> None:
        case = make_task(world, schedule=(3, MONTHS, days_from_today(30)))
        client = login_as("coordinator")
        assert reverse("progress:schedule", args=[case.pk]) in client.get(case.get_absolute_url()).content.decode()
        page = client.get(reverse("progress:schedule", args=[case.pk]))
        assert page.context["form"].initial["interval"] == 3
        response = client.post(
            reverse("progress:schedule", args=[case.pk]),
            {"interval": "6", "unit": "weeks", "first_due": days_from_today(14).isoformat(), "lock_version": "1"},
        )
        assert response.status_code == 302
        schedule = ReportingSchedule.objects.get()
        assert (schedule.interval, schedule.unit, schedule.first_due, schedule.set_by) == (
            6, "weeks", days_from_today(14), world["coordinator"]
        )  # fmt: skip

    def test_a_first_date_after_the_deadline_is_told_on_the_field(self, world: World, login_as: Any) -> None:
        case = make_task(world, due_date=days_from_today(60))
        response = login_as("director").post(
            reverse("progress:schedule", args=[case.pk]),
            {"interval": "1", "unit": "months", "first_due": days_from_today(61).isoformat(), "lock_version": "0"},
        )
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["first_due"]
        assert not ReportingSchedule.objects.exists()

    def test_a_stale_form_is_told(self, world: World, login_as: Any) -> None:
        case = make_task(world, schedule=(3, MONTHS, days_from_today(30)))
        response = login_as("coordinator").post(
            reverse("progress:schedule", args=[case.pk]),
            {"interval": "1", "unit": "months", "first_due": days_from_today(5).isoformat(), "lock_version": "0"},
        )
        assert response.status_code == 200
        assert response.context["conflict"].interval == 3
        assert response.context["form"]["lock_version"].value() == "1"
        assert ReportingSchedule.objects.get().interval == 3

    @pytest.mark.parametrize(("role", "status"), [("leader", 403), ("member", 403), ("coordinator_b", 404)])
    def test_others_may_not_change_it(self, world: World, login_as: Any, role: str, status: int) -> None:
        case = make_task(world)
        assert login_as(role).get(reverse("progress:schedule", args=[case.pk])).status_code == status


class TestTaskForm:
    def test_the_task_is_assigned_with_a_reporting_schedule(self, world: World, login_as: Any) -> None:
        client = login_as("coordinator")
        form = client.get(reverse("progress:assign_task")).content.decode()
        assert 'name="report_interval"' in form and 'name="first_report_due"' in form
        response = client.post(
            reverse("progress:assign_task"),
            {"title": "Kartlegg kapasitet", "description": "Oppdrag fra RHF.", "wanted": "Rapport",
             "networks": [world.network.pk, world.other_network.pk], "due_date": days_from_today(90).isoformat(),
             "report_interval": "2", "report_unit": "weeks", "first_report_due": days_from_today(14).isoformat()},
        )  # fmt: skip
        assert response.status_code == 302
        schedules = ReportingSchedule.objects.order_by("case__network__name")
        assert [(s.case.network, s.interval, s.unit, s.first_due) for s in schedules] == [
            (world.network, 2, "weeks", days_from_today(14)),
            (world.other_network, 2, "weeks", days_from_today(14)),
        ]

    @pytest.mark.parametrize(
        ("schedule", "field"),
        [
            ({"report_interval": "2", "report_unit": "months"}, "first_report_due"),
            ({"first_report_due": datetime.date.today().isoformat()}, "report_interval"),
            ({"report_interval": "2", "report_unit": "months", "first_report_due": "2099-01-01"}, "first_report_due"),
            ({"report_interval": "13", "report_unit": "months", "first_report_due": "2099-01-01"}, "report_interval"),
        ],
    )
    def test_a_half_or_bad_schedule_saves_no_task(
        self, world: World, login_as: Any, schedule: dict[str, str], field: str
    ) -> None:
        response = login_as("director").post(
            reverse("progress:assign_task"),
            {"title": "Kartlegg kapasitet", "description": "Oppdrag fra RHF.", "wanted": "Rapport",
             "networks": [world.network.pk], "due_date": days_from_today(90).isoformat(), **schedule},
        )  # fmt: skip
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not Case.objects.exists()

    def test_without_a_schedule_the_task_has_none(self, world: World, login_as: Any) -> None:
        response = login_as("director").post(
            reverse("progress:assign_task"),
            {"title": "Kartlegg kapasitet", "description": "Oppdrag fra RHF.", "wanted": "Rapport",
             "networks": [world.network.pk], "due_date": days_from_today(90).isoformat(), "report_unit": "months"},
        )  # fmt: skip
        assert response.status_code == 302
        assert Case.objects.count() == 1 and not ReportingSchedule.objects.exists()


class TestCaseDocument:
    """The task's progress reports reach its Word document through ``cases.panels``, before the timeline."""

    @staticmethod
    def _paragraphs(response: Any) -> list[str]:
        return [p.text for p in Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs]

    def test_the_tasks_document_holds_its_progress_reports_before_the_timeline(
        self, world: World, login_as: Any
    ) -> None:
        case = make_task(world, schedule=(1, MONTHS, days_from_today(-40)))
        make_report(case, world["leader"], on=days_from_today(-30), progress="Tall fra to HF.", risks="Ferie.")
        make_report(case, world["leader"], on=days_from_today(-2), progress="Alle HF har levert.")
        text = self._paragraphs(login_as("leader").get(reverse("cases:export", args=[case.pk])))
        assert text.index("Progress reports") < text.index("Timeline")
        reports = text[text.index("Progress reports") : text.index("Timeline")]
        # The reader reads English, so the date is British as well (it was "dd.mm.yyyy" in an English document).
        assert reports[1].startswith(days_from_today(-2).strftime("%d/%m/%Y"))
        assert "Progress: Alle HF har levert." in reports and "Risks: Ferie." in reports

    def test_a_case_that_is_not_a_task_has_no_progress_section(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        text = self._paragraphs(login_as("leader").get(reverse("cases:export", args=[case.pk])))
        assert "Timeline" in text and "Progress reports" not in text
