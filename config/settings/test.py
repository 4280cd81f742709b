"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
# A fast hasher keeps the suite quick; production uses Argon2 (tested in test_settings).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Not the development default, so a test can tell a link built from the setting from one that merely looks local.
FAGNETT_SITE_URL = "https://fagnett.example.no"
# Hashed static names do not exist under live_server; the browser tests need plain names.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
AXES_ENABLED = False
ALLOWED_HOSTS = ["*"]
# Jobs run at once, inside the request that enqueued them, so a test sees their effect; the tests of the queue
# itself (workers, retries, a worker killed mid-job) switch to the database backend and run real workers.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
