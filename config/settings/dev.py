"""Local development and the demo that ``make run`` serves."""

from config.env import BASE_DIR, env_str

from .base import *  # noqa: F403

DEBUG = True
# Mail is written to files in this folder instead of being sent (named in the README).
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env_str("FAGNETT_MAIL_DIR", str(BASE_DIR / "var" / "mail"))
