from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    name = "fagnett.capacity"
    verbose_name = _("ICU capacity")

    def ready(self) -> None:
        from fagnett.capacity import downloads, freshness, sent_files
        from fagnett.core.freshness import connect

        downloads.register()
        sent_files.register()
        connect(freshness.CAPACITY)
