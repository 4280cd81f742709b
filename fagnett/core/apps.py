import datetime
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def _unicode_lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _sqlite_unicode_lower(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite's LOWER() only folds ASCII; searches must find "Øye" when someone types "øye"."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("lower", 1, _unicode_lower, deterministic=True)


class CoreConfig(AppConfig):
    name = "fagnett.core"
    verbose_name = _("Fagnett")

    def ready(self) -> None:
        # `field__lower__contains=...` is the case-insensitive search that works for æ, ø and å on both databases.
        CharField.register_lookup(Lower)
        TextField.register_lookup(Lower)
        connection_created.connect(_sqlite_unicode_lower, dispatch_uid="fagnett_sqlite_unicode_lower")
        from django.contrib.auth.signals import user_logged_in

        from fagnett.core.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="fagnett_session_started")
        self._schedule_jobs()

    def _schedule_jobs(self) -> None:
        from django.conf import settings
        from django.core.management import call_command

        from fagnett.core import downloads, kept, schedule
        from fagnett.core.digest import digest_send
        from fagnett.core.mail import outbox_sweep
        from fagnett.core.reminders import send_due

        # Every app's reminders (core.reminders' registry), once a day on whichever worker claims the day.
        schedule.register("reminders", send_due, daily_at=settings.REMINDERS_AT)
        # The daily digest of notifications held for those who chose it (core.digest); after the reminders, so a
        # reminder held this morning is in this morning's digest.
        schedule.register("notification-digest", digest_send, daily_at=settings.DIGEST_AT)
        schedule.register("scheduled-runs-prune", schedule.prune_runs, daily_at="03:15")
        # The outbox's sweep: a mail whose worker died, or whose job was lost, is queued again (core.mail).
        schedule.register("mail-sweep", lambda began: outbox_sweep(), every=datetime.timedelta(minutes=5))
        # Background jobs whose worker died are started again (or failed with a message); old downloads deleted.
        schedule.register("downloads-sweep", lambda began: downloads.sweep(), every=datetime.timedelta(minutes=5))
        # Approved files still not kept long after the approval (a worker died) or failed: made again (core.kept).
        schedule.register("kept-files-sweep", lambda began: kept.remake_stalled(), every=datetime.timedelta(hours=1))
        # The job table's finished rows (django_tasks_db keeps them for ever otherwise).
        schedule.register(
            "task-results-prune",
            lambda began: call_command("prune_db_task_results", queue_name="*", min_age_days=14, verbosity=0),
            daily_at="03:30",
        )
