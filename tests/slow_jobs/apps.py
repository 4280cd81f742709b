import time
from pathlib import Path
from typing import Any

from django.apps import AppConfig


def slow(owner: Any, params: dict[str, Any], progress: Any) -> Any:
    """Counts to ``steps`` one step a ``pause`` seconds, reporting progress; appends a line to ``marker`` as it
    starts, so the test knows a worker is in the middle of it."""
    from fagnett.core.downloads import Built

    with Path(params["marker"]).open("a") as marker:
        marker.write("started\n")
    steps = int(params["steps"])
    for step in range(steps):
        time.sleep(float(params["pause"]))
        progress(100 * (step + 1) // steps)
    return Built(f"{steps} steps for {owner.username}".encode(), "slow.txt", "text/plain")


class SlowJobsConfig(AppConfig):
    name = "tests.slow_jobs"
    label = "slow_jobs"

    def ready(self) -> None:
        from fagnett.core import downloads

        downloads.register("tests.slow", slow)
