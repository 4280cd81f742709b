"""``manage.py send_reminders`` sends every app's registered reminders, and the reminders sent before the apps
shared one log are not sent again after the migration that moved them there."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from fagnett.core.models import ReminderLog
from fagnett.core.reminders import send_due
from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from fagnett.procedures.models import Procedure, Status
from fagnett.procedures.tests.factories import make_procedure
from fagnett.progress.models import ReportingSchedule
from fagnett.progress.tests.factories import make_task
from tests.factories import World, make_world

MONTHS = ReportingSchedule.Unit.MONTHS
BEFORE = [
    ("core", None),
    ("meetings", "0007_agendaitem_topics"),
    ("procedures", "0002_free_text_guard"),
    ("progress", "0001_initial"),
]


def _due(world: World) -> tuple[Meeting, Procedure, Any]:
    """One reminder of each app due today: an invitation not sent, a review date near, a progress report late."""
    today = timezone.localdate()
    meeting = make_meeting(world.network, days=10)
    procedure = make_procedure(
        world.network,
        (Status.PUBLISHED, datetime.date(2024, 1, 1)),
        responsible=world["member"],
        review_date=today + datetime.timedelta(days=20),
    )
    task = make_task(world, schedule=(1, MONTHS, today - datetime.timedelta(days=3)))
    return meeting, procedure, task


@pytest.mark.django_db(transaction=True)
def test_one_run_sends_every_apps_reminders_once(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _due(world)
    call_command("send_reminders")
    assert capsys.readouterr().out == (
        "Sent 5 reminders (invitation_not_sent: 2, procedure_review_due_soon: 1, progress_overdue: 2).\n"
    )
    assert len(mail.outbox) == 5
    call_command("send_reminders")
    assert capsys.readouterr().out == "Sent 0 reminders (none due).\n"
    assert len(mail.outbox) == 5


@pytest.fixture
def before_one_log(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The database as it was while each app kept its own log of reminders; migrated to the end afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    try:
        yield executor
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.migrations
def test_reminders_sent_before_the_logs_were_joined_are_not_sent_again(before_one_log: MigrationExecutor) -> None:
    old = before_one_log.loader.project_state([target for target in BEFORE if target[1]]).apps
    world = make_world()
    meeting, procedure, task = _due(world)
    sent = timezone.make_aware(datetime.datetime(2026, 1, 5, 7, 0))
    for person in (world["leader"], world["secretary"]):
        old.get_model("meetings", "ReminderLog").objects.create(
            kind="invitation_not_sent", object_key=str(meeting.pk), recipient_id=person.pk
        )
        old.get_model("progress", "OverdueReminderLog").objects.create(
            case_id=task.pk, due=timezone.localdate() - datetime.timedelta(days=3), recipient_id=person.pk
        )
    old.get_model("procedures", "ReviewReminderLog").objects.create(
        kind="due_soon", procedure_id=procedure.pk, review_date=procedure.review_date, recipient_id=world["member"].pk
    )
    old.get_model("meetings", "ReminderLog").objects.update(sent_at=sent)

    before_one_log.migrate(before_one_log.loader.graph.leaf_nodes())

    assert sum(send_due().values()) == 0
    assert mail.outbox == []
    due = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    assert sorted(ReminderLog.objects.values_list("kind", "object_key", "recipient__username")) == [
        ("invitation_not_sent", str(meeting.pk), "leader"),
        ("invitation_not_sent", str(meeting.pk), "secretary"),
        ("procedure_review_due_soon", f"{procedure.pk}:{procedure.review_date.isoformat()}", "member"),
        ("progress_overdue", f"{task.pk}:{due}", "leader"),
        ("progress_overdue", f"{task.pk}:{due}", "secretary"),
    ]
    assert set(ReminderLog.objects.filter(kind="invitation_not_sent").values_list("sent_at", flat=True)) == {sent}
