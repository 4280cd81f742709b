from django.apps import AppConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "fagnett.progress"
    verbose_name = _("Progress on tasks")

    def ready(self) -> None:
        # Imported here: the panel and the reminders read models, which are loaded only once the registry is ready.
        from fagnett.cases import panels
        from fagnett.core import reminders
        from fagnett.progress.panels import PANEL
        from fagnett.progress.reminders import progress_reminders

        panels.register("progress", PANEL)
        reminders.register("progress", lambda now: progress_reminders(timezone.localdate(now)))
