import datetime

import pytest
from django.core import mail
from django.utils import timezone

from fagnett.core.models import ReminderLog
from fagnett.procedures.models import Status
from fagnett.procedures.reminders import review_reminders
from fagnett.procedures.tests.factories import d, make_procedure
from tests.factories import World

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2025, 6, 1, 7, 0))


def run(capture) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return dict(review_reminders(NOW))


def test_due_soon_then_overdue_each_sent_once(world: World, django_capture_on_commit_callbacks) -> None:
    procedure = make_procedure(
        world.network, (Status.PUBLISHED, d(1, 1, 2024)), responsible=world["member"], review_date=d(6, 20)
    )
    assert run(django_capture_on_commit_callbacks) == {"procedure_review_due_soon": 1}
    assert [m.to for m in mail.outbox] == [[world["member"].email]]
    assert procedure.title in mail.outbox[0].subject
    assert run(django_capture_on_commit_callbacks) == {}  # cron ran twice: nothing more
    assert len(mail.outbox) == 1

    later = NOW + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert dict(review_reminders(later)) == {"procedure_review_overdue": 1}
        assert dict(review_reminders(later)) == {}
    assert len(mail.outbox) == 2
    assert ReminderLog.objects.filter(kind__startswith="procedure_review_").count() == 2


def test_a_new_review_date_starts_the_reminders_again(world: World, django_capture_on_commit_callbacks) -> None:
    procedure = make_procedure(
        world.network, (Status.PUBLISHED, d(1, 1, 2024)), responsible=world["member"], review_date=d(6, 20)
    )
    run(django_capture_on_commit_callbacks)
    procedure.review_date = d(6, 25)
    procedure.save()
    assert run(django_capture_on_commit_callbacks) == {"procedure_review_due_soon": 1}


def test_nothing_for_far_dates_withdrawn_procedures_or_no_responsible(
    world: World, django_capture_on_commit_callbacks
) -> None:
    make_procedure(world.network, (Status.PUBLISHED, d(1)), responsible=world["member"], review_date=d(9, 1))
    make_procedure(world.network, (Status.WITHDRAWN, d(1)), responsible=world["member"], review_date=d(5, 1))
    make_procedure(world.network, (Status.PUBLISHED, d(1)), review_date=d(5, 1))
    assert run(django_capture_on_commit_callbacks) == {}
    assert mail.outbox == []
