from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fagnett.meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from fagnett.accounts.services import on_access_end
        from fagnett.meetings.services import calendar_feeds_revoke_all

        # A person whose access closes loses their calendar addresses too (accounts cannot import meetings).
        on_access_end(calendar_feeds_revoke_all)
