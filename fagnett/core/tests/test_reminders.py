"""One log and one ``send_once`` for every app's reminders, and the registry the daily run asks."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from fagnett.core import reminders
from fagnett.core.models import ReminderLog
from fagnett.core.reminders import send_once
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminder_template(settings: Any, tmp_path: Path) -> str:
    """A mail template of the test's own (``mail/<name>_subject.txt`` and ``_body.txt``), found before the apps'."""
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "test_reminder_subject.txt").write_text("Påminnelse: {{ what }}")
    (tmp_path / "mail" / "test_reminder_body.txt").write_text("Hei {{ recipient.first_name }}, husk {{ what }}.")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    return "test_reminder"


def test_a_reminder_goes_once_to_each_recipient(
    world: World, reminder_template: str, django_capture_on_commit_callbacks: Any
) -> None:
    member, leader = world["member"], world["leader"]

    def send(kind: str, key: str, person: Any) -> bool:
        return send_once(
            kind=kind, key=key, recipient=person, template=reminder_template, context={"what": "rapporten"}
        )

    with django_capture_on_commit_callbacks(execute=True):
        assert send("report_due", "7:2026-03-01", member)
        assert not send("report_due", "7:2026-03-01", member)  # cron ran twice
        assert send("report_due", "7:2026-04-01", member)  # the next due date is a new reminder
        assert send("report_due", "7:2026-03-01", leader)
        assert send("report_overdue", "7:2026-03-01", member)
    assert [m.to for m in mail.outbox] == [[member.email], [member.email], [leader.email], [member.email]]
    assert (mail.outbox[0].subject, mail.outbox[0].body) == ("Påminnelse: rapporten", "Hei Member, husk rapporten.")
    assert ReminderLog.objects.count() == 4


def test_a_reminder_whose_transaction_failed_is_neither_logged_nor_sent(
    world: World, reminder_template: str, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_once(kind="report_due", key="7", recipient=world["member"], template=reminder_template, context={})
        raise RuntimeError("the run failed after the reminder")
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_the_daily_run_asks_each_registered_app_in_the_order_of_their_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, "_registry", {})
    asked: list[tuple[str, object]] = []

    def app(name: str, counts: dict[str, int]) -> reminders.Reminders:
        def send(now: Any) -> Counter[str]:
            asked.append((name, now))
            return Counter(counts)

        return send

    reminders.register("progress", app("progress", {"progress_overdue": 2}))
    reminders.register("meetings", app("meetings", {"invitation_not_sent": 5}))
    reminders.register("meetings", app("meetings", {"invitation_not_sent": 1, "action_overdue": 0}))  # replaces
    now = timezone.now()
    assert reminders.send_due(now) == Counter({"progress_overdue": 2, "invitation_not_sent": 1})
    assert asked == [("meetings", now), ("progress", now)]
