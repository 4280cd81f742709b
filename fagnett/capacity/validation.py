"""The rules every capacity entry obeys, whichever way it came in (web form, Excel, API).

``entry_errors`` gives an entry's errors and ``scenario_order_errors`` those of a unit's scenarios in one category
(nothing is saved); ``jump_warnings`` gives warnings the reporter confirms. The forms, the Excel import and the API
call them to place a message on its field, row or index; ``services.capacity_entries_save`` calls them again on
what would be saved (with the unit's other scenarios already saved), so no way in can skip them.
"""

import itertools
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from fagnett.capacity.models import (
    DECIMAL_FIELDS,
    NUMBER_FIELDS,
    CapacityEntry,
    Category,
    RestrictionReason,
    Scenario,
    entry_field,
)
from fagnett.core import formatting

#: A change of this many beds or more is a jump, whatever the unit's size (an absolute jump) …
JUMP_BEDS = 7
#: … and so is a change of this share of the previous number or more, if at least ``RELATIVE_JUMP_MIN_BEDS`` beds
#: (a relative jump: 4 → 10 beds in a small unit, 40 → 20 in a large one).
RELATIVE_JUMP = Decimal("0.5")
RELATIVE_JUMP_MIN_BEDS = 2
JUMP_FIELDS = ("physical_beds", "staffed_beds", "ventilated_beds")
MAX_PERCENT = Decimal("999.9")
#: The longest comment on an entry (the API, the form and the Excel import alike).
COMMENT_MAX_LENGTH = 2000
#: The scenarios from least to most capacity: a unit has at most the beds of the next scenario in each category.
SCENARIO_ORDER = (Scenario.LOW_ACTIVITY, Scenario.NORMAL, Scenario.SURGE_7_DAYS, Scenario.MAX_SURGE)
ORDERED_FIELDS = ("physical_beds", "staffed_beds", "ventilated_beds")


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
    if status and (staffed == 0 or (staffed is None and physical == 0)):
        add("status", _("A cell without staffed beds has no status (available, limited or full): leave it blank."))
    for name in NUMBER_FIELDS:
        value = values.get(name)
        if value is not None and value < 0:
            add(name, _("The number cannot be negative."))
    comment = values.get("comment") or ""
    if len(comment) > COMMENT_MAX_LENGTH:
        add(
            "comment",
            _("The comment is too long: write at most %(limit)s characters (it has %(count)s).")
            % {"limit": COMMENT_MAX_LENGTH, "count": len(comment)},
        )
    return errors


def scenario_order_errors(category: str, by_scenario: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """A unit's beds in one category must not fall from one scenario to the next: low activity ≤ normal operation
    ≤ surge within 7 days ≤ maximum surge, for physical, staffed and ventilated beds.

    ``by_scenario`` holds the values of the scenarios known (blank ones are skipped: each reported number is
    compared with the next one reported). Returns (scenario, field, message) for the later scenario of each pair
    out of order.
    """
    errors: list[tuple[str, str, str]] = []
    for name in ORDERED_FIELDS:
        reported = [(s, by_scenario[s].get(name)) for s in SCENARIO_ORDER if s in by_scenario]
        known = [(s, v) for s, v in reported if v is not None]
        for (lower, low), (higher, high) in itertools.pairwise(known):
            if low > high:
                message = _(
                    "%(category)s, %(field)s: %(low)s in %(lower)s but %(high)s in %(higher)s. A scenario cannot have "
                    "fewer beds than the one before it: low-activity period ≤ normal operation ≤ surge within 7 days "
                    "≤ maximum surge."
                ) % {
                    "category": category,
                    "field": entry_field(name).verbose_name,
                    "low": low,
                    "lower": str(Scenario(lower).label).lower(),
                    "high": high,
                    "higher": str(Scenario(higher).label).lower(),
                }
                errors.append((str(higher), name, message))
    return errors


def is_jump(previous: int, current: int) -> bool:
    """An absolute jump (``JUMP_BEDS`` beds or more) or a relative one (half the previous number or more, if at
    least ``RELATIVE_JUMP_MIN_BEDS`` beds): a big unit's 40 → 30 and a small unit's 4 → 10 both want a second look."""
    change = abs(current - previous)
    if change >= JUMP_BEDS:
        return True
    if change < RELATIVE_JUMP_MIN_BEDS:
        return False
    return previous == 0 or Decimal(change) / previous >= RELATIVE_JUMP


def jump_warnings(values: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    """Big changes from the last round, for the reporter to confirm (not errors)."""
    if not previous:
        return []
    warnings = []
    for name in JUMP_FIELDS:
        old, new = previous.get(name), values.get(name)
        if old is not None and new is not None and is_jump(int(old), int(new)):
            label = entry_field(name).verbose_name
            # half-up like every percentage shown (a Decimal's own format would round half to even)
            change = formatting.percent_of(int(new) - int(old), int(old), 0, sign=True) if int(old) else f"+{int(new)}"
            warnings.append(
                _("%(field)s changed from %(old)s to %(new)s (%(change)s) since the last round.")
                % {"field": str(label).capitalize(), "old": old, "new": new, "change": change}
            )
    return warnings
