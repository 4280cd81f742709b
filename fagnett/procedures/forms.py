from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fagnett.accounts.models import User
from fagnett.core.forms import SingleLineField, choice, model_choice, set_prompt
from fagnett.core.locking import VersionedForm
from fagnett.networks.forms import DateInput
from fagnett.networks.models import Appointment, Network
from fagnett.procedures.models import Procedure, Status
from fagnett.procedures.services import INITIAL_STATUSES


class ProcedureFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    # Hidden: the year of the counts above the list, kept when the list is filtered.
    year = forms.IntegerField(
        label=_("Counts for the year"), required=False, min_value=2000, max_value=2100, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "kind").choices = [("", _("All kinds")), *Procedure.Kind.choices]
        choice(self, "status").choices = [("", _("All statuses")), *Status.choices]


def _people(network: Network) -> Any:
    """The network's appointed people, and the current responsible person if they are no longer appointed."""
    return (
        User.objects.filter(
            appointments__network=network, appointments__status=Appointment.Status.APPOINTED, is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class ProcedureForm(VersionedForm, forms.ModelForm):
    url = Procedure._meta.get_field("url").formfield(assume_scheme="https")

    class Meta:
        model = Procedure
        fields = ["kind", "title", "url", "responsible", "review_date", "description"]
        widgets = {"review_date": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = _people(network)
        if self.instance.pk and self.instance.responsible_id:
            people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=self.instance.responsible_id)).order_by(
                "first_name", "last_name"
            )
        model_choice(self, "responsible").queryset = people
        set_prompt(self, "responsible", _("No one chosen"))
        self.fields["responsible"].help_text = _("One of the network's appointed people.")
        if not self.instance.pk:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                choices=[(s.value, s.label) for s in INITIAL_STATUSES],
                initial=Status.PROPOSED,
                help_text=_("Register an existing document as published."),
            )
            self.fields["happened_on"] = forms.DateField(
                label=_("Date of the status"), initial=timezone.localdate, widget=DateInput()
            )


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    happened_on = forms.DateField(
        label=_("Date it happened"),
        initial=timezone.localdate,
        widget=DateInput(),
        help_text=_("Today or earlier."),
    )
    note = SingleLineField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(),
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "status").choices = [(s, Status(s).label) for s in procedure.next_statuses]

    def clean_happened_on(self) -> Any:
        value = self.cleaned_data["happened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value
