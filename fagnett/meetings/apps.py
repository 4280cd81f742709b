from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fagnett.meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # Imported here: the reminders and services read models, which are loaded only once the registry is ready.
        from fagnett.accounts.services import on_access_end
        from fagnett.core import reminders
        from fagnett.meetings import approved_files, downloads
        from fagnett.meetings.reminders import send_due_reminders
        from fagnett.meetings.services import calendar_feeds_revoke_all

        reminders.register("meetings", send_due_reminders)
        downloads.register()
        approved_files.register()
        # A person whose access closes loses their calendar addresses too (accounts cannot import meetings).
        on_access_end(calendar_feeds_revoke_all)
