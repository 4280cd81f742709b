"""The test settings with the database backend for jobs, for worker processes started by a test."""

from config.settings.test import *  # noqa: F403
from config.settings.test import INSTALLED_APPS

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
INSTALLED_APPS = [*INSTALLED_APPS, "fagnett.ops.tests.schedule_probe.ProbeConfig"]
# Due every time the test runs, so the real reminders job is claimed as well.
REMINDERS_AT = "00:00"
