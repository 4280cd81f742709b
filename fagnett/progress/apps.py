from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "fagnett.progress"
    verbose_name = _("Progress on tasks")

    def ready(self) -> None:
        # Imported here: the panel reads models, which are loaded only once the registry is ready.
        from fagnett.cases import panels
        from fagnett.progress.panels import PANEL

        panels.register("progress", PANEL)
