"""Filing a situation report: one transaction that checks permission and the numbers, all or nothing.

The web form, the API and the demo all come through ``situation_report_file``; the checks are in
``situation_errors`` so that the form and the API can name the field before anything reaches the database.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fagnett.accounts.models import User
from fagnett.capacity.models import CATEGORIES
from fagnett.capacity.services import TokenPrincipal
from fagnett.capacity.situation_models import SituationLine, SituationReport
from fagnett.core.permissions import require_perm
from fagnett.organisations.models import Unit

#: More beds than this in one category of one unit is a typing error, not a unit.
MAX_BEDS = 500


@dataclass(frozen=True)
class SituationInput:
    """One bed category of a report as sent: ``None`` where the field was left empty."""

    category: str
    staffed_beds: int | None
    occupied_beds: int | None


def line_errors(line: SituationInput) -> dict[str, list[str]]:
    """What is wrong with one category's numbers, by field ("staffed_beds", "occupied_beds"); empty if nothing."""
    errors: dict[str, list[str]] = {}
    label = line.category
    for name in ("staffed_beds", "occupied_beds"):
        value = getattr(line, name)
        if value is None:
            continue
        if value < 0:
            errors.setdefault(name, []).append(
                _("%(category)s: the number of beds cannot be negative.") % {"category": label}
            )
        elif value > MAX_BEDS:
            errors.setdefault(name, []).append(
                _("%(category)s: at most %(limit)s beds.") % {"category": label, "limit": MAX_BEDS}
            )
    if errors:
        return errors
    if (line.staffed_beds is None) != (line.occupied_beds is None):
        missing = "staffed_beds" if line.staffed_beds is None else "occupied_beds"
        errors[missing] = [
            _("%(category)s: fill in both staffed and occupied beds, or leave both empty.") % {"category": label}
        ]
    elif line.staffed_beds is not None and line.occupied_beds is not None and line.occupied_beds > line.staffed_beds:
        errors["occupied_beds"] = [
            _("%(category)s: occupied beds (%(occupied)s) cannot be more than staffed beds (%(staffed)s).")
            % {"category": label, "occupied": line.occupied_beds, "staffed": line.staffed_beds}
        ]
    return errors


def situation_errors(lines: Sequence[SituationInput]) -> list[tuple[int, str, str]]:
    """Every problem of a report as (index of the line, field, message); an empty list when it may be saved."""
    problems: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if line.category not in CATEGORIES:
            problems.append((index, "category", _("Unknown bed category.")))
            continue
        if line.category in seen:
            problems.append((index, "category", _("%(category)s is sent twice.") % {"category": line.category}))
        seen.add(line.category)
        for name, messages in line_errors(line).items():
            problems += [(index, name, message) for message in messages]
    filled = [line for line in lines if line.staffed_beds is not None or line.occupied_beds is not None]
    if not problems and not filled:
        problems.append((-1, "", _("Fill in the beds of at least one bed category.")))
    return problems


@transaction.atomic
def situation_report_file(
    *,
    user: User | TokenPrincipal,
    unit: Unit,
    lines: Sequence[SituationInput],
    source: str = "web",
    filed_at: datetime.datetime | None = None,
) -> SituationReport:
    """File a unit's situation now. Categories left empty are not part of the report (not zero).

    Raises ``PermissionDenied`` unless the person (or the API key's trust) reports for the unit, and
    ``ValidationError`` naming each problem; nothing is saved then. The unit needs ``hospital__trust`` loaded.
    """
    require_perm(user, "capacity.report_unit", unit)
    problems = situation_errors(lines)
    if problems:
        raise ValidationError([message for _index, _field, message in problems])
    person = user if isinstance(user, User) else None
    report = SituationReport(
        unit=unit,
        filed_at=filed_at or timezone.now(),
        filed_by=person,
        api_token=user.token if isinstance(user, TokenPrincipal) else None,
        source=source,
    )
    report._history_user = person  # type: ignore[attr-defined]  # the audit names the person, also outside a request
    report.save()
    filled = [
        SituationLine(
            report=report, category=line.category, staffed_beds=line.staffed_beds, occupied_beds=line.occupied_beds
        )
        for line in lines
        if line.staffed_beds is not None and line.occupied_beds is not None
    ]
    bulk_create_with_history(filled, SituationLine, default_user=person)
    return report
