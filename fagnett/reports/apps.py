from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "fagnett.reports"
    verbose_name = _("Annual reports")

    def ready(self) -> None:
        from fagnett.reports import downloads, freshness

        downloads.register()
        freshness.connect()
