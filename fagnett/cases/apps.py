from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fagnett.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from fagnett.cases.recommendations import record_meeting_decisions
        from fagnett.meetings.signals import minutes_approved

        # A capacity recommendation decided in a meeting (cases.recommendations); the uid keeps one connection.
        minutes_approved.connect(record_meeting_decisions, dispatch_uid="cases.recommendation_decisions")
