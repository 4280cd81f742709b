"""Benchmarks (bench/): the production settings, served over plain HTTP on 127.0.0.1.

Everything production does stays on (DEBUG off, Argon2, signed-cookie sessions, CSP, the audit trail,
the database from ``DATABASE_URL`` with ``DB_CONN_MAX_AGE``); only what cannot work on a throwaway loopback server
is changed. ``bench/servers.py`` sets the environment (a known ``DJANGO_SECRET_KEY``, ``DATABASE_URL``) for every
process it starts, so the production settings' own checks run unchanged.
"""

from datetime import timedelta

from config.env import env_bool

from .production import *  # noqa: F403
from .production import DATABASES, STORAGES

# Plain http on 127.0.0.1: no redirect to https, no HSTS, cookies that travel over http.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
ALLOWED_HOSTS = ["127.0.0.1"]

# The whole application plus a bare "ok" view for page-vs-bare ratios.
ROOT_URLCONF = "bench.urls"

# `bench.load --conn-health-checks` sets this; production (config/env.py) has CONN_HEALTH_CHECKS on already, so it
# changes nothing now and is kept for the runs recorded before that.
if env_bool("BENCH_CONN_HEALTH_CHECKS"):
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Plain static names straight from the source folders: no collectstatic step before a run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True

# Mail is built as in production (templates, recipients) but not sent anywhere.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

# Every virtual user logs in once from 127.0.0.1; a typo in a run must not lock out the rest of it.
AXES_FAILURE_LIMIT = 1000
AXES_COOLOFF_TIME = timedelta(minutes=1)

# One line per request would cost more than some pages; warnings and errors still reach the console.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
