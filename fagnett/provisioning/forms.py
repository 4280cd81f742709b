from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fagnett.core.forms import SingleLineField, model_choice
from fagnett.organisations.models import HealthTrust, Region, TrustIdentity
from fagnett.provisioning.selectors import region_trusts


class TrustIdentityForm(forms.Form):
    trust = forms.ModelChoiceField(label=_("Health trust"), queryset=HealthTrust.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Recognised by"), choices=TrustIdentity.Kind.choices)
    value = SingleLineField(
        label=_("Value"),
        max_length=255,
        help_text=_(
            "The e-mail domain (stolav.no), the Entra ID tenant ID, the nine-digit organisation number, or the "
            "organisation or department name exactly as the identity provider sends it."
        ),
    )

    def __init__(self, region: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "trust").queryset = region_trusts(region=region)


class ScimTokenForm(forms.Form):
    name = SingleLineField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example “Entra ID, Helse Midt-Norge’s tenant”."),
    )
