import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fagnett.accounts.models import User
from fagnett.audit.selectors import LogFilters
from fagnett.core.forms import model_choice
from fagnett.networks.forms import DateInput
from fagnett.networks.models import Network

_BAD_DATE = _("Write a real date, for example 31.01.2026.")


class LogFilterForm(forms.Form):
    """The audit log's filters: who, which network, which days (both included)."""

    person = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, empty_label=_("Everyone")
    )
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.none(), required=False, empty_label=_("All networks")
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput(), error_messages={"invalid": _BAD_DATE})
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _BAD_DATE},
        help_text=_("Both days are included."),
    )

    def __init__(self, *args: Any, people: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "person").queryset = people
        model_choice(self, "network").queryset = networks

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: datetime.date | None = cleaned.get("start")
        end: datetime.date | None = cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day must be on or after the first day."))
        return cleaned

    def filters(self) -> LogFilters:
        data = self.cleaned_data
        return LogFilters(
            person=data["person"].pk if data["person"] else None,
            network=data["network"].pk if data["network"] else None,
            start=data["start"],
            end=data["end"],
        )
