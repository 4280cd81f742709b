"""Changes to ICU capacity. Each is one transaction that checks permission.

History (who, when, what) is written by django-simple-history on every save.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fagnett.accounts.models import User
from fagnett.capacity.models import (
    CATEGORIES,
    ENTRY_FIELDS,
    SCENARIOS,
    ApiToken,
    Assessment,
    CapacityEntry,
    Recommendation,
    ReportRound,
    UnitProfile,
)
from fagnett.capacity.validation import ORDERED_FIELDS, entry_errors, scenario_order_errors
from fagnett.core import kept
from fagnett.core.bulk import update_with_history
from fagnett.core.locking import bump_version, check_version, locked_get, locked_update
from fagnett.core.permissions import require_perm
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit

#: rows per INSERT or UPDATE statement when many entries are saved at once
BATCH = 500
#: what saving an entry in place changes
SAVED_IN_PLACE = (*ENTRY_FIELDS, "lock_version", "reported_by", "api_token", "source", "reported_at")

ROUND_FIELDS = (
    "name",
    "network",
    "period_start",
    "period_end",
    "deadline",
    "low_activity_name",
    "low_activity_start",
    "low_activity_end",
)


class TokenPrincipal:
    """Who writes through the API: the trust that owns the key. It may report for that trust's units only."""

    is_authenticated = True
    is_api = True
    pk = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.trust_id = token.trust_id
        self.region_id = token.trust.region_id

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if perm == "capacity.report_unit" and isinstance(obj, Unit):
            return bool(obj.hospital.trust_id == self.trust_id)
        return False


@transaction.atomic
def round_open(*, user: User, region: Region, data: dict[str, Any]) -> ReportRound:
    require_perm(user, "capacity.manage_rounds", region)
    network: Network | None = data.get("network")
    if network is not None and network.region_id != region.pk:
        raise ValidationError({"network": _("Choose a network in the same region.")})
    round_ = ReportRound(region=region, opened_by=user, **{k: data.get(k) for k in ROUND_FIELDS if k in data})
    for name in ("low_activity_name",):
        setattr(round_, name, getattr(round_, name) or "")
    round_.full_clean()
    round_.save()
    return round_


@transaction.atomic
def round_close(*, user: User, round_: ReportRound) -> ReportRound:
    """Lock the round: from now on an entry changes only by a correction with a reason."""
    require_perm(user, "capacity.manage_rounds", round_)
    round_ = ReportRound.objects.select_for_update().get(pk=round_.pk)
    if not round_.is_open:
        raise ValidationError(_("The round is already closed."))
    round_.status = ReportRound.Status.CLOSED
    round_.closed_at = timezone.now()
    round_.save()
    return round_


@dataclass
class EntryInput:
    """One entry to save: which cell, its parsed values, and (after close) why it is corrected."""

    unit: Unit
    category: str
    scenario: str
    values: dict[str, Any]
    correction_reason: str = ""
    label: str = ""  # how errors name the row ("Sheet Capacity, row 7")
    extra: dict[str, Any] = field(default_factory=dict)
    #: The entry's ``token`` when the form was opened ("" if there was none); None for a file or an API call,
    #: which report the numbers as they are now and overwrite knowingly.
    based_on: str | None = None


def _check_cell(item: EntryInput, round_: ReportRound) -> None:
    if item.category not in CATEGORIES or item.scenario not in SCENARIOS:
        raise ValidationError(_("Unknown bed category or scenario."))
    if item.unit.hospital.trust.region_id != round_.region_id:
        raise PermissionDenied


