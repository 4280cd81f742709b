from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fagnett.cases.models import Case, CommonCase, Consultation, EscalationTarget
from fagnett.core.forms import MultiLineField, PlainSelect, SingleLineField, choice, model_choice, set_prompt
from fagnett.core.locking import NO_VERSION, VersionedForm
from fagnett.core.uploads import check_upload
from fagnett.networks.forms import DateInput
from fagnett.topics.selectors import topic_choices

ATTACHMENT_HELP = _("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG or text, at most 10 MB each.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files, each checked for size and type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        errors = []
        for upload in cleaned:
            try:
                check_upload(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class LockedForm(VersionedForm):
    """A step on a case; carries the version of the case the person saw."""


def _free_text(label: Any, *, required: bool = True, rows: int = 4, help_text: Any = "") -> forms.CharField:
    return MultiLineField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CaseSubmitForm(forms.ModelForm):
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Case.objects.none(),
        required=False,
        empty_label=_("I don't know which network"),
        help_text=_("If you do not know, the regional coordinator sends the case to the right network."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False, help_text=ATTACHMENT_HELP)

    class Meta:
        model = Case
        fields = ["title", "description", "wanted", "due_date", "trust"]
        labels = {"trust": _("Your health trust")}
        help_texts = {
            "description": _("Describe the matter. Never write patient data such as names or identity numbers."),
            "wanted": _("What you want from the network: advice, a procedure, a decision …"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "wanted": forms.Textarea(attrs={"rows": 3}),
            "due_date": DateInput(),
        }

    def __init__(self, *args: Any, networks: Any, trusts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "network").queryset = networks
        self.fields["network"].label_from_instance = lambda n: f"{n.name} ({n.region.short_name})"  # type: ignore[attr-defined]
        model_choice(self, "trust").queryset = trusts
        set_prompt(self, "trust", _("Not from a health trust"))
        self.order_fields(["network", "title", "description", "wanted", "due_date", "trust", "attachments"])


class TaskForm(forms.ModelForm):
    """A task from the region (oppdrag) to one or more networks: the case each network gets.

    Progress adds the reporting schedule to it (``progress.forms.ScheduledTaskForm``), on the page it serves.
    """

    networks = forms.ModelMultipleChoiceField(
        label=_("Networks"), queryset=Case.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Case
        fields = ["title", "description", "wanted", "due_date"]
        labels = {"due_date": _("Deadline")}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "wanted": forms.Textarea(attrs={"rows": 3}),
            "due_date": DateInput(),
        }

    def __init__(self, *args: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "networks").queryset = networks
        self.fields["due_date"].required = True

    def clean_networks(self) -> list[Any]:
        networks = list(self.cleaned_data["networks"])
        if len({n.region_id for n in networks}) > 1:
            raise ValidationError(_("Choose networks in one region."))
        return networks


class CommonCaseForm(forms.ModelForm):
    all_networks = forms.BooleanField(label=_("Send to all the region's networks"), required=False)
    networks = forms.ModelMultipleChoiceField(
        label=_("Or choose networks"),
        queryset=Case.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CommonCase
        fields = ["region", "title", "description", "wanted", "due_date"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "wanted": forms.Textarea(attrs={"rows": 3}),
            "due_date": DateInput(),
        }

    def __init__(self, *args: Any, regions: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "region").queryset = regions
        set_prompt(self, "region", _("Choose a region"))
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()
        model_choice(self, "networks").queryset = networks
        self.order_fields(["region", "title", "description", "wanted", "due_date", "all_networks", "networks"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region, networks = data.get("region"), list(data.get("networks") or [])
        if not data.get("all_networks") and not networks:
            self.add_error("networks", _("Choose networks, or send the case to all the region's networks."))
        if region is not None and any(n.region_id != region.pk for n in networks):
            self.add_error("networks", _("Choose networks in the chosen region."))
        return data


class RouteForm(LockedForm):
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Case.objects.none(), empty_label=_("Choose a network")
    )
    note = _free_text(
        _("Note to the network"),
        required=False,
        rows=3,
        help_text=_("Shown to the network on the case and in the e-mail it gets, for example what to look at first."),
    )

    def __init__(self, *args: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "network").queryset = networks


class RespondForm(LockedForm):
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept the case")), (DECLINE, _("Decline the case"))],
        widget=forms.RadioSelect,
    )
    reason = _free_text(
        _("Reason or note"),
        required=False,
        rows=3,
        help_text=_("Required when declining; the submitter sees it."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.DECLINE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason when declining a case; the submitter will see it."))
        return data


class RecommendForm(LockedForm):
    recommendation = _free_text(_("Recommendation"), rows=6)
    consensus = forms.TypedChoiceField(
        label=_("Did the network reach consensus?"),
        choices=[("yes", _("Yes, consensus")), ("no", _("No consensus: escalate"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    other_view = _free_text(
        _("Other view"),
        required=False,
        help_text=_("Without consensus: the view of those who disagree. Both views go to the decision-maker."),
    )
    escalate_to = forms.ChoiceField(
        label=_("Escalate to"),
        choices=EscalationTarget.choices,
        initial=EscalationTarget.MEDICAL_DIRECTOR,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consensus") is False:
            if not (data.get("other_view") or "").strip():
                self.add_error(
                    "other_view",
                    _("Without consensus, write the other view too, so both reach the medical director."),
                )
            if not data.get("escalate_to"):
                self.add_error("escalate_to", _("Choose who decides."))
        return data


_CONSULTATION_QUESTIONS = {
    Consultation.Kind.USER_INVOLVEMENT: (
        _("Should users (patients and relatives) be involved in this case?"),
        _("The mandate asks for user involvement to be considered in cases that matter for patients and relatives."),
    ),
    Consultation.Kind.SAFETY_SERVICE: (
        _("Must the safety service (verneombud) be consulted?"),
        _("The safety service is consulted and involved in cases that matter for employees."),
    ),
    Consultation.Kind.UNION_REPRESENTATIVES: (
        _("Must the union representatives (tillitsvalgte) be consulted?"),
        _("The union representatives are consulted and involved in cases that matter for employees."),
    ),
}


class ConsultationForm(VersionedForm):
    """One kind of consultation on a case; the service checks what each answer requires."""

    required = forms.TypedChoiceField(
        label=_("Required"),
        choices=[("yes", _("Yes, required")), ("no", _("No, not required"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    not_required_reason = _free_text(
        _("Why it is not required"), required=False, rows=2, help_text=_("Required when the answer is no.")
    )
    status = forms.ChoiceField(
        label=_("Is the consultation done?"),
        choices=[(Consultation.Status.OPEN, _("Not yet: open")), (Consultation.Status.DONE, _("Yes, done"))],
        initial=Consultation.Status.OPEN,
        required=False,
        widget=forms.RadioSelect,
    )
    consulted_on = forms.DateField(label=_("Date of the consultation"), required=False, widget=DateInput())
    consulted = SingleLineField(
        label=_("Who was consulted"),
        max_length=300,
        required=False,
        help_text=_("Roles and trusts, for example: the senior safety representative at UNN."),
    )
    outcome = _free_text(_("What came of it"), required=False, rows=3)

    def __init__(self, *args: Any, kind: str, consultation: Consultation | None = None, **kwargs: Any) -> None:
        if consultation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "required": "yes" if consultation.required else "no",
                    "not_required_reason": consultation.not_required_reason,
                    "status": consultation.status if consultation.required else Consultation.Status.OPEN,
                    "consulted_on": consultation.consulted_on,
                    "consulted": consultation.consulted,
                    "outcome": consultation.outcome,
                    "lock_version": consultation.lock_version,
                },
            )
        else:
            kwargs.setdefault("initial", {"lock_version": NO_VERSION})
        kwargs["prefix"] = kind
        super().__init__(*args, **kwargs)
        self.kind = kind
        question, help_text = _CONSULTATION_QUESTIONS[kind]  # type: ignore[index]
        self.fields["required"].label = question
        self.fields["required"].help_text = help_text


class DecisionForm(LockedForm):
    decision = _free_text(_("Decision"), rows=6, help_text=_("The decision made in the line, as it was made."))


class NoteForm(LockedForm):
    note = _free_text(_("Note"), required=False, rows=3)


class CommentForm(forms.Form):
    text = _free_text(_("Comment"), rows=3)


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("Add attachments"), help_text=ATTACHMENT_HELP)


class CaseFilterForm(forms.Form):
    """The case list's filters. Its choices come ready from ``selectors.case_filter_choices`` (cached per region);
    the network and trust are plain ids, checked against those choices."""

    q = SingleLineField(
        guard=False,
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Words, or a case number such as ANI-2026/014."),
    )
    network = forms.TypedChoiceField(
        label=_("Network"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=PlainSelect)
    trust = forms.TypedChoiceField(
        label=_("Health trust"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None, widget=PlainSelect)
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "network").choices = [("", _("All networks")), *choices.networks]
        choice(self, "trust").choices = [("", _("All health trusts")), *choices.trusts]
        choice(self, "status").choices = [
            ("", _("All statuses")),
            ("open", _("Waiting for the network's answer")),
            *Case.Status.choices,
        ]
        choice(self, "year").choices = [("", _("All years")), *((y, str(y)) for y in choices.years)]


class ResponsibleForm(VersionedForm):
    responsible = forms.TypedChoiceField(label=_("Responsible"), coerce=int)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "responsible").choices = [("", "–"), *((p.pk, str(p)) for p in people)]


class CaseTopicsForm(forms.Form):
    """The case's topics from the region's list (the list's retired topics stay if already on the case)."""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = case.topics.all()
        self.fields["topics"] = forms.ModelMultipleChoiceField(
            label=_("Topics"),
            queryset=topic_choices(region_id=case.region_id, chosen=chosen),
            required=False,
            initial=list(chosen),
            widget=forms.CheckboxSelectMultiple,
        )
