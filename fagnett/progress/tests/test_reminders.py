import datetime
from typing import Any

import pytest
from django.core import mail

from fagnett.cases.models import Case
from fagnett.progress.models import ReportingSchedule
from fagnett.progress.reminders import progress_reminders
from fagnett.progress.tests.factories import make_report, make_task
from tests.factories import World

pytestmark = pytest.mark.django_db

D = datetime.date
MONTHS = ReportingSchedule.Unit.MONTHS


def run(today: datetime.date, capture: Any) -> dict[str, int]:
    with capture(execute=True):
        return dict(progress_reminders(today=today))


def test_the_leader_and_secretary_are_reminded_once_of_an_overdue_report(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = make_task(world, schedule=(1, MONTHS, D(2026, 3, 1)))
    make_task(world, status=Case.Status.CLOSED, schedule=(1, MONTHS, D(2026, 3, 1)))
    assert run(D(2026, 3, 1), django_capture_on_commit_callbacks) == {}  # due today: not overdue yet
    assert run(D(2026, 3, 2), django_capture_on_commit_callbacks) == {"progress_overdue": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["leader@example.org", "secretary@example.org"]
    assert case.reference in mail.outbox[0].subject
    # English mail, English date (it was the Norwegian pattern's "1. March 2026").
    assert case.title in mail.outbox[0].body and "1 March 2026" in mail.outbox[0].body
    assert run(D(2026, 3, 3), django_capture_on_commit_callbacks) == {}  # once per due date

    make_report(case, world["leader"], on=D(2026, 3, 4))
    assert run(D(2026, 4, 4), django_capture_on_commit_callbacks) == {}
    assert run(D(2026, 4, 5), django_capture_on_commit_callbacks) == {"progress_overdue": 2}  # the next due date
    assert len(mail.outbox) == 4