@transaction.atomic
def capacity_entries_save(
    *, user: User | TokenPrincipal, round_: ReportRound, items: Iterable[EntryInput], source: str = "web"
) -> list[CapacityEntry]:
    """Save many entries at once, all or nothing.

    In an open round each entry is changed in place. In a closed round every entry must carry a
    correction reason and becomes a new version; the version it replaces is kept.
    An item whose ``based_on`` no longer matches the saved entry raises ``ConflictError`` (with the entry saved
    now) and nothing is written: two people editing the same cell never overwrite each other silently.
    Units need ``hospital__trust`` loaded.
    """
    round_ = ReportRound.objects.select_for_update().get(pk=round_.pk)
    items = list(items)
    checked_units: set[int] = set()
    for item in items:
        if item.unit.pk not in checked_units:  # a workbook has twelve rows per unit: ask once per unit
            require_perm(user, "capacity.report_unit", item.unit)
            checked_units.add(item.unit.pk)
        _check_cell(item, round_)
        errors = entry_errors(item.category, item.values)
        if errors:
            prefix = f"{item.label}: " if item.label else ""
            raise ValidationError({k: [prefix + m for m in v] for k, v in errors.items()})
        if not round_.is_open and not item.correction_reason.strip():
            raise ValidationError({"correction_reason": _("The round is closed: give a reason for the correction.")})
    existing = {
        (e.unit_id, e.category, e.scenario): e
        for e in CapacityEntry.objects.filter(round=round_, is_current=True, unit__in=checked_units).select_for_update()
    }
    for item in items:
        current = existing.get((item.unit.pk, item.category, item.scenario))
        check_version(current, item.based_on, saved_version=current.token if current is not None else "")
    _check_scenario_order(items, existing)
    # An API key reports on behalf of its trust, not of a person.
    reported_by = user if isinstance(user, User) else None  # an API key reports for its trust, not a person
    now = timezone.now()
    changed: list[CapacityEntry] = []  # saved in place (open round)
    retired: list[CapacityEntry] = []  # replaced by a new version (closed round)
    created: list[CapacityEntry] = []
    saved = []
    for item in items:
        current = existing.get((item.unit.pk, item.category, item.scenario))
        if current is not None and round_.is_open:
            entry = current
            bump_version(entry)  # saved in bulk below, under the row locks taken above
            changed.append(entry)
        else:
            entry = CapacityEntry(round=round_, unit=item.unit, category=item.category, scenario=item.scenario)
            if current is not None:
                entry.version = current.version + 1
                current.is_current = False
                retired.append(current)
            if not round_.is_open:
                entry.correction_reason = item.correction_reason.strip()
            created.append(entry)
        for name in ENTRY_FIELDS:
            if name in item.values:
                setattr(entry, name, item.values[name] if item.values[name] is not None else _blank(name))
        entry.restrictions = sorted(set(entry.restrictions or []))
        entry.reported_by = reported_by
        entry.api_token = getattr(user, "token", None)
        entry.source = source
        entry.reported_at = now
        # entry_errors() has checked the constraints; the database enforces them again on save.
        entry.full_clean(
            exclude=["round", "unit", "reported_by", "api_token"], validate_unique=False, validate_constraints=False
        )
        saved.append(entry)
    # In bulk, history included (the person comes from the request, as with save()): a 5 000-row workbook is a
    # handful of statements instead of 10 000. The old versions stop being current before the new ones exist.
    update_with_history(retired, ["is_current"], batch_size=BATCH)
    update_with_history(changed, SAVED_IN_PLACE, batch_size=BATCH)
    if created:
        bulk_create_with_history(created, CapacityEntry, batch_size=BATCH)
    return saved


def _check_scenario_order(items: list[EntryInput], existing: dict[tuple[int, str, str], CapacityEntry]) -> None:
    """Low activity ≤ normal ≤ surge within 7 days ≤ maximum surge, over what the unit would have once saved:
    the items, and the unit's other scenarios as saved. Only what the items break is refused: an order already
    broken among saved entries (from before the rule) does not block a correction elsewhere."""
    saved: dict[tuple[int, str], dict[str, dict[str, Any]]] = {}
    units = {item.unit.pk: item.unit for item in items}
    for (unit_id, category, scenario), entry in existing.items():
        if unit_id in units:
            saved.setdefault((unit_id, category), {})[scenario] = {n: getattr(entry, n) for n in ORDERED_FIELDS}
    merged = {key: {s: dict(v) for s, v in by_scenario.items()} for key, by_scenario in saved.items()}
    labels: dict[tuple[int, str, str], str] = {}
    for item in items:
        cell = merged.setdefault((item.unit.pk, item.category), {}).setdefault(item.scenario, {})
        cell.update({n: item.values[n] for n in ORDERED_FIELDS if n in item.values})
        labels[(item.unit.pk, item.category, item.scenario)] = item.label
    errors: dict[str, list[str]] = {}
    for (unit_id, category), by_scenario in merged.items():
        before = set(scenario_order_errors(category, saved.get((unit_id, category), {})))
        for scenario, name, message in scenario_order_errors(category, by_scenario):
            if (scenario, name, message) in before:
                continue
            label = labels.get((unit_id, category, scenario)) or units[unit_id].name
            errors.setdefault(name, []).append(f"{label}: {message}")
    if errors:
        raise ValidationError(errors)


