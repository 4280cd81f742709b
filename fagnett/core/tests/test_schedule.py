"""The scheduler's slots and claims in one process (the two-worker run is fagnett/ops/tests/test_worker.py)."""

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from fagnett.core import schedule
from fagnett.core.models import ScheduledRun

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def registry() -> Iterator[list[tuple[str, datetime.datetime]]]:
    """The registry with only a daily and a five-minute job, which record their runs here."""
    saved = dict(schedule._registry)
    schedule._registry.clear()
    ran: list[tuple[str, datetime.datetime]] = []
    schedule.register("daily", lambda began: ran.append(("daily", began)), daily_at="07:00")
    schedule.register("often", lambda began: ran.append(("often", began)), every=datetime.timedelta(minutes=5))
    yield ran
    schedule._registry.clear()
    schedule._registry.update(saved)


def test_a_daily_slot_is_the_local_day_once_its_time_has_passed() -> None:
    job = schedule.Job(name="x", function=print, daily_at=datetime.time(7))
    assert job.slot(datetime.datetime(2026, 12, 5, 6, 59, tzinfo=OSLO)) is None
    key, began = job.slot(datetime.datetime(2026, 12, 5, 7, 0, tzinfo=OSLO)) or ("", None)
    assert key == "2026-12-05" and began == datetime.datetime(2026, 12, 5, 7, 0, tzinfo=OSLO)
    # 23:30 UTC on the 5th is already the 6th in Oslo; the summer's offset is two hours.
    assert job.slot(datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)) is None
    assert (job.slot(datetime.datetime(2026, 7, 1, 5, 0, tzinfo=datetime.UTC)) or ("",))[0] == "2026-07-01"
    assert job.slot(datetime.datetime(2026, 7, 1, 4, 59, tzinfo=datetime.UTC)) is None


def test_an_interval_slot_starts_at_a_multiple_of_the_interval() -> None:
    job = schedule.Job(name="x", function=print, every=datetime.timedelta(minutes=5))
    assert job.slot(datetime.datetime(2026, 12, 5, 1, 34, 59, tzinfo=datetime.UTC)) == (
        "2026-12-05T01:30:00Z",
        datetime.datetime(2026, 12, 5, 1, 30, tzinfo=datetime.UTC),
    )


@pytest.mark.django_db
def test_each_slot_is_claimed_and_run_once(registry: list[tuple[str, datetime.datetime]]) -> None:
    early = datetime.datetime(2026, 12, 5, 6, 0, tzinfo=OSLO)
    assert schedule.run_due(early) == ["often"]
    assert schedule.run_due(early + datetime.timedelta(minutes=4)) == []  # the same five minutes
    later = datetime.datetime(2026, 12, 5, 9, 2, tzinfo=OSLO)
    assert schedule.run_due(later) == ["daily", "often"]
    assert schedule.run_due(later + datetime.timedelta(hours=3)) == ["often"]  # the day's run is done
    # The test settings' immediate backend ran each claimed job, given the time its slot began.
    assert registry == [
        ("often", early),
        ("daily", datetime.datetime(2026, 12, 5, 7, 0, tzinfo=OSLO)),
        ("often", later.replace(minute=0)),
        ("often", later.replace(hour=12, minute=0)),
    ]
    assert ScheduledRun.objects.count() == 4 and all(run.task_id for run in ScheduledRun.objects.all())


@pytest.mark.django_db
def test_a_slot_another_worker_claimed_is_not_run(registry: list[tuple[str, datetime.datetime]]) -> None:
    now = datetime.datetime(2026, 12, 5, 8, 0, tzinfo=OSLO)
    ScheduledRun.objects.create(name="daily", slot="2026-12-05")
    assert schedule.run_due(now) == ["often"]
    assert [name for name, _ in registry] == ["often"]


def test_a_job_needs_one_kind_of_schedule() -> None:
    with pytest.raises(ValueError, match="daily_at or every"):
        schedule.register("neither", print)
    with pytest.raises(ValueError, match="daily_at or every"):
        schedule.register("both", print, daily_at="07:00", every=datetime.timedelta(hours=1))


def test_the_reminders_are_registered_daily() -> None:
    job = schedule.registered()["reminders"]
    assert job.daily_at == datetime.time(7) and job.every is None


@pytest.mark.django_db
def test_old_claims_are_pruned() -> None:
    now = datetime.datetime(2026, 12, 5, 3, 15, tzinfo=OSLO)
    old = ScheduledRun.objects.create(name="often", slot="2026-11-01T00:00:00Z")
    ScheduledRun.objects.filter(pk=old.pk).update(claimed_at=now - datetime.timedelta(days=31))
    ScheduledRun.objects.create(name="often", slot="2026-12-05T02:00:00Z")
    assert schedule.prune_runs(now) == 1
    assert list(ScheduledRun.objects.values_list("slot", flat=True)) == ["2026-12-05T02:00:00Z"]
    assert schedule.registered()["scheduled-runs-prune"].daily_at == datetime.time(3, 15)
