from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fagnett.budget.models import Expense, Grant
from fagnett.core.forms import set_prompt
from fagnett.networks.forms import DateInput

AMOUNT_HELP = _("Whole kroner, more than zero.")
AMOUNT_ERRORS = {
    "invalid": _("Write the amount as whole kroner, digits only."),
    "min_value": _("The amount must be more than zero."),
}


class GrantForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = ["amount", "period_start", "period_end", "source", "decision_reference"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}
        help_texts = {"amount": AMOUNT_HELP}
        error_messages = {"amount": AMOUNT_ERRORS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update({"inputmode": "numeric", "min": "1"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


class ExpenseForm(forms.ModelForm):
    class Meta:
        model = Expense
        fields = ["kind", "spent_on", "amount", "description"]
        widgets = {"spent_on": DateInput()}
        help_texts = {"amount": AMOUNT_HELP}
        error_messages = {"amount": AMOUNT_ERRORS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update({"inputmode": "numeric", "min": "1"})
        self.fields["spent_on"].initial = timezone.localdate
        set_prompt(self, "kind", _("Choose the kind of expense"))
        self.fields["spent_on"].help_text = _("The expense is counted against the grant whose period covers this date.")
