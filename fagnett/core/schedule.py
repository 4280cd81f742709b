"""Scheduled jobs without cron: each runs once per slot (a day, or an interval) however many workers ask.

An app registers its job in ``AppConfig.ready()``::

    schedule.register("reminders", send_due, daily_at="07:00")            # local time (TIME_ZONE, Europe/Oslo)
    schedule.register("mail-sweep", sweep, every=timedelta(minutes=5))

Every worker (``manage.py worker``) calls ``run_due`` about once a minute. For each job whose current slot has come,
it inserts a ``ScheduledRun(name, slot)`` row; the unique constraint on the pair lets exactly one insert win, on
SQLite and PostgreSQL alike, and the winner enqueues the job in the same transaction. The job then runs as an
ordinary background job (``run_scheduled``), claimed by one worker, its failure visible like any job's. A slot that
passed while no worker ran is not made up, except today's daily run: a daily job runs once its time has passed
that day, at the first ``run_due`` after it (a worker started at 09:00 sends the 07:00 reminders at 09:00).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from fagnett.core.models import ScheduledRun

logger = logging.getLogger(__name__)

#: what a scheduled job does, given the time its slot began; its return value is only logged
JobFunction = Callable[[datetime.datetime], object]


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    daily_at: datetime.time | None = None
    every: datetime.timedelta | None = None

    def slot(self, now: datetime.datetime) -> tuple[str, datetime.datetime] | None:
        """The slot ``now`` falls in, as its key and the time it began; None before a daily job's time today."""
        if self.daily_at is not None:
            local = timezone.localtime(now)
            due = timezone.make_aware(datetime.datetime.combine(local.date(), self.daily_at))
            return (local.date().isoformat(), due) if local >= due else None
        assert self.every is not None
        step = int(self.every.total_seconds())
        start = int(now.timestamp()) // step * step
        began = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
        return began.strftime("%Y-%m-%dT%H:%M:%SZ"), began


_registry: dict[str, Job] = {}


def register(
    name: str, function: JobFunction, *, daily_at: str | None = None, every: datetime.timedelta | None = None
) -> None:
    """Run ``function`` once a day at ``daily_at`` ("HH:MM", local time) or once every ``every`` (at least a second).

    Registering a name again replaces it, so ``ready()`` may run twice.
    """
    if (daily_at is None) == (every is None):
        raise ValueError(f"Scheduled job {name!r} needs daily_at or every, not both.")
    if every is not None and every.total_seconds() < 1:
        raise ValueError(f"Scheduled job {name!r} must run at most once a second.")
    if len(name) > 100:
        raise ValueError(f"Scheduled job name {name!r} is longer than 100 characters.")
    at = datetime.time.fromisoformat(daily_at) if daily_at is not None else None
    _registry[name] = Job(name=name, function=function, daily_at=at, every=every)


def registered() -> dict[str, Job]:
    return dict(_registry)


def run_due(now: datetime.datetime | None = None) -> list[str]:
    """Claim and enqueue every job whose current slot has not run yet; returns the names this call claimed."""
    now = now or timezone.now()
    claimed = []
    for name in sorted(_registry):
        slot = _registry[name].slot(now)
        if slot is None:
            continue
        key, began = slot
        # Most calls find the slot taken: asking first spares PostgreSQL's log a unique violation a minute.
        if ScheduledRun.objects.filter(name=name, slot=key).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=name, slot=key)
                result = run_scheduled.enqueue(name, key, began.isoformat())
                ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
        except IntegrityError:
            continue  # another worker's insert won
        logger.info("Scheduled job %s claimed for %s", name, key)
        claimed.append(name)
    return claimed


@task()
def run_scheduled(name: str, slot: str, began: str) -> None:
    """The job a won ``ScheduledRun`` enqueued. Not retried: a failure shows as a failed job (and in the metrics),
    and the next slot runs as usual."""
    job = _registry.get(name)
    if job is None:
        raise LookupError(f"No scheduled job is registered as {name!r}.")
    outcome = job.function(datetime.datetime.fromisoformat(began))
    logger.info("Scheduled job %s for %s done: %s", name, slot, outcome)


def prune_runs(now: datetime.datetime) -> int:
    """Forget claims older than ``SCHEDULE_KEEP_DAYS``; an interval job leaves a row per slot."""
    cutoff = now - datetime.timedelta(days=settings.SCHEDULE_KEEP_DAYS)
    deleted, _ = ScheduledRun.objects.filter(claimed_at__lt=cutoff).delete()
    return deleted
