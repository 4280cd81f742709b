from typing import Any

from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fagnett.core.forms import MultiLineField, model_choice
from fagnett.core.locking import VersionedForm
from fagnett.events.models import Event
from fagnett.networks.forms import DateInput
from fagnett.networks.models import Appointment, Network
from fagnett.organisations.models import Region


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class NetworkChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Network) -> str:
        if obj.parent_id is None:
            return obj.name
        return str(
            _("%(name)s (%(kind)s under %(parent)s)")
            % {"name": obj.name, "kind": obj.get_kind_display().lower(), "parent": obj.parent.name}  # type: ignore[union-attr]
        )


def invitable_networks(region: Region, selected: Any = ()) -> QuerySet[Network]:
    """The region's networks that are not closed or merged, and any already chosen; subgroups after their parent."""
    chosen = [n.pk for n in selected]
    return (
        Network.objects.filter(region=region)
        .filter(~Q(status__in=[Network.Status.CLOSED, Network.Status.MERGED]) | Q(pk__in=chosen))
        .select_related("parent")
        .order_by(Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name")
    )


class EventForm(VersionedForm, forms.ModelForm):
    video_link = Event._meta.get_field("video_link").formfield(assume_scheme="https", required=False)
    all_networks = forms.BooleanField(
        label=_("Invite every network, council and working group in the region"),
        required=False,
        help_text=_("Or choose the networks below."),
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "video_link",
            "registration_deadline",
            "capacity",
            "audience",
            "networks",
        ]
        field_classes = {"networks": NetworkChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "registration_deadline": DateInput(),
            "audience": forms.RadioSelect,
            "networks": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        selected = list(self.instance.networks.all()) if self.instance.pk else []
        self.region = region
        model_choice(self, "networks").queryset = invitable_networks(region, selected)
        self.fields["networks"].required = False
        self.fields["networks"].help_text = _("Everyone appointed in them in the roles chosen above is invited.")
        # The order of the page: all networks first, then the list.
        self.order_fields([name for name in self.fields if name not in ("networks", "lock_version")] + ["networks"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("all_networks"):
            data["networks"] = list(self.fields["networks"].queryset)  # type: ignore[attr-defined]
        elif not data.get("networks") and "networks" not in self.errors:
            self.add_error("networks", _("Choose at least one network to invite."))
        return data


class RegistrationForm(forms.Form):
    network = forms.ModelChoiceField(
        label=_("Which network do you come from?"), queryset=Network.objects.none(), empty_label=None
    )
    comment = MultiLineField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example dietary needs."),
    )

    def __init__(self, *args: Any, invitation: list[Appointment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        networks = [a.network_id for a in invitation]
        model_choice(self, "network").queryset = Network.objects.filter(pk__in=networks).order_by("name")
        if len(set(networks)) <= 1:
            self.fields["network"].widget = forms.HiddenInput()
            self.fields["network"].required = False


class CancelForm(forms.Form):
    reason = MultiLineField(
        label=_("Why is the event cancelled?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reason goes to everyone invited."),
    )
