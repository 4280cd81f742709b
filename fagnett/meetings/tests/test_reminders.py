import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from fagnett.core.models import ReminderLog
from fagnett.meetings import services
from fagnett.meetings.models import Meeting, Minutes
from fagnett.meetings.reminders import send_due_reminders
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_reminder_goes_once(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    soon = make_meeting(world.network, days=10)  # invitation not sent, less than two weeks ahead
    make_meeting(world.network, days=20)  # more than two weeks ahead: no reminder yet
    make_meeting(world.network, days=10, invitation_sent_at=timezone.now(), status=Meeting.Status.INVITED)
    old = make_meeting(world.network, days=-40, status=Meeting.Status.HELD)  # minutes never approved
    approved = make_meeting(world.network, days=-45, status=Meeting.Status.HELD)
    add_items(approved, "Sak")
    Minutes.objects.create(meeting=approved, status=Minutes.Status.APPROVED)
    overdue = services.action_item_create(
        user=world["leader"], network=world.network, title="Forfalt", owner=world["member"],
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    due_soon = services.action_item_create(
        user=world["leader"], network=world.network, title="Snart", owner=world["member"],
        due_date=timezone.localdate() + datetime.timedelta(days=2),
    )  # fmt: skip
    services.action_item_create(
        user=world["leader"], network=world.network, title="Senere", owner=world["member"],
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    mail.outbox.clear()

    call_command("send_reminders")
    assert "Sent 6 reminders" in capsys.readouterr().out
    logged = sorted(ReminderLog.objects.values_list("kind", "object_key", "recipient__username"))
    assert logged == sorted(
        [
            ("invitation_not_sent", str(soon.pk), "leader"),
            ("invitation_not_sent", str(soon.pk), "secretary"),
            ("minutes_not_approved", str(old.pk), "leader"),
            ("minutes_not_approved", str(old.pk), "secretary"),
            ("action_overdue", str(overdue.pk), "member"),
            ("action_due_soon", str(due_soon.pk), "member"),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["leader@example.org", "secretary@example.org"] * 2 + ["member@example.org"] * 2
    )
    mail.outbox.clear()
    assert sum(send_due_reminders().values()) == 0  # nothing is sent twice
    assert mail.outbox == []
