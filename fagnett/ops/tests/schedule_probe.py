"""Settings and a probe app for running real workers in a test (``test_worker``): the database backend instead of
the test settings' immediate one, and scheduled jobs that write a line for every run to SCHEDULE_PROBE_FILE."""

import datetime
import os
from collections.abc import Callable

from django.apps import AppConfig


def _probe(name: str) -> Callable[[datetime.datetime], None]:
    def write(began: datetime.datetime) -> None:
        with open(os.environ["SCHEDULE_PROBE_FILE"], "a") as probe:  # O_APPEND: lines of two processes stay whole
            probe.write(f"{name} {began.isoformat()} {os.getpid()}\n")

    return write


class ProbeConfig(AppConfig):
    name = "fagnett.ops.tests"
    label = "schedule_probe"

    def ready(self) -> None:
        from fagnett.core import schedule

        schedule.register("probe-daily", _probe("probe-daily"), daily_at="00:00")
        schedule.register("probe-often", _probe("probe-often"), every=datetime.timedelta(seconds=1))
