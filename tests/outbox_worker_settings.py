"""Settings of the job workers that tests/test_mail_outbox.py starts (``manage.py db_worker``): the test settings, but
jobs come from the database queue and mail goes over SMTP. The database (DATABASE_URL), the mail server
(EMAIL_HOST, EMAIL_PORT) and the outbox's back-off (FAGNETT_MAIL_*) come from the environment the test gives."""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
