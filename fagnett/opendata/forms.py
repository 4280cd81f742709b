from django import forms
from django.utils.translation import gettext_lazy as _

from fagnett.core.validators import validate_no_national_id


class RegionApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example the name of the analysis portal or of the person responsible for it."),
        validators=[validate_no_national_id],
    )
