from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fagnett.accounts.models import User
from fagnett.core.forms import MultiLineField, PlainSelect, SingleLineField, choice, model_choice, set_prompt
from fagnett.core.locking import NO_VERSION, VersionedForm
from fagnett.networks import selectors
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network, default_period_end
from fagnett.organisations.models import HealthTrust


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class _IdChoiceField(forms.TypedChoiceField):
    """A choice of an id among plain ``(id, label)`` choices, read as a model choice reads it (" 1" and "01" are 1),
    and refused in a model choice's words."""

    default_error_messages = {"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]}

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        try:
            return str(int(text))
        except ValueError:
            return text


class NetworkFilterForm(forms.Form):
    """The network list's filters. The regions and fields come as plain choices (``selectors.network_filter_choices``),
    written by ``PlainSelect``: no model instances and no template per option."""

    q = SingleLineField(
        guard=False, label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    region = _IdChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None, widget=PlainSelect)
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=PlainSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=PlainSelect)
    field = forms.ChoiceField(label=_("Professional field"), required=False, widget=PlainSelect)
    concern = forms.ChoiceField(label=_("Needs attention"), required=False, widget=PlainSelect)

    def __init__(
        self, *args: Any, regions: list[tuple[int, str]], fields: list[str], report_year: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "region").choices = [("", _("All regions")), *regions]
        choice(self, "kind").choices = [("", _("All kinds")), *Network.Kind.choices]
        choice(self, "status").choices = [("", _("All statuses")), *Network.Status.choices]
        choice(self, "field").choices = [("", _("All fields")), *((f, f) for f in fields)]
        choice(self, "concern").choices = concern_choices(report_year)


def concern_choices(report_year: int) -> list[tuple[str, Any]]:
    """The network list's "needs attention" filter; the coordinator's region state links to each."""
    return [
        ("", _("All networks")),
        (selectors.CONCERN_BELOW_MINIMUM, _("Fewer meetings held than the minimum so far this year")),
        (
            selectors.CONCERN_REPORT_MISSING,
            _("Annual report for %(year)s not submitted") % {"year": report_year},
        ),
        (
            selectors.CONCERN_MANDATE_EXPIRING,
            ngettext(
                "Mandate ends within %(days)s day", "Mandate ends within %(days)s days", selectors.MANDATE_EXPIRY_DAYS
            )
            % {"days": selectors.MANDATE_EXPIRY_DAYS},
        ),
        (selectors.CONCERN_NO_SECRETARY, _("No secretary appointed")),
        (selectors.CONCERN_TRUST_GAP, _("A health trust without an appointed member")),
    ]


class NominationFilterForm(forms.Form):
    q = SingleLineField(
        guard=False, label=_("Search by name"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.none(), required=False, empty_label=_("All networks")
    )
    trust = forms.ModelChoiceField(
        label=_("Represents"), queryset=HealthTrust.objects.none(), required=False, empty_label=_("All health trusts")
    )
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args: Any, networks: Any, trusts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "status").choices = [("", _("All statuses")), *Appointment.Status.choices]
        model_choice(self, "network").queryset = networks
        model_choice(self, "trust").queryset = trusts
        choice(self, "role").choices = [("", _("All roles")), *AppointmentRole.choices]


class NetworkForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Network
        fields = [
            "name",
            "code",
            "field",
            "kind",
            "parent",
            "status",
            "merged_into",
            "established_on",
            "description",
            "minutes_visible_to_region",
        ]
        widgets = {"established_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        """``regions`` are those the person coordinates; a new network is placed in one of them."""
        super().__init__(*args, **kwargs)
        others = Network.objects.filter(region__in=regions).select_related("region")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk).filter(region=self.instance.region_id)
        else:
            self.fields["region"] = forms.ModelChoiceField(
                label=_("Region"), queryset=regions, empty_label=_("Choose a region")
            )
            self.order_fields(["region"])
            if regions.count() == 1:
                self.fields["region"].initial = regions.first()
        model_choice(self, "parent").queryset = others.filter(parent__isnull=True)
        model_choice(self, "merged_into").queryset = others
        set_prompt(self, "parent", _("No parent network"))
        set_prompt(self, "merged_into", _("Not merged"))

    def clean_code(self) -> str:
        return str(self.cleaned_data.get("code") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("region") is not None:
            # The model's clean() compares regions, so the new network needs its region first.
            self.instance.region = data["region"]
        return data


class MandateForm(VersionedForm, forms.ModelForm):
    #: A mandate is a versioned copy: the form carries the number of the version it started from.
    version_field = "base_version"

    class Meta:
        model = Mandate
        fields = [
            "purpose",
            "tasks",
            "specific_tasks",
            "period_start",
            "period_end",
            "min_meetings_per_year",
            "meeting_form",
            "secretariat_trust",
            "archive_trust",
            "budget_amount",
            "budget_note",
            "approved_by",
            "approved_on",
            "change_reason",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 5}),
            "specific_tasks": forms.Textarea(attrs={"rows": 5}),
            "budget_note": forms.Textarea(attrs={"rows": 2}),
            "change_reason": forms.Textarea(attrs={"rows": 2}),
            "tasks": forms.CheckboxSelectMultiple,
            "period_start": DateInput(),
            "period_end": DateInput(),
            "approved_on": DateInput(),
        }
        help_texts = {"period_end": _("Leave empty for the default period of three years.")}

    def __init__(self, *args: Any, network: Network, base_version: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "tasks").queryset = network.region.task_list.all()
        trusts = HealthTrust.objects.filter(region=network.region)
        model_choice(self, "secretariat_trust").queryset = trusts
        model_choice(self, "archive_trust").queryset = trusts
        set_prompt(self, "secretariat_trust", _("No health trust chosen"))
        set_prompt(self, "archive_trust", _("No health trust chosen"))
        self.fields["period_end"].required = False
        self.fields["base_version"].initial = base_version
        self.fields["change_reason"].required = base_version is not None

    def version_of(self, current: Any) -> int:
        return int(current.version) if current is not None else NO_VERSION

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and not end:
            data["period_end"] = default_period_end(start)
        elif start and end and end <= start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data

    def _post_clean(self) -> None:
        # The service builds and validates the new version; the form only checks the fields.
        pass


def _person_label(person: User) -> str:
    title = f", {person.title}" if person.title else ""
    return f"{person}{title} ({person.employer_name})"


class NominationForm(forms.Form):
    person: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none(), empty_label=_("Choose a person")
    )
    role = forms.ChoiceField(label=_("Role"))
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("To"), required=False, widget=DateInput())
    note = MultiLineField(
        label=_("Why this person"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Background, competence and anchoring in the trust's management."),
    )

    def __init__(self, *args: Any, people: Any, allow_rhf: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "person").queryset = people
        self.fields["person"].label_from_instance = _person_label  # type: ignore[attr-defined]
        roles = [
            (v, label) for v, label in AppointmentRole.choices if allow_rhf or v != AppointmentRole.RHF_REPRESENTATIVE
        ]
        choice(self, "role").choices = roles
        self.fields["role"].initial = AppointmentRole.MEMBER

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class DecisionForm(forms.Form):
    APPOINT = "appoint"
    DECLINE = "decline"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPOINT, _("Appoint")), (DECLINE, _("Decline"))],
        widget=forms.RadioSelect,
    )
    start_date = forms.DateField(label=_("Appointed from"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Appointed to"), required=False, widget=DateInput())
    reason = MultiLineField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining; shown to the person who nominated."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason when declining a nomination."))
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class EndAppointmentForm(forms.Form):
    end_date = forms.DateField(label=_("Ends on"), widget=DateInput())
    reason = MultiLineField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
