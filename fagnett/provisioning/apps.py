from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    name = "fagnett.provisioning"
    verbose_name = _("Sign-in and provisioning")
