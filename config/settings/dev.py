"""Local development and the demo that ``make run`` serves."""

from config.env import BASE_DIR, env_list, env_str

from .base import *  # noqa: F403

DEBUG = True
# Mail is written to files in this folder instead of being sent (named in the README).
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env_str("FAGNETT_MAIL_DIR", str(BASE_DIR / "var" / "mail"))
# Prometheus on this machine may read /metrics (production: FAGNETT_METRICS_ALLOWED or FAGNETT_METRICS_TOKEN).
METRICS_ALLOWED = env_list("FAGNETT_METRICS_ALLOWED", ["127.0.0.1", "::1"])
