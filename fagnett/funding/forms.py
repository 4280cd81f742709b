from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from fagnett.budget.forms import AMOUNT_ERRORS
from fagnett.budget.models import Expense
from fagnett.core.forms import choice
from fagnett.core.locking import VersionedForm
from fagnett.funding.models import Application, BudgetLine, FundingCall
from fagnett.funding.services import MAX_LINES
from fagnett.networks.forms import DateInput
from fagnett.networks.models import Network
from fagnett.organisations.models import Region

NEW_GROUP = "new"


def _field(model: Any, name: str, **kwargs: Any) -> Any:
    """The model field's form field, so labels, help and the identity-number guard come along."""
    return model._meta.get_field(name).formfield(**kwargs)


def _numeric(field: forms.Field) -> None:
    field.widget.attrs.update({"inputmode": "numeric", "min": "1"})


class CallForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = FundingCall
        fields = ["year", "title", "deadline", "description", "amount_available", "status"]
        widgets = {
            "deadline": DateInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "status": forms.RadioSelect,
        }
        error_messages = {"amount_available": AMOUNT_ERRORS}

    def __init__(self, *args: Any, regions: list[Region] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["amount_available"].widget.attrs.update({"inputmode": "numeric", "min": "0"})
        if regions is not None and len(regions) > 1:
            self.fields["region"] = forms.ModelChoiceField(
                label=_("Region"), queryset=Region.objects.filter(pk__in=[r.pk for r in regions]).order_by("name")
            )
            self.order_fields(["region"])


class ApplicationForm(VersionedForm):
    applies_for = forms.ChoiceField(label=_("The application is for"), widget=forms.RadioSelect)
    proposed_name = _field(
        Application,
        "proposed_name",
        required=False,
        help_text=_("Only for a new group: the name of the network it wants to become."),
    )
    proposed_field = _field(Application, "proposed_field", required=False, help_text=_("Only for a new group."))
    purpose = _field(Application, "purpose", widget=forms.Textarea(attrs={"rows": 4}))
    activities = _field(Application, "activities", widget=forms.Textarea(attrs={"rows": 5}))
    programme = _field(Application, "programme", widget=forms.Textarea(attrs={"rows": 4}))
    period_start = _field(Application, "period_start", widget=DateInput())
    period_end = _field(Application, "period_end", widget=DateInput())

    def __init__(self, *args: Any, networks: list[Network], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.networks = {str(n.pk): n for n in networks}
        choices: list[tuple[str, Any]] = [(key, network.name) for key, network in self.networks.items()]
        choices.append((NEW_GROUP, _("A new group that wants to become a network")))
        choice(self, "applies_for").choices = choices
        if len(choices) == 1:
            self.fields["applies_for"].widget = forms.HiddenInput()
            self.fields["applies_for"].initial = NEW_GROUP
        else:
            self.fields["applies_for"].help_text = _(
                "You may apply for a network you lead or keep the secretariat of, or for a new group."
            )
        if not editing:
            del self.fields["lock_version"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("applies_for") == NEW_GROUP:
            for name in ("proposed_name", "proposed_field"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("A new group must give this."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data

    @property
    def network(self) -> Network | None:
        return self.networks.get(self.cleaned_data.get("applies_for", ""))


class BudgetLineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "–"), *Expense.Kind.choices])
    description = _field(BudgetLine, "description", required=False)
    amount = forms.IntegerField(label=_("Amount (NOK)"), required=False, min_value=1, error_messages=AMOUNT_ERRORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _numeric(self.fields["amount"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank(data) or self.errors:
            return data
        if not data.get("kind"):
            self.add_error("kind", _("Choose the kind of cost."))
        if not (data.get("description") or "").strip():
            self.add_error("description", _("Say what the money is for."))
        if data.get("amount") is None:
            self.add_error("amount", _("Give the amount."))
        return data

    @staticmethod
    def is_blank(data: dict[str, Any]) -> bool:
        return not data.get("kind") and not (data.get("description") or "").strip() and data.get("amount") is None


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this line")


def line_formset_class(extra: int) -> type[BaseLineFormSet]:
    return forms.formset_factory(  # type: ignore[return-value]
        BudgetLineForm,
        formset=BaseLineFormSet,
        extra=extra,
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_LINES,
        validate_max=True,
    )


class EndorseForm(VersionedForm):
    ENDORSE = "endorse"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Your answer"),
        widget=forms.RadioSelect,
        choices=[(ENDORSE, _("Endorse the application")), (RETURN, _("Send it back to the applicant"))],
    )
    reason = _field(
        Application,
        "returned_reason",
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you send the application back: say what must change."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the application is sent back."))
        return data


class DecisionForm(VersionedForm):
    GRANT = "grant"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[(GRANT, _("Grant")), (DECLINE, _("Decline"))],
    )
    amount_granted = forms.IntegerField(
        label=_("Amount granted (NOK)"),
        required=False,
        min_value=1,
        error_messages=AMOUNT_ERRORS,
    )
    decision_reference = _field(Application, "decision_reference", help_text=_("Case number or the decision's date."))
    reason = _field(
        Application,
        "decision_reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the application is declined. Sent to the applicant."),
    )
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.none(),
        required=False,
        empty_label=_("Create a new planned network"),
    )

    def __init__(self, *args: Any, application: Application, applied: int, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applied = applied
        amount = self.fields["amount_granted"]
        amount.initial = applied
        amount.help_text = _("Whole kroner, at most the %(applied)s kr applied for.") % {
            "applied": number_format(applied, force_grouping=True)
        }
        _numeric(amount)
        amount.widget.attrs["max"] = str(applied)
        if application.is_proposal:
            network = self.fields["network"]
            network.queryset = networks  # type: ignore[attr-defined]
            network.empty_label = _("Create a new planned network named %(name)s") % {"name": application.proposed_name}  # type: ignore[attr-defined]
            network.help_text = _(
                "A group that wants to become a network gets its grant as a network: choose an existing network "
                "of the region, or let Fagnett create it as planned when the grant is given."
            )
        else:
            del self.fields["network"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.GRANT:
            amount = data.get("amount_granted")
            if amount is None and "amount_granted" not in self.errors:
                self.add_error("amount_granted", _("Give the amount granted."))
            elif amount is not None and amount > self.applied:
                self.add_error("amount_granted", _("The amount granted cannot be more than the amount applied for."))
        if data.get("decision") == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason the application is declined."))
        return data
