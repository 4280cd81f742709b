from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fagnett.core.forms import MultiLineField, SingleLineField, model_choice
from fagnett.core.locking import VersionedForm
from fagnett.networks.forms import DateInput
from fagnett.networks.selectors import task_list
from fagnett.reports.models import RANKED_TASKS, NetworkReport, ReflectionPoint, RegionalReport
from fagnett.reports.selectors import reflection_points
from fagnett.topics.selectors import topic_choices

RANK_LABELS = [_("Most central task"), _("Second most central task"), _("Third most central task")]


class NetworkReportForm(VersionedForm, forms.ModelForm):
    registry_data_reviewed = forms.TypedChoiceField(
        label=_("Were quality-registry, health-atlas or other data reviewed in the network this year?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Results from medical quality registries, the health atlas or other data sources in the field."),
    )
    worked_well_points = forms.ModelMultipleChoiceField(
        label=_("What worked well"),
        queryset=ReflectionPoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what fits; the regional report counts the answers across the networks."),
    )
    improve_points = forms.ModelMultipleChoiceField(
        label=_("What should improve"),
        queryset=ReflectionPoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what fits; the regional report counts the answers across the networks."),
    )

    class Meta:
        model = NetworkReport
        fields = [
            "central_work",
            "registry_data_reviewed",
            "registry_data_note",
            "worked_well_points",
            "worked_well",
            "improve_points",
            "improve",
            "priorities",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("central_work", "registry_data_note", "worked_well", "improve", "priorities")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        report: NetworkReport = self.instance
        region_id = report.network.region_id
        tasks = task_list(region_id=region_id)
        ranked = {r.rank: r.task_id for r in report.rankings.all()} if report.pk else {}
        rank_fields = {}
        for rank in range(1, RANKED_TASKS + 1):
            rank_fields[f"rank_{rank}"] = forms.ModelChoiceField(
                label=RANK_LABELS[rank - 1],
                queryset=tasks,
                required=False,
                initial=ranked.get(rank),
                empty_label=_("– choose a task –"),
                help_text=_("From the list of tasks in the mandate.") if rank == 1 else "",
            )
        # The ranking comes first: it is the question the regional report asks of every network.
        self.fields = {**rank_fields, **self.fields}
        model_choice(self, "worked_well_points").queryset = reflection_points(
            region_id=region_id, kind=ReflectionPoint.Kind.WORKED_WELL
        )
        model_choice(self, "improve_points").queryset = reflection_points(
            region_id=region_id, kind=ReflectionPoint.Kind.IMPROVE
        )
        chosen = report.topics.all() if report.pk else None
        self.fields["topics"] = forms.ModelMultipleChoiceField(
            label=_("Topics the network worked on"),
            queryset=topic_choices(region_id=region_id, chosen=chosen),
            required=False,
            initial=list(chosen) if chosen is not None else [],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("From the region's list. The regional report shows how the topics shift from year to year."),
        )
        value = report.registry_data_reviewed
        self.initial["registry_data_reviewed"] = "" if value is None else ("yes" if value else "no")

    def rankings(self) -> list[Any]:
        return [self.cleaned_data.get(f"rank_{rank}") for rank in range(1, RANKED_TASKS + 1)]


class ReturnForm(forms.Form):
    reason = MultiLineField(
        label=_("What should the network change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RegionalReportForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = RegionalReport
        fields = ["introduction", "status_text", "activities", "central_work", "priorities", "support", "summary"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}
        help_texts = {
            "introduction": _("Blank lines separate paragraphs. The report adds how many networks reported."),
            "activities": _("After figure 1 and the numbers on meetings: what the networks say about them."),
            "central_work": _("After figure 2 and the numbers on procedures, pathways and registry data."),
        }


class ApproveForm(VersionedForm):
    approved_by_body = SingleLineField(
        label=_("Approved by"),
        max_length=200,
        initial=_("the regional medical directors' network"),
    )
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput(), initial=timezone.localdate)
