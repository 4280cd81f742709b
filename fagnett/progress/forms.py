from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fagnett.core.forms import MultiLineField
from fagnett.core.locking import VersionedForm
from fagnett.networks.forms import DateInput
from fagnett.progress.models import ProgressReport, ReportingSchedule


class ScheduleForm(VersionedForm):
    interval = forms.IntegerField(
        label=_("Report progress every"),
        min_value=1,
        max_value=52,
        help_text=_("The leader reports status, progress, risks and next steps to the medical director this often."),
    )
    unit = forms.ChoiceField(
        label=_("Weeks or months"),
        choices=ReportingSchedule.Unit.choices,
        initial=ReportingSchedule.Unit.MONTHS,
        widget=forms.RadioSelect,
    )
    first_due = forms.DateField(label=_("First progress report due"), widget=DateInput())


def _free_text(label: Any, *, required: bool = False, rows: int = 4, help_text: Any = "") -> forms.CharField:
    return MultiLineField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ProgressReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProgressReport.Status.choices, widget=forms.RadioSelect)
    progress = _free_text(
        _("Progress"), required=True, rows=5, help_text=_("What has been done since the last report.")
    )
    risks = _free_text(
        _("Risks"),
        rows=3,
        help_text=_("What may stop the network reaching the goal. Required when at risk or delayed."),
    )
    next_steps = _free_text(_("Next steps"), rows=3, help_text=_("Required unless the task is done."))


class OverviewFilterForm(forms.Form):
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Only overdue reports"), required=False)
    finished = forms.BooleanField(label=_("Show answered and closed tasks too"), required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = list(regions)
        if len(regions) > 1:
            self.fields["region"].choices = [("", _("All regions")), *((r.pk, r.name) for r in regions)]  # type: ignore[attr-defined]
        else:
            del self.fields["region"]
