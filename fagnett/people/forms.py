from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.core.forms import SingleLineField
from fagnett.organisations.models import HealthTrust
from fagnett.people.selectors import APPOINTED_ANYWHERE, NO_ROLE, RHF


class PersonFilterForm(forms.Form):
    q = SingleLineField(
        guard=False,
        label=_("Search"),
        required=False,
        help_text=_("Name, username or e-mail address."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    trust = forms.ChoiceField(label=_("Employed by"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    login = forms.ChoiceField(
        label=_("Logged in"),
        required=False,
        choices=[("", _("Everyone")), ("never", _("Never logged in")), ("ever", _("Has logged in"))],
    )
    status = forms.ChoiceField(
        label=_("Access"),
        required=False,
        choices=[
            ("", _("Everyone")),
            ("active", pgettext_lazy("person", "Active")),
            ("deactivated", _("Deactivated")),
            ("merged", _("Merged into another record")),
        ],
    )

    def __init__(self, *args: Any, trusts: Any, with_rhf: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employers = [("", _("All employers")), *((str(t.pk), t.name) for t in trusts)]
        if with_rhf:
            employers.append((RHF, _("The regional health authority (RHF)")))
        self.fields["trust"].choices = employers  # type: ignore[attr-defined]
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            ("", _("Any role or none")),
            *RegionRole.Role.choices,
            *TrustRole.Role.choices,
            (APPOINTED_ANYWHERE, _("Appointed in a network")),
            (NO_ROLE, _("No role and no appointment")),
        ]


class RegionRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Regional role"), choices=RegionRole.Role.choices)


class TrustRoleForm(forms.Form):
    trust = forms.ModelChoiceField(label=_("Health trust"), queryset=HealthTrust.objects.none(), empty_label=None)
    role = forms.ChoiceField(label=_("Trust role"))

    def __init__(self, *args: Any, trusts: Any, roles: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trust"].queryset = trusts  # type: ignore[attr-defined]
        self.fields["role"].choices = roles  # type: ignore[attr-defined]


class DeactivateForm(forms.Form):
    reason = SingleLineField(
        label=_("Why (kept in the person's history)"),
        required=False,
        max_length=200,
        help_text=_("For example “left the trust 31 March”."),
    )


class MergeSearchForm(forms.Form):
    q = SingleLineField(
        guard=False,
        label=pgettext_lazy("merge", "Find the other record"),
        required=False,
        help_text=_(
            "Name, username or e-mail address. Without a search, records with the same name or address are shown."
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class MergeForm(forms.Form):
    """The confirmation of a merge, with the value the kept record keeps where the two records differ."""

    email = forms.ChoiceField(label=_("E-mail address to keep"), widget=forms.RadioSelect, required=False)
    sso_identifier = forms.ChoiceField(
        label=_("Single sign-on identifier to keep"), widget=forms.RadioSelect, required=False
    )
    confirm = forms.BooleanField(
        label=_("I have checked that the two records are the same person."),
        error_messages={"required": _("Confirm that the two records are the same person.")},
    )

    def __init__(self, *args: Any, kept: User, merged: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("email", "sso_identifier"):
            ours, theirs = getattr(kept, name), getattr(merged, name)
            if ours and theirs and ours.lower() != theirs.lower():
                self.fields[name].choices = [(ours, ours), (theirs, theirs)]  # type: ignore[attr-defined]
                self.fields[name].required = True
                self.initial.setdefault(name, ours)
            else:
                del self.fields[name]
