from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "fagnett.funding"
    verbose_name = _("Regional funding")
