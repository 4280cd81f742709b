"""``manage.py worker``: django_tasks_db's ``db_worker`` with the scheduler (fagnett.core.schedule) beside it.

Run as many as needed on as many hosts: every one asks ``run_due`` about once a minute, and each scheduled job still
runs once per slot (the database decides which worker claims it).
"""

import logging
import os
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker, valid_interval

from fagnett.core.schedule import run_due

logger = logging.getLogger("fagnett.worker")


class Scheduler(threading.Thread):
    """Calls ``run_due`` every ``interval`` seconds. A daemon thread: the worker's shutdown ends it, and a claim cut
    short is an uncommitted transaction the database rolls back."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="fagnett-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            close_old_connections()
            try:
                run_due()
            except Exception:  # the database away for a moment must not end the scheduler: try again next time
                logger.exception("Scheduled jobs could not be claimed")
            finally:
                # Connections are per thread; this one's is not kept open between ticks.
                connections.close_all()
            self.stopped.wait(self.interval)


class SchedulingWorker(Worker):
    def __init__(self, *, schedule_interval: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schedule_interval = schedule_interval

    def run(self) -> None:
        # Started here, not in handle(): with --reload only the child process that runs jobs runs this.
        scheduler = Scheduler(self.schedule_interval) if self.schedule_interval and not self.batch else None
        if scheduler:
            scheduler.start()
        try:
            super().run()
        finally:
            if scheduler:
                scheduler.stopped.set()


class Command(DBWorkerCommand):
    help = "Run a background job worker (django_tasks_db's db_worker) that also starts the scheduled jobs when due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-interval",
            default=60,
            type=valid_interval,
            help="Seconds between two looks for due scheduled jobs; 0 turns the scheduler off (default: %(default)r)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # db_worker's handle() builds its own Worker; this is the same, with the scheduler's.
        self.configure_logging(options["verbosity"])
        reload = options["reload"] and not options["batch"]
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        queue_names = options["queue_name"].split(",")
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SchedulingWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            schedule_interval=options["schedule_interval"],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
