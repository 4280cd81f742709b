from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fagnett.meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # Imported here: the reminders read models, which are loaded only once the registry is ready.
        from fagnett.core import reminders
        from fagnett.meetings.reminders import send_due_reminders

        reminders.register("meetings", send_due_reminders)
