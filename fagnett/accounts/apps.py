from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fagnett.accounts"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from fagnett.accounts import checks  # noqa: F401 — registers the single sign-on checks
