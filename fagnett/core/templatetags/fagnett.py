from typing import Any

from django import forms, template
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from fagnett.core import formatting

register = template.Library()


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    return "input"


@register.simple_tag
def ds_widget(field: forms.BoundField) -> SafeString:
    """Render the widget with Designsystemet's class and the ARIA links to its help and errors."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    attrs: dict[str, Any] = {"class": "ds-input"}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def get_field(form: forms.BaseForm, name: str) -> forms.BoundField:
    """``form|get_field:name`` — a bound field by a name held in a variable."""
    return form[name]


@register.filter
def kroner(amount: Any) -> str:
    """An amount in whole kroner as the language writes it: «12 345 kr» in bokmål, «NOK 12,345» in English."""
    if amount is None or amount == "":
        return "–"
    return gettext("NOK %(amount)s") % {"amount": floatformat(amount, "0g")}


@register.filter
def number(value: Any, digits: int = 0) -> str:
    """``{{ value|number:1 }}``: ``core.formatting.number`` — the language's separators, rounded half-up, "–" for
    None. The same function writes the figure in documents, spreadsheets and charts."""
    if value is None or value == "":
        return formatting.MISSING
    return formatting.number(value, int(digits))


@register.filter
def percent(share: Any, digits: int = formatting.PERCENT_DIGITS) -> str:
    """``{{ share|percent }}``: a share (0–1) as a percentage, ``core.formatting.percent`` ("25,7 %")."""
    if share is None or share == "":
        return formatting.MISSING
    return formatting.percent(share, int(digits))


@register.filter
def day(value: Any, style: str = "DATE_FORMAT") -> str:
    """``{{ value|day }}``: a date as ``core.formatting.date`` writes it ("4. desember 2026")."""
    return formatting.date(value or None, style)