def _blank(name: str) -> Any:
    if name in ("status", "comment"):
        return ""
    if name == "restrictions":
        return []
    return None


def capacity_entry_submit(
    *,
    user: User,
    round_: ReportRound,
    unit: Unit,
    category: str,
    scenario: str,
    values: dict[str, Any],
    correction_reason: str = "",
    source: str = "web",
    based_on: str | None = None,
) -> CapacityEntry:
    """Save one unit's capacity in one category and scenario (see ``capacity_entries_save``)."""
    item = EntryInput(unit, category, scenario, values, correction_reason, based_on=based_on)
    return capacity_entries_save(user=user, round_=round_, items=[item], source=source)[0]


@transaction.atomic
def unit_profile_update(*, user: User, unit: Unit, data: dict[str, Any]) -> UnitProfile:
    require_perm(user, "capacity.report_unit", unit)
    profile, _created = UnitProfile.objects.get_or_create(unit=unit)
    for name in ("non_invasive_ventilation", "invasive_ventilation", "ecmo", "renal_replacement", "isolation_rooms"):
        if name in data:
            setattr(profile, name, data[name])
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def assessment_record(
    *,
    user: User,
    round_: ReportRound,
    trust: HealthTrust | None,
    category: str,
    scenario: str,
    verdict: str,
    reasons: str,
    actions: str = "",
    hospital: Hospital | None = None,
) -> Assessment:
    """Record (or replace) the network's verdict for one category, scenario and hospital, trust or the region.

    A hospital's verdict names the hospital's trust as well; a trust chosen with it must be the hospital's."""
    require_perm(user, "capacity.assess_round", round_)
    if hospital is not None:
        if trust is not None and hospital.trust_id != trust.pk:
            raise ValidationError({"hospital": _("Choose a hospital of the chosen trust, or leave the trust empty.")})
        trust = hospital.trust
    if trust is not None and trust.region_id != round_.region_id:
        raise ValidationError({"trust": _("Choose a trust in the round's region.")})
    key = {"round": round_, "trust": trust, "hospital": hospital, "category": category, "scenario": scenario}
    assessment = Assessment.objects.filter(**key).first() or Assessment(**key)
    assessment.verdict = verdict
    assessment.reasons = reasons.strip()
    assessment.actions = actions.strip()
    assessment.assessed_by = user
    assessment.full_clean(exclude=["round", "trust", "hospital", "assessed_by"], validate_unique=False)
    assessment.save()
    return assessment


#: what the network writes on its recommendation (``recommendation_save``'s ``data``)
RECOMMENDATION_FIELDS = (
    "summary",
    "competence",
    "preparedness",
    "sustainability",
    "travel",
    "consensus",
    "dissent_by",
    "dissent",
)


@transaction.atomic
def recommendation_save(
    *, user: User, round_: ReportRound, data: dict[str, Any], lock_version: int | None = None
) -> Recommendation:
    """Write the round's recommendation, or change it while it is a draft or on an agenda.

    ``lock_version`` is the version the person's form was opened on (0 before anything was written): if someone saved
    since, ``ConflictError`` carries what is saved now and nothing is written. Without consensus, who disagrees and
    what they say are required, so the dissent reaches the meeting and the medical director with the recommendation.
    """
    require_perm(user, "capacity.write_recommendation", round_)
    if round_.network_id is None:
        raise ValidationError(_("The round has no assessing network to give a recommendation."))
    current = Recommendation.objects.select_for_update().filter(round=round_).first()
    check_version(current, lock_version)
    if current is not None and not current.is_editable:
        raise ValidationError(_("The recommendation has been decided, so it can no longer be changed."))
    recommendation = current or Recommendation(round=round_)
    for name in RECOMMENDATION_FIELDS:
        if name in data:
            value = data[name]
            setattr(recommendation, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, str] = {}
    if not recommendation.summary:
        errors["summary"] = _("Write what the network recommends.")
    if recommendation.consensus is None:
        errors["consensus"] = _("Say whether the recommendation was agreed in consensus.")
    elif recommendation.consensus:
        # A dissent written before consensus was reached is not part of a consensus recommendation.
        recommendation.dissent_by, recommendation.dissent = "", ""
    else:
        if not recommendation.dissent_by:
            errors["dissent_by"] = _("Without consensus, say who disagrees.")
        if not recommendation.dissent:
            errors["dissent"] = _("Without consensus, write what they disagree with and why.")
    if errors:
        raise ValidationError(errors)
    recommendation.written_by = user
    return locked_update(recommendation)


