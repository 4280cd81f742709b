from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fagnett.capacity.models import (
    DECIMAL_FIELDS,
    NUMBER_FIELDS,
    Assessment,
    CapacityEntry,
    Category,
    Recommendation,
    ReportRound,
    RestrictionReason,
    Scenario,
    UnitProfile,
    entry_field,
)
from fagnett.capacity.selectors import ALL_GROUPS
from fagnett.capacity.validation import ORDERED_FIELDS, entry_errors, scenario_order_errors
from fagnett.core.forms import MultiLineField, SingleLineField, choice, model_choice, set_prompt, without_blank
from fagnett.core.locking import NO_VERSION, VersionedForm
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Hospital, Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class RoundForm(forms.ModelForm):
    class Meta:
        model = ReportRound
        fields = [
            "name",
            "network",
            "period_start",
            "period_end",
            "deadline",
            "low_activity_name",
            "low_activity_start",
            "low_activity_end",
        ]
        widgets = {
            name: DateInput()
            for name in ("period_start", "period_end", "deadline", "low_activity_start", "low_activity_end")
        }

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ModelChoiceField(
            label=_("Region"), queryset=regions, empty_label=_("Choose a region")
        )
        self.order_fields(["region"])
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()
        model_choice(self, "network").queryset = Network.objects.filter(region__in=regions)
        set_prompt(self, "network", _("No network chosen yet"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        if data.get("deadline") and start and data["deadline"] < start:
            self.add_error("deadline", _("The deadline comes before the period starts."))
        low_start, low_end = data.get("low_activity_start"), data.get("low_activity_end")
        if low_start and low_end and low_end < low_start:
            self.add_error("low_activity_end", _("The low-activity period ends before it starts."))
        if (low_start or low_end) and not data.get("low_activity_name"):
            self.add_error("low_activity_name", _("Name the low-activity period, for example summer weeks 28–31."))
        return data


def _number_field(name: str) -> forms.Field:
    model_field = entry_field(name)
    common: dict[str, Any] = {
        "label": str(model_field.verbose_name).capitalize(),
        "required": False,
        "min_value": 0,
        "help_text": model_field.help_text,
    }
    if name in DECIMAL_FIELDS:
        return forms.DecimalField(max_digits=6, decimal_places=1, **common)
    return forms.IntegerField(max_value=100_000, **common)


class EntryForm(forms.Form):
    """One unit's capacity in one bed category and scenario. Blank means not reported, not zero."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    restrictions = forms.MultipleChoiceField(
        label=_("Restriction reasons"),
        required=False,
        choices=RestrictionReason.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = MultiLineField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_jumps = forms.BooleanField(label=_("The numbers are right despite the big changes"), required=False)
    based_on = SingleLineField(guard=False, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, category: str, round_open: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        numbers = {name: _number_field(name) for name in NUMBER_FIELDS}
        if category != Category.K3:
            del numbers["ventilated_beds"]
        self.fields = {**numbers, **self.fields}
        choice(self, "status").choices = [("", _("Not given")), *CapacityEntry.Status.choices]
        if not round_open:
            self.fields["correction_reason"] = MultiLineField(
                label=_("Reason for the correction"),
                help_text=_("The round is closed: the correction is saved as a new version with this reason."),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, messages in entry_errors(self.category, data).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return data

    def values(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.cleaned_data.items() if k not in ("confirm_jumps", "correction_reason", "based_on")
        }


class UnitProfileForm(forms.ModelForm):
    class Meta:
        model = UnitProfile
        fields = ["non_invasive_ventilation", "invasive_ventilation", "ecmo", "renal_replacement", "isolation_rooms"]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in Excel template (.xlsx)"))
    confirm_jumps = forms.BooleanField(
        label=_("The numbers are right despite the big changes"),
        required=False,
        help_text=_("Tick this if the file's big changes from the last round are right."),
    )


def _group_choices() -> list[tuple[str, Any]]:
    return [*Unit.AgeGroup.choices, (ALL_GROUPS, _("All groups (summed)"))]


class GroupForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Patient group"),
        choices=_group_choices,
        required=False,
        help_text=_("Adult units by default: the mandate's bed categories are defined for adults."),
    )


class DashboardForm(GroupForm):
    scenario = forms.ChoiceField(label=_("Scenario"), choices=Scenario.choices, required=False)
    field_order = ["scenario", "group"]


LEVEL_CHOICES = [
    ("unit", _("Unit")),
    ("hospital", _("Hospital")),
    ("trust", _("Health trust")),
    ("region", _("Region")),
]


class DimensioningForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, required=False)
    scenario = forms.ChoiceField(label=_("Scenario"), choices=Scenario.choices, required=False)
    group = forms.ChoiceField(label=_("Patient group"), choices=_group_choices, required=False)
    target = forms.DecimalField(
        label=_("Highest share refused (%)"),
        min_value=0.1,
        max_value=50,
        decimal_places=1,
        required=False,
        help_text=_("Beds needed are the fewest that keep refusals at or under this share."),
    )
    sites = forms.MultipleChoiceField(
        label=_("Hospitals to pool (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pooling is weighed within one hospital. Choose two or more hospitals to see them run as one."),
    )

    def __init__(self, *args: Any, hospitals: Iterable[Hospital] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = self.fields["sites"]
        assert isinstance(sites, forms.MultipleChoiceField)
        sites.choices = [(str(h.pk), h.name) for h in hospitals]


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["trust", "hospital", "category", "scenario", "verdict", "reasons", "actions"]
        widgets = {
            "verdict": forms.RadioSelect,
            "reasons": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, trusts: Any, hospitals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "trust").queryset = trusts
        set_prompt(self, "trust", _("The whole region"))
        hospital = model_choice(self, "hospital")
        hospital.queryset = hospitals
        hospital.label_from_instance = lambda h: f"{h.name} ({h.trust.name})"  # type: ignore[method-assign,assignment]
        set_prompt(self, "hospital", _("The whole trust or region"))
        set_prompt(self, "category", _("Choose a bed category"))
        set_prompt(self, "scenario", _("Choose a scenario"))
        without_blank(self, "verdict")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hospital = data.get("hospital")
        if hospital is not None and data.get("trust") is None:
            data["trust"] = hospital.trust  # a hospital's verdict names its trust (the service checks a trust given)
        return data


class RecommendationForm(VersionedForm, forms.ModelForm):
    """The network's recommendation; the version it was opened on guards against overwriting another's save."""

    consensus = forms.TypedChoiceField(
        label=_("Was the recommendation agreed in consensus?"),
        choices=[("yes", _("Yes, in consensus")), ("no", _("No: there is a dissenting view"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Recommendation
        fields = [
            "summary",
            "competence",
            "preparedness",
            "sustainability",
            "travel",
            "consensus",
            "dissent_by",
            "dissent",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "competence": forms.Textarea(attrs={"rows": 4}),
            "preparedness": forms.Textarea(attrs={"rows": 4}),
            "sustainability": forms.Textarea(attrs={"rows": 4}),
            "travel": forms.Textarea(attrs={"rows": 4}),
            "dissent": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is None:
            # Nothing is saved yet: the form was opened on no version, so a save by someone else meanwhile conflicts.
            self.fields[self.version_field].initial = NO_VERSION
        elif instance.consensus is not None and not self.is_bound:
            self.initial["consensus"] = "yes" if instance.consensus else "no"

    def _post_clean(self) -> None:
        # The service validates and saves (with the version check); the form only parses.
        pass


GRID_FIELDS = ("physical_beds", "staffed_beds", "ventilated_beds", "status")


class GridForm(forms.Form):
    """The unit's whole grid of bed category × scenario at once, for the numbers that matter most.

    Field names are ``<category>__<scenario>__<field>``. A cell left wholly blank that was never
    reported is skipped, so the grid does not create empty entries.
    """

    confirm_jumps = forms.BooleanField(label=_("The numbers are right despite the big changes"), required=False)
    #: The tokens of this round's entries when the grid was opened, "<category>__<scenario>=<token>" by commas.
    based_on = SingleLineField(guard=False, required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, cells: dict[tuple[str, str], Any], existing: dict[tuple[str, str], Any], **kwargs: Any
    ) -> None:
        """``cells`` fill the form (this round's entries, or else the last round's); ``existing`` are this round's."""
        super().__init__(*args, **kwargs)
        self.existing = existing
        grid: dict[str, forms.Field] = {}
        for category in Category.values:
            for scenario, scenario_label in Scenario.choices:
                entry = cells.get((category, scenario))
                for name in GRID_FIELDS:
                    if name == "ventilated_beds" and category != Category.K3:
                        continue
                    label = f"{category}, {scenario_label}: {entry_field(name).verbose_name}"
                    if name == "status":
                        field: forms.Field = forms.ChoiceField(
                            label=label, required=False, choices=[("", "–"), *CapacityEntry.Status.choices]
                        )
                    else:
                        field = forms.IntegerField(label=label, required=False, min_value=0, max_value=100_000)
                        field.widget.attrs["class"] = "ds-input"
                    field.initial = getattr(entry, name) if entry is not None else None
                    grid[f"{category}__{scenario}__{name}"] = field
        self.fields = {**grid, **self.fields}
        self.fields["based_on"].initial = self.tokens_of(existing)

    @staticmethod
    def tokens_of(existing: dict[tuple[str, str], Any]) -> str:
        return ",".join(f"{c}__{s}={entry.token}" for (c, s), entry in sorted(existing.items()))

    def based_on_tokens(self) -> dict[tuple[str, str], str]:
        """Each cell's token when the grid was opened ("" for a cell that had no entry)."""
        tokens = {}
        for part in filter(None, (self.cleaned_data.get("based_on") or "").split(",")):
            cell, _sep, token = part.partition("=")
            category, _sep, scenario = cell.partition("__")
            tokens[(category, scenario)] = token
        return tokens

    def rows(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """Table rows: (category, field label, a bound field per scenario)."""
        rows = []
        for category in Category.values:
            for name in GRID_FIELDS:
                if name == "ventilated_beds" and category != Category.K3:
                    continue
                label = str(entry_field(name).verbose_name).capitalize()
                rows.append((category, label, [self[f"{category}__{s}__{name}"] for s in Scenario.values]))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cells = self.cell_values(data)
        for (category, scenario), values in cells.items():
            for name, messages in entry_errors(category, values).items():
                key = f"{category}__{scenario}__{name}"
                for message in messages:
                    self.add_error(key if key in self.fields else None, message)
        for category in Category.values:
            by_scenario = {
                scenario: {name: getattr(entry, name) for name in ORDERED_FIELDS}
                for (c, scenario), entry in self.existing.items()
                if c == category
            }
            for (c, scenario), values in cells.items():
                if c == category:
                    by_scenario.setdefault(scenario, {}).update({n: values[n] for n in ORDERED_FIELDS if n in values})
            for scenario, name, message in scenario_order_errors(category, by_scenario):
                key = f"{category}__{scenario}__{name}"
                self.add_error(key if key in self.fields else None, message)
        return data

    def cell_values(self, data: dict[str, Any] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """The values of each cell to save: cells never reported and left blank are left out."""
        data = self.cleaned_data if data is None else data
        result = {}
        for category in Category.values:
            for scenario in Scenario.values:
                values = {
                    name: data.get(f"{category}__{scenario}__{name}")
                    for name in GRID_FIELDS
                    if f"{category}__{scenario}__{name}" in self.fields
                }
                values["status"] = values.get("status") or ""
                blank = all(v in (None, "") for v in values.values())
                if blank and self.existing.get((category, scenario)) is None:
                    continue
                if values["status"] != CapacityEntry.Status.LIMITED and values["status"] != CapacityEntry.Status.FULL:
                    entry = self.existing.get((category, scenario))
                    if entry is not None and entry.restrictions:
                        values["restrictions"] = []
                result[(category, scenario)] = values
        return result


class ApiKeyForm(forms.Form):
    trust: "forms.ModelChoiceField[HealthTrust]" = forms.ModelChoiceField(
        label=_("Health trust"), queryset=HealthTrust.objects.none(), empty_label=_("Choose a health trust")
    )
    name = SingleLineField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example the name of the trust's system that reports."),
    )

    def __init__(self, *args: Any, trusts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "trust").queryset = trusts
