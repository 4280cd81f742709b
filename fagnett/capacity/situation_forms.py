"""The situation report form: two numbers per bed category, made for a phone (a numeric keyboard, big fields)."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from fagnett.capacity.models import Category
from fagnett.capacity.situation_models import SituationReport
from fagnett.capacity.situation_services import MAX_BEDS, SituationInput, line_errors

FIELDS = ("staffed_beds", "occupied_beds")


def _number(label: Any) -> forms.IntegerField:
    field = forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_BEDS,
        error_messages={
            "invalid": gettext_lazy("Write a whole number, such as 8."),
            "min_value": gettext_lazy("The number of beds cannot be negative."),
            "max_value": ngettext_lazy("At most %(limit_value)s bed.", "At most %(limit_value)s beds.", "limit_value"),
        },
    )
    # A numeric keyboard on a phone; the browser's own range check stays off so the server's message is the one read.
    field.widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"})
    field.widget.attrs.pop("min", None)
    field.widget.attrs.pop("max", None)
    return field


class SituationForm(forms.Form):
    """One unit's report: staffed and occupied beds for each of its bed categories, prefilled with its last report."""

    def __init__(self, *args: Any, categories: list[str], latest: SituationReport | None = None, **kwargs: Any) -> None:
        initial: dict[str, Any] = kwargs.pop("initial", None) or {}
        if latest is not None:
            for line in latest.lines.all():
                initial[f"{line.category}-staffed_beds"] = line.staffed_beds
                initial[f"{line.category}-occupied_beds"] = line.occupied_beds
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.categories = categories
        for category in categories:
            # The category in the label too: the error summary and a screen reader's list of fields name it.
            self.fields[f"{category}-staffed_beds"] = _number(_("Staffed beds, %(category)s") % {"category": category})
            self.fields[f"{category}-occupied_beds"] = _number(
                _("Occupied beds, %(category)s") % {"category": category}
            )

    def groups(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        """(code, label, staffed field, occupied field) per category, for the template's fieldsets."""
        return [
            (c, str(Category(c).label), self[f"{c}-staffed_beds"], self[f"{c}-occupied_beds"]) for c in self.categories
        ]

    def lines(self) -> list[SituationInput]:
        data = self.cleaned_data
        return [
            SituationInput(c, data.get(f"{c}-staffed_beds"), data.get(f"{c}-occupied_beds")) for c in self.categories
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        lines = self.lines()
        for line in lines:
            for name, messages in line_errors(line).items():
                for message in messages:
                    # The field's label names the category already ("Occupied beds, K3"): not twice.
                    message = message.removeprefix(f"{line.category}: ")
                    self.add_error(f"{line.category}-{name}", message[:1].upper() + message[1:])
        if not self.errors and all(line.staffed_beds is None and line.occupied_beds is None for line in lines):
            raise forms.ValidationError(_("Fill in the beds of at least one bed category."))
        return cleaned
