from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "fagnett.onboarding"
    verbose_name = _("Onboarding a region")

    def ready(self) -> None:
        from fagnett.onboarding import downloads

        downloads.register()
