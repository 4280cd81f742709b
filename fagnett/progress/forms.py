from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fagnett.cases.forms import TaskForm
from fagnett.core.forms import MultiLineField, choice
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
            choice(self, "region").choices = [("", _("All regions")), *((r.pk, r.name) for r in regions)]
        else:
            del self.fields["region"]


class ScheduledTaskForm(TaskForm):
    """A task from the region (``cases.forms.TaskForm``) with an optional schedule for progress reports."""

    report_interval = forms.IntegerField(
        label=_("Report progress every"),
        required=False,
        min_value=1,
        max_value=52,
        help_text=_(
            "The leader reports status, progress, risks and next steps to the medical director this often. "
            "Leave empty for no schedule."
        ),
    )
    report_unit = forms.ChoiceField(label=_("Weeks or months"), required=False, widget=forms.RadioSelect)
    first_report_due = forms.DateField(label=_("First progress report due"), required=False, widget=DateInput())

    #: the progress service's error keys → this form's fields
    SCHEDULE_FIELDS = {"interval": "report_interval", "unit": "report_unit", "first_due": "first_report_due"}

    def __init__(self, *args: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, networks=networks, **kwargs)
        choice(self, "report_unit").choices = ReportingSchedule.Unit.choices
        self.fields["report_unit"].initial = ReportingSchedule.Unit.MONTHS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        interval, first_due = data.get("report_interval"), data.get("first_report_due")
        if interval is not None or first_due is not None:
            if interval is None and "report_interval" not in self.errors:
                self.add_error("report_interval", _("Say how often progress is reported, or leave both empty."))
            if first_due is None and "first_report_due" not in self.errors:
                self.add_error("first_report_due", _("Give the date of the first report, or leave both empty."))
            if not data.get("report_unit"):
                self.add_error("report_unit", _("Choose weeks or months."))
        return data

    def schedule(self) -> dict[str, Any] | None:
        """The reporting schedule chosen, for ``task_assign``; None when no schedule was asked for."""
        data = self.cleaned_data
        if data.get("report_interval") is None:
            return None
        return {"interval": data["report_interval"], "unit": data["report_unit"], "first_due": data["first_report_due"]}