@transaction.atomic
def recommendation_put_on_agenda(
    *, user: User, recommendation: Recommendation, agenda_item: Any, lock_version: int | None = None
) -> Recommendation:
    """Note the agenda item (for decision) the recommendation was put on. The item is made by the cases app's
    ``cases.recommendations.recommendation_to_agenda``, which may use meetings; a later meeting may take it again."""
    require_perm(user, "capacity.write_recommendation", recommendation)
    current = locked_get(Recommendation.objects, pk=recommendation.pk, expected_version=lock_version)
    if not current.is_editable:
        raise ValidationError(_("The recommendation has been decided already."))
    current.status = Recommendation.Status.ON_AGENDA
    current.agenda_item = agenda_item
    return locked_update(current)


@transaction.atomic
def recommendation_record_meeting_decision(
    *, recommendation: Recommendation, minutes: Any, decision: str
) -> Recommendation:
    """The approved minutes record the network's decision on the recommendation's agenda item: it is decided.

    Called when minutes are approved (by whoever may approve them, which the minutes' workflow checked), also for a
    corrected version, whose decision then replaces the first one; a recommendation already sent keeps what was sent.
    """
    current = locked_get(Recommendation.objects, pk=recommendation.pk)
    if current.status == Recommendation.Status.SENT or not decision.strip():
        return current
    current.status = Recommendation.Status.DECIDED
    current.decided_in = minutes
    current.meeting_decision = decision.strip()
    current.decided_at = minutes.approved_at or timezone.now()
    return locked_update(current)


@transaction.atomic
def recommendation_mark_sent(
    *, user: User, recommendation: Recommendation, case: Any, lock_version: int | None = None
) -> Recommendation:
    """Note the case that took the decided recommendation to the medical director (made by
    ``cases.recommendations.recommendation_send`` in the same transaction)."""
    require_perm(user, "capacity.send_recommendation", recommendation)
    current = locked_get(Recommendation.objects, pk=recommendation.pk, expected_version=lock_version)
    recommendation_check_sendable(current)
    current.status = Recommendation.Status.SENT
    current.case = case
    current.sent_by = user
    current.sent_at = timezone.now()
    sent = locked_update(current)
    # The PDF and DOCX as sent are made by a job after the commit and kept with their checksums (core.kept).
    kept.keep_on_commit(sent, by=user)
    return sent


def recommendation_check_sendable(recommendation: Recommendation) -> None:
    if recommendation.status == Recommendation.Status.SENT:
        raise ValidationError(_("The recommendation has been sent to the medical director already."))
    if recommendation.status != Recommendation.Status.DECIDED:
        raise ValidationError(
            _("The network decides the recommendation in a meeting first: the approved minutes record the decision.")
        )


@transaction.atomic
def api_token_create(*, user: User, trust: HealthTrust, name: str) -> tuple[ApiToken, str]:
    """A new API key for the trust; the key itself is returned once and only its hash is kept."""
    require_perm(user, "capacity.manage_rounds", trust)
    return api_token_issue(trust=trust, name=name)


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """The key stops working at once; revoking a revoked key changes nothing."""
    require_perm(user, "capacity.manage_rounds", token.trust)
    token.revoke()
    return token


def api_token_issue(*, trust: HealthTrust, name: str) -> tuple[ApiToken, str]:
    """Issue a key without a person (the operator's management command)."""
    token = ApiToken(trust=trust, name=name.strip()[:100])
    raw = token.issue()
    token.full_clean(exclude=["trust"])  # the name: one line, no identity number (the command has no form)
    token.save()
    return token, raw


def low_activity_days(round_: ReportRound) -> int:
    if round_.low_activity_start and round_.low_activity_end:
        return (round_.low_activity_end - round_.low_activity_start).days + 1
    return round_.period_days


def default_deadline(period_end: datetime.date) -> datetime.date:
    return period_end + datetime.timedelta(days=14)
