"""Settings for the tests that run real ``manage.py db_worker`` processes: the database tasks backend (the test
settings run jobs at once instead), the slow builder, and a quick heartbeat so a dead worker shows in seconds."""

from config.settings.test import *  # noqa: F403
from config.settings.test import INSTALLED_APPS

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
INSTALLED_APPS = [*INSTALLED_APPS, "tests.slow_jobs"]
FAGNETT_DOWNLOADS_HEARTBEAT_SECONDS = 1
FAGNETT_DOWNLOADS_STALE_SECONDS = 8
