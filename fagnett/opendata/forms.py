from django import forms
from django.utils.translation import gettext_lazy as _

from fagnett.core.forms import SingleLineField


class RegionApiKeyForm(forms.Form):
    name = SingleLineField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example the name of the analysis portal or of the person responsible for it."),
    )
