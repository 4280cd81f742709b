"""The rules every capacity entry obeys, whichever way it came in (web form, Excel, API).

``entry_errors`` gives errors (nothing is saved); ``jump_warnings`` gives warnings the reporter confirms.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from fagnett.capacity.models import (
    DECIMAL_FIELDS,
    NUMBER_FIELDS,
    CapacityEntry,
    Category,
    RestrictionReason,
    entry_field,
)

#: Up to this many beds a unit counts as small: a change of ``SMALL_UNIT_JUMP`` or more is a jump.
SMALL_UNIT_BEDS = 10
SMALL_UNIT_JUMP = 7
JUMP_FIELDS = ("physical_beds", "staffed_beds", "ventilated_beds")
MAX_PERCENT = Decimal("999.9")


def parse_number(name: str, raw: Any) -> tuple[int | Decimal | None, str | None]:
    """Read one number from a form, a spreadsheet cell or JSON: (value, error). Blank is ``None``, not zero."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        return None, _("Write a number.")
    text = str(raw).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, _("Write a number, not text.")
    if not number.is_finite():
        return None, _("Write a number, not text.")
    if number < 0:
        return None, _("The number cannot be negative.")
    if name in DECIMAL_FIELDS:
        if number >= Decimal("100000"):
            return None, _("The number is too large.")
        return number.quantize(Decimal("0.1")), None
    if number != number.to_integral_value():
        return None, _("Write a whole number.")
    if number > 100_000:
        return None, _("The number is too large.")
    return int(number), None


def entry_errors(category: str, values: dict[str, Any]) -> dict[str, list[str]]:
    """Errors in one entry's values (already parsed), by field name."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    physical, staffed, ventilated = (values.get(n) for n in ("physical_beds", "staffed_beds", "ventilated_beds"))
    if physical is not None and staffed is not None and staffed > physical:
        add("staffed_beds", _("Staffed beds cannot be more than physical beds."))
    if ventilated:
        if category != Category.K3:
            add("ventilated_beds", _("Beds with invasive ventilation are K3 beds: leave this blank for K1 and K2."))
        elif staffed is None or ventilated > staffed:
            add("ventilated_beds", _("Beds with invasive ventilation cannot be more than staffed K3 beds."))
    for name in ("occupancy_mean", "occupancy_p90"):
        if values.get(name) is not None and values[name] > MAX_PERCENT:
            add(name, _("Write the occupancy as a percentage."))
    status = values.get("status") or ""
    if status and status not in CapacityEntry.Status.values:
        add("status", _("Choose available, limited or full."))
    restrictions = values.get("restrictions") or []
    if any(r not in RestrictionReason.values for r in restrictions):
        add("restrictions", _("Choose among staff, rooms, equipment and consumables."))
    if restrictions and status == CapacityEntry.Status.AVAILABLE:
        add("restrictions", _("Restriction reasons belong to a limited or full status."))
    for name in NUMBER_FIELDS:
        value = values.get(name)
        if value is not None and value < 0:
            add(name, _("The number cannot be negative."))
    return errors


def is_jump(previous: int, current: int) -> bool:
    """Small units: a change of 7 or more beds. Larger units: doubling or halving."""
    if previous <= SMALL_UNIT_BEDS and current <= SMALL_UNIT_BEDS:
        return abs(current - previous) >= SMALL_UNIT_JUMP
    return current >= 2 * previous or 2 * current <= previous


def jump_warnings(values: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    """Big changes from the last round, for the reporter to confirm (not errors)."""
    if not previous:
        return []
    warnings = []
    for name in JUMP_FIELDS:
        old, new = previous.get(name), values.get(name)
        if old is not None and new is not None and is_jump(int(old), int(new)):
            label = entry_field(name).verbose_name
            warnings.append(
                _("%(field)s changed from %(old)s to %(new)s since the last round.")
                % {"field": str(label).capitalize(), "old": old, "new": new}
            )
    return warnings
