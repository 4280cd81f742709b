from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backup and restore, and the daily reminders run (management commands run by cron)."""

    name = "fagnett.ops"
