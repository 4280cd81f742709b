from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "fagnett.procedures"
    verbose_name = _("Procedures and pathways")

    def ready(self) -> None:
        # Imported here: the reminders read models, which are loaded only once the registry is ready.
        from fagnett.core import reminders
        from fagnett.procedures.reminders import review_reminders

        reminders.register("procedures", review_reminders)
