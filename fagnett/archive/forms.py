import datetime

from django import forms
from django.utils.translation import gettext_lazy as _


class PeriodForm(forms.Form):
    """The period of an archive extract: whole days, start before end, not in the future."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Meetings held and cases received in the period, both days included."),
    )

    def __init__(self, *args: object, today: datetime.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period must end on or after the day it starts."))
        if end and end > self.today:
            self.add_error("end", _("The period cannot end in the future."))
        return cleaned
