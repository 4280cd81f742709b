"""What an import would do, worked out before anything is written: ``plan_import``.

The plan reads the parsed rows (``workbooks.ParsedFile``) against what the region already has and decides, row by
row, whether it creates an object, changes one or leaves one as it is — or names what is wrong with it by file,
sheet, row and column. It only reads the database; the preview shows it and ``services.region_import_run`` carries
it out. Rows are matched to what exists by their keys (a trust by organisation number, a person by e-mail, a
network by name within the region, a meeting by network and date, …), so the same file imported twice changes
nothing the second time. A blank optional cell never clears what Fagnett has.
"""

import datetime
import functools
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Count
from django.db.models.functions import ExtractYear, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.meetings.models import Meeting
from fagnett.networks.models import (
    Appointment,
    AppointmentRole,
    Mandate,
    MeetingForm,
    Network,
    TaskListItem,
    default_period_end,
)
from fagnett.onboarding.schema import SHEETS, YesNo, choice_values
from fagnett.onboarding.workbooks import ParsedFile, ParsedRow, ParsedSheet, Problem, parse_date, parse_time
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from fagnett.organisations.validators import normalise_org_number, validate_org_number, validate_resh_id
from fagnett.procedures.models import Procedure, Status, StatusEvent
from fagnett.procedures.selectors import COMPLETED, REVISED, STARTED
from fagnett.reports.models import COUNTED_REPORT_STATUSES, NetworkReport

CREATED, CHANGED, UNCHANGED = "created", "changed", "unchanged"
#: how many rows of each sheet the preview shows
PREVIEW_ROWS = 5
#: a value written for the RHF itself where a column takes a trust
RHF = "rhf"
#: the rows of a big sheet are looked up in the database this many keys at a time
_CHUNK = 2000
_JSON = DjangoJSONEncoder()


def json_value(value: Any) -> Any:
    """A field's value as JSON keeps it (dates as ISO text, decimals as text), to restore it on undo."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return _JSON.default(value)


@dataclass
class Step:
    """What one object does: created (not saved yet), changed (``before`` → ``after`` by attribute name) or not."""

    sheet: str
    row: int
    action: str
    obj: models.Model
    label: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    region: Region
    problems: list[Problem] = field(default_factory=list)
    #: sheet code → its steps, in the order of its rows
    steps: dict[str, list[Step]] = field(default_factory=lambda: defaultdict(list))
    #: the sheets read, in the order they are handled, with their file
    sheets: list[tuple[ParsedFile, ParsedSheet]] = field(default_factory=list)
    #: row → what it does, per sheet (for the preview)
    row_actions: dict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))
    #: a mandate (new version) → its tasks
    mandate_tasks: dict[int, list[TaskListItem]] = field(default_factory=dict)
    #: a procedure placeholder → the status event that makes it count
    procedure_events: dict[int, StatusEvent] = field(default_factory=dict)
    #: networks created, parents before their sub-groups
    network_levels: list[list[Network]] = field(default_factory=list)
    #: rows that make no object and change none (a year of procedures Fagnett already has), per sheet
    unchanged_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for _file, sheet in self.sheets:
            found = {CREATED: 0, CHANGED: 0, UNCHANGED: self.unchanged_rows.get(sheet.code, 0)}
            for step in self.steps.get(sheet.code, []):
                if not isinstance(step.obj, StatusEvent):  # a procedure's dated change is part of it
                    found[step.action] += 1
            counts[sheet.code] = found
        return counts

    def preview(self) -> dict[str, Any]:
        """What the preview page shows, as JSON: per sheet its counts and its first rows as read."""
        counts = self.counts()
        sheets = []
        for file, sheet in self.sheets:
            spec = SHEETS[sheet.code]
            columns = [c.code for c in spec.columns if c.code in sheet.headers]
            rows = [
                {
                    "row": row.number,
                    "action": self.row_actions[sheet.code].get(row.number, UNCHANGED),
                    "cells": [_previewed(row.values.get(code)) for code in columns],
                }
                for row in sheet.rows[:PREVIEW_ROWS]
            ]
            sheets.append(
                {
                    "code": sheet.code,
                    "file": file.name,
                    "title": sheet.title,
                    "columns": [sheet.header(code) for code in columns],
                    "rows": rows,
                    "total": len(sheet.rows),
                    "counts": counts[sheet.code],
                }
            )
        return {"sheets": sheets}


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)[:200]


def _previewed(value: Any) -> str:
    """A cell as the preview shows it: dates as the templates ask for them (dd.mm.yyyy), times as hh:mm."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return _shown(value)


class _Row:
    """One row being read: typed values from its cells, and a problem for each cell that is wrong."""

    def __init__(self, planner: "_Planner", file: ParsedFile, sheet: ParsedSheet, row: ParsedRow) -> None:
        self.planner, self.file, self.sheet, self.row = planner, file, sheet, row
        self.ok = True

    @property
    def number(self) -> int:
        return self.row.number

    def problem(self, column: str, message: str) -> None:
        self.ok = False
        title = self.sheet.header(column) if column else ""
        self.planner.problems.append(Problem(self.file.name, self.sheet.title, self.row.number, title, message))

    def raw(self, column: str) -> Any:
        return self.row.values.get(column)

    def given(self, column: str) -> bool:
        return self.raw(column) is not None

    def _missing(self, column: str) -> None:
        self.problem(column, _("Fill in this column."))

    def text(self, column: str, model_field: "models.Field[Any, Any]", *, required: bool = False) -> str:
        """The cell's text, cleaned and checked by the model field it goes into (length, identity numbers)."""
        value = self.raw(column)
        if value is None:
            if required:
                self._missing(column)
            return ""
        if isinstance(value, datetime.datetime | datetime.date | datetime.time):
            value = _shown(value)
        text = model_field.to_python(str(value).strip())
        try:
            model_field.run_validators(text)
        except ValidationError as error:
            for message in error.messages:
                self.problem(column, message)
            return ""
        return str(text)

    def integer(
        self, column: str, *, required: bool = False, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        value = self.raw(column)
        if value is None:
            if required:
                self._missing(column)
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            compact = value.replace(" ", "").replace("\u00a0", "")
            value = int(compact) if compact.lstrip("-").isdigit() else value
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(column, _("Write a whole number."))
            return None
        if value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                self.problem(column, _("Write a number of at least %(minimum)s.") % {"minimum": minimum})
            else:
                self.problem(
                    column,
                    _("Write a number from %(minimum)s to %(maximum)s.") % {"minimum": minimum, "maximum": maximum},
                )
            return None
        return value

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw(column)
        if value is None:
            if required:
                self._missing(column)
            return None
        found = parse_date(value)
        if found is None:
            self.problem(column, _("Write a date as dd.mm.yyyy."))
        return found

    def time(self, column: str) -> datetime.time | None:
        value = self.raw(column)
        if value is None:
            return None
        found = parse_time(value)
        if found is None:
            self.problem(column, _("Write a time as hh:mm."))
        return found

    def choice(self, column: str, choices: type[models.TextChoices], *, required: bool = False) -> str:
        value = self.raw(column)
        if value is None:
            if required:
                self._missing(column)
            return ""
        code = choice_values(choices).get(str(value).strip().lower())
        if code is None:
            self.problem(
                column,
                _("%(value)s is not one of %(choices)s.")
                % {"value": value, "choices": ", ".join(str(label) for label in choices.labels)},
            )
            return ""
        return code

    def email(self, column: str, *, required: bool = False) -> str:
        address = self.text(column, User._meta.get_field("email"), required=required)
        return address.lower()


def _field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """A concrete field of ``model``, whose validators a cell's text goes through."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


def _label(obj: models.Model) -> str:
    return str(obj)[:300]


class _Planner:
    def __init__(self, *, region: Region, files: Iterable[ParsedFile], today: datetime.date) -> None:
        self.region = region
        self.today = today
        self.plan = Plan(region)
        self.problems = self.plan.problems
        found: dict[str, tuple[ParsedFile, ParsedSheet]] = {}
        for file in files:
            for code, sheet in file.sheets.items():
                if code in found:
                    other = found[code][0].name
                    self.problems.append(
                        Problem(
                            file.name,
                            sheet.title,
                            0,
                            "",
                            _("The sheet is also in %(file)s: give each sheet once.") % {"file": other},
                        )
                    )
                    continue
                found[code] = (file, sheet)
        self.plan.sheets = [found[code] for code in SHEETS if code in found]
        self.trust_keys: dict[str, HealthTrust] = {}
        self.hospitals: dict[tuple[int, str], Hospital] = {}
        #: names of hospitals whose rows have problems and whose trust is not known either
        self.failed_hospitals: set[str] = set()
        self.tasks: dict[str, TaskListItem] = {}
        self.people: dict[str, User] = {}
        self.networks: dict[str, Network] = {}

    # --- Looking up -----------------------------------------------------------------------------------------------

    def _remember_trust(self, trust: HealthTrust) -> None:
        for key in (
            f"org:{trust.org_number}" if trust.org_number else "",
            f"name:{_key(trust.name)}",
            f"short:{_key(trust.short_name)}",
        ):
            if key:
                self.trust_keys.setdefault(key, trust)

    def trust(
        self, row: _Row, column: str, *, allow_rhf: bool = False, required: bool = False
    ) -> HealthTrust | str | None:
        """The trust a cell names (organisation number, name or short name), ``RHF`` for the region's own authority
        where ``allow_rhf``, or ``None`` for a blank cell (a problem if ``required``)."""
        value = row.raw(column)
        if value is None:
            if required:
                row.problem(column, _("Fill in this column."))
            return None
        text = _key(str(value))
        if text in {RHF, _key(self.region.name), _key(self.region.short_name)}:
            if allow_rhf:
                return RHF
            row.problem(column, _("Name a health trust here, not the RHF."))
            return None
        digits = text.replace(" ", "")
        trust = (
            self.trust_keys.get(f"org:{digits}")
            or self.trust_keys.get(f"name:{text}")
            or self.trust_keys.get(f"short:{text}")
        )
        if trust is None:
            row.problem(
                column,
                _(
                    "Unknown health trust %(trust)s: it is neither on the sheet of health trusts nor one of the "
                    "region's trusts in Fagnett."
                )
                % {"trust": value},
            )
        return trust

    def network(self, row: _Row, column: str = "network", *, required: bool = True) -> Network | None:
        value = row.raw(column)
        if value is None:
            if required:
                row.problem(column, _("Fill in this column."))
            return None
        network = self.networks.get(_key(str(value)))
        if network is None:
            row.problem(
                column,
                _(
                    "Unknown network %(network)s: it is neither on the sheet of networks nor one of the region's "
                    "networks in Fagnett."
                )
                % {"network": value},
            )
        return network

    def _ref(self, obj: models.Model) -> int:
        """An identity for an object that may not be saved yet."""
        return obj.pk if obj.pk is not None else -id(obj)

    def _step(
        self, row: _Row, action: str, obj: models.Model, changes: dict[str, tuple[Any, Any]] | None = None
    ) -> None:
        step = Step(row.sheet.code, row.number, action, obj, _label(obj))
        if changes:
            step.before = {name: json_value(old) for name, (old, _new) in changes.items()}
            step.after = {name: json_value(new) for name, (_old, new) in changes.items()}
        self.plan.steps[row.sheet.code].append(step)
        previous = self.plan.row_actions[row.sheet.code].get(row.number)
        if previous != CREATED:  # a row that creates anything is shown as creating
            self.plan.row_actions[row.sheet.code][row.number] = action if previous != CHANGED else CHANGED

    def _apply_changes(self, row: _Row, obj: models.Model, wanted: dict[str, Any]) -> None:
        """Set the fields that differ (by attribute name for foreign keys) and record the step."""
        changes: dict[str, tuple[Any, Any]] = {}
        for name, value in wanted.items():
            field_ = obj._meta.get_field(name)
            attname = getattr(field_, "attname", name)
            if isinstance(field_, models.ForeignKey):
                current_id = getattr(obj, attname)
                new_id = value.pk if value is not None else None
                if current_id != new_id or (value is not None and value.pk is None):
                    changes[attname] = (current_id, new_id)
                    setattr(obj, name, value)
            elif getattr(obj, name) != value:
                changes[name] = (getattr(obj, name), value)
                setattr(obj, name, value)
        if changes:
            self._step(row, CHANGED, obj, changes)
        else:
            self._step(row, UNCHANGED, obj)

    def _duplicate(self, seen: dict[Any, int], key: Any, row: _Row, column: str, what: str) -> bool:
        if key in seen:
            row.problem(column, _("The same %(what)s is also in row %(row)s.") % {"what": what, "row": seen[key]})
            return True
        seen[key] = row.number
        return False

    def rows(self, code: str) -> Iterable[_Row]:
        for file, sheet in self.plan.sheets:
            if sheet.code == code:
                for parsed in sheet.rows:
                    yield _Row(self, file, sheet, parsed)

    def has(self, code: str) -> bool:
        return any(sheet.code == code for _file, sheet in self.plan.sheets)

    # --- The sheets, in order -------------------------------------------------------------------------------------

    def run(self) -> Plan:
        for trust in HealthTrust.objects.filter(region=self.region):
            self._remember_trust(trust)
        for network in Network.objects.filter(region=self.region):
            self.networks[_key(network.name)] = network
        for task in TaskListItem.objects.filter(region=self.region):
            self.tasks[task.code.lower()] = task
        for hospital in Hospital.objects.filter(trust__region=self.region):
            self.hospitals[(hospital.trust_id, _key(hospital.name))] = hospital
        for code in SHEETS:
            if self.has(code):
                getattr(self, f"_{code}")()
        return self.plan

    def _trusts(self) -> None:
        rows = list(self.rows("trusts"))
        numbers = set()
        for row in rows:
            value = row.raw("org_number")
            if value is not None:
                numbers.add(normalise_org_number(str(value)))
        names = {_key(str(row.raw("name"))) for row in rows if row.given("name")}
        elsewhere = {
            t.org_number: t for t in HealthTrust.objects.exclude(region=self.region).filter(org_number__in=numbers)
        }
        elsewhere_names = set(
            HealthTrust.objects.exclude(region=self.region)
            .annotate(lower=Lower("name"))
            .filter(lower__in=names)
            .values_list("lower", flat=True)
        )
        by_number = {t.org_number: t for t in self.trust_keys.values() if t.org_number}
        by_name = {_key(t.name): t for t in self.trust_keys.values()}
        seen_numbers: dict[Any, int] = {}
        seen_names: dict[Any, int] = {}
        field_ = functools.partial(_field, HealthTrust)
        for row in rows:
            number = ""
            raw = row.raw("org_number")
            if raw is None:
                row.problem("org_number", _("Fill in this column."))
            else:
                try:
                    validate_org_number(str(raw))
                    number = normalise_org_number(str(raw))
                except ValidationError as error:
                    row.problem("org_number", " ".join(error.messages))
            name = row.text("name", field_("name"), required=True)
            short_name = row.text("short_name", field_("short_name"), required=True)
            population = row.integer("population", maximum=10_000_000)
            if number and self._duplicate(seen_numbers, number, row, "org_number", _("organisation number")):
                continue
            if name and self._duplicate(seen_names, _key(name), row, "name", _("name")):
                continue
            if number in elsewhere:
                row.problem("org_number", _("This organisation number belongs to a health trust of another region."))
            if not row.ok:
                # Still known by what the row gives, so rows that name it are not reported as well.
                self._remember_trust(
                    HealthTrust(region=self.region, org_number=number, name=name, short_name=short_name)
                )
                continue
            trust = by_number.get(number)
            if trust is None and name and _key(name) in by_name and not by_name[_key(name)].org_number:
                trust = by_name[_key(name)]  # a trust Fagnett had without its number: the row gives it one
            named = by_name.get(_key(name))
            if named is not None and named is not trust:
                row.problem("name", _("Another health trust of the region already has this name."))
                continue
            if trust is None and _key(name) in elsewhere_names:
                row.problem("name", _("A health trust of another region already has this name."))
                continue
            if trust is None:
                trust = HealthTrust(
                    region=self.region, org_number=number, name=name, short_name=short_name, population=population
                )
                self._step(row, CREATED, trust)
            else:
                wanted: dict[str, Any] = {"org_number": number, "name": name, "short_name": short_name}
                if population is not None:
                    wanted["population"] = population
                self._apply_changes(row, trust, wanted)
            self._remember_trust(trust)

    def _hospitals(self) -> None:
        seen: dict[Any, int] = {}
        field_ = functools.partial(_field, Hospital)
        for row in self.rows("hospitals"):
            trust = self.trust(row, "trust", required=True)
            name = row.text("name", field_("name"), required=True)
            municipality = row.text("municipality", field_("municipality"))
            if not row.ok or not isinstance(trust, HealthTrust):
                if isinstance(trust, HealthTrust) and name:
                    self.hospitals.setdefault((self._ref(trust), _key(name)), Hospital(trust=trust, name=name))
                elif name:
                    self.failed_hospitals.add(_key(name))
                continue
            key = (self._ref(trust), _key(name))
            if self._duplicate(seen, key, row, "name", _("hospital of the same trust")):
                continue
            hospital = self.hospitals.get(key)
            if hospital is None:
                hospital = Hospital(trust=trust, name=name, municipality=municipality)
                self._step(row, CREATED, hospital)
            else:
                self._apply_changes(row, hospital, {"municipality": municipality} if municipality else {})
            self.hospitals[key] = hospital

    def _units(self) -> None:
        existing = {(u.hospital_id, _key(u.name)): u for u in Unit.objects.filter(hospital__trust__region=self.region)}
        rows = list(self.rows("units"))
        resh_ids = {str(row.raw("resh_id")) for row in rows if row.given("resh_id")}
        resh_owner = dict(Unit.objects.filter(resh_id__in=resh_ids).values_list("resh_id", "pk"))
        seen: dict[Any, int] = {}
        seen_resh: dict[Any, int] = {}
        field_ = functools.partial(_field, Unit)
        for row in rows:
            trust = self.trust(row, "trust", required=True)
            hospital_name = row.text("hospital", field_("name"), required=True)
            name = row.text("name", field_("name"), required=True)
            kind = row.choice("kind", Unit.Kind)
            age_group = row.choice("age_group", Unit.AgeGroup)
            resh_id = row.text("resh_id", field_("resh_id"))
            if resh_id:
                try:
                    validate_resh_id(resh_id)
                except ValidationError as error:
                    row.problem("resh_id", " ".join(error.messages))
            if not row.ok or not isinstance(trust, HealthTrust):
                continue
            hospital = self.hospitals.get((self._ref(trust), _key(hospital_name)))
            if hospital is None and _key(hospital_name) in self.failed_hospitals:
                continue  # the hospital's own row is wrong, and named as such: this row would be right with it
            if hospital is None:
                row.problem(
                    "hospital",
                    _("Unknown hospital %(hospital)s of %(trust)s.") % {"hospital": hospital_name, "trust": trust.name},
                )
                continue
            key = (self._ref(hospital), _key(name))
            if self._duplicate(seen, key, row, "name", _("unit of the same hospital")):
                continue
            if resh_id and self._duplicate(seen_resh, resh_id, row, "resh_id", _("RESH id")):
                continue
            unit = existing.get(key) if hospital.pk else None
            if resh_id and resh_id in resh_owner and (unit is None or resh_owner[resh_id] != unit.pk):
                row.problem("resh_id", _("Another unit in Fagnett already has this RESH id."))
                continue
            if unit is None:
                unit = Unit(
                    hospital=hospital,
                    name=name,
                    kind=kind or Unit.Kind.ICU,
                    age_group=age_group or Unit.AgeGroup.ADULT,
                    resh_id=resh_id,
                )
                self._step(row, CREATED, unit)
            else:
                wanted = {k: v for k, v in (("kind", kind), ("age_group", age_group), ("resh_id", resh_id)) if v}
                self._apply_changes(row, unit, wanted)

    def _task_list(self) -> None:
        seen: dict[Any, int] = {}
        field_ = functools.partial(_field, TaskListItem)
        for row in self.rows("task_list"):
            code = row.text("code", field_("code"), required=True)
            title = row.text("title", field_("title"), required=True)
            order = row.integer("order", maximum=32767)
            if self._duplicate(seen, code.lower(), row, "code", _("code")) or not row.ok:
                if code and code.lower() not in self.tasks:
                    self.tasks[code.lower()] = TaskListItem(region=self.region, code=code)
                continue
            task = self.tasks.get(code.lower())
            if task is None:
                task = TaskListItem(region=self.region, code=code, title=title, order=order if order is not None else 0)
                self.tasks[code.lower()] = task
                self._step(row, CREATED, task)
            else:
                wanted: dict[str, Any] = {"title": title}
                if order is not None:
                    wanted["order"] = order
                self._apply_changes(row, task, wanted)

    def _users_by_email(self, addresses: set[str]) -> dict[str, list[User]]:
        found: dict[str, list[User]] = defaultdict(list)
        addresses_list = sorted(addresses)
        for start in range(0, len(addresses_list), _CHUNK):
            chunk = addresses_list[start : start + _CHUNK]
            for user in User.objects.annotate(address=Lower("email")).filter(address__in=chunk).select_related("trust"):
                found[user.email.lower()].append(user)
        return found

    def _regions_of(self, users: Iterable[User]) -> dict[int, set[int]]:
        """The regions each person belongs to: by employer, and for people without one by their roles."""
        regions: dict[int, set[int]] = defaultdict(set)
        unemployed = []
        for user in users:
            if user.trust_id:
                regions[user.pk].add(user.trust.region_id)  # type: ignore[union-attr]
            elif user.region_employer_id:
                regions[user.pk].add(user.region_employer_id)
            else:
                unemployed.append(user.pk)
        if unemployed:
            for user_id, region_id in RegionRole.objects.filter(user_id__in=unemployed).values_list(
                "user_id", "region_id"
            ):
                regions[user_id].add(region_id)
            for user_id, region_id in TrustRole.objects.filter(user_id__in=unemployed).values_list(
                "user_id", "trust__region_id"
            ):
                regions[user_id].add(region_id)
            for user_id, region_id in Appointment.objects.filter(person_id__in=unemployed).values_list(
                "person_id", "network__region_id"
            ):
                regions[user_id].add(region_id)
        return regions

    def _people(self) -> None:
        rows = list(self.rows("people"))
        addresses = {str(row.raw("email")).strip().lower() for row in rows if row.given("email")}
        existing = self._users_by_email(addresses)
        regions = self._regions_of(u for users in existing.values() for u in users)
        usernames: set[str] = set()
        ordered = sorted(addresses)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            usernames.update(
                User.objects.annotate(lower=Lower("username")).filter(lower__in=chunk).values_list("lower", flat=True)
            )
        seen: dict[Any, int] = {}
        field_ = functools.partial(_field, User)
        for row in rows:
            email = row.email("email", required=True)
            first_name = row.text("first_name", field_("first_name"), required=True)
            last_name = row.text("last_name", field_("last_name"), required=True)
            title = row.text("title", field_("title"))
            employer = self.trust(row, "employer", allow_rhf=True, required=True)
            if not row.ok or self._duplicate(seen, email, row, "email", _("e-mail address")):
                if email and email not in self.people:
                    self.people[email] = User(email=email, first_name=first_name, last_name=last_name)
                continue
            matches = existing.get(email, [])
            if len(matches) > 1:
                row.problem(
                    "email",
                    ngettext(
                        "Fagnett has %(count)s person with this address: merge them first.",
                        "Fagnett has %(count)s people with this address: merge them first.",
                        len(matches),
                    )
                    % {"count": len(matches)},
                )
                continue
            trust = employer if isinstance(employer, HealthTrust) else None
            region_employer = self.region if employer == RHF else None
            person = matches[0] if matches else None
            if person is not None and regions.get(person.pk, set()) - {self.region.pk}:
                row.problem(
                    "email", _("%(email)s is already a person of another region in Fagnett.") % {"email": email}
                )
                continue
            if person is None:
                if email in usernames:
                    row.problem("email", _("Another person in Fagnett has this address as their user name."))
                    continue
                person = User(
                    username=email,
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                    title=title,
                    trust=trust,
                    region_employer=region_employer,
                )
                # People log in by single sign-on. What set_unusable_password() stores ("!" and random text), made
                # with one call to the system's generator instead of forty: it took a third of planning 40 000.
                person.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
                self._step(row, CREATED, person)
            else:
                wanted: dict[str, Any] = {
                    "first_name": first_name,
                    "last_name": last_name,
                    "trust": trust,
                    "region_employer": region_employer,
                }
                if title:
                    wanted["title"] = title
                self._apply_changes(row, person, wanted)
            self.people[email] = person

    def _networks(self) -> None:
        rows = list(self.rows("networks"))
        seen: dict[Any, int] = {}
        field_ = functools.partial(_field, Network)
        planned: list[tuple[_Row, Network, dict[str, Any], Any, Any]] = []
        for row in rows:
            name = row.text("name", field_("name"), required=True)
            professional_field = row.text("field", field_("field"), required=True)
            kind = row.choice("kind", Network.Kind)
            status = row.choice("status", Network.Status)
            established_on = row.date("established_on")
            description = row.text("description", field_("description"))
            if not row.ok or self._duplicate(seen, _key(name), row, "name", _("network name")):
                if name and _key(name) not in self.networks:
                    self.networks[_key(name)] = Network(region=self.region, name=name)
                continue
            network = self.networks.get(_key(name))
            wanted: dict[str, Any] = {"field": professional_field}
            for attr, value in (
                ("kind", kind),
                ("status", status),
                ("established_on", established_on),
                ("description", description),
            ):
                if value:
                    wanted[attr] = value
            if network is None:
                network = Network(
                    region=self.region,
                    name=name,
                    kind=kind or Network.Kind.NETWORK,
                    # a network brought in from a spreadsheet exists already: active unless the row says otherwise
                    status=status or Network.Status.ACTIVE,
                    field=professional_field,
                    established_on=established_on,
                    description=description,
                )
                self.networks[_key(name)] = network
            planned.append((row, network, wanted, row.raw("parent"), row.raw("merged_into")))
        # Parents and merges may name a network of a later row: resolved once every row is known.
        for row, network, wanted, parent_name, merged_name in planned:
            for attr, value in (("parent", parent_name), ("merged_into", merged_name)):
                if value is None:
                    continue
                other = self.network(row, attr)
                if other is network:
                    row.problem(attr, _("Choose another network than the network itself."))
                elif other is not None:
                    wanted[attr] = other
            kind, status = wanted.get("kind", network.kind), wanted.get("status", network.status)
            parent = wanted.get("parent", network.parent if network.pk else None)
            if kind in (Network.Kind.COUNCIL, Network.Kind.WORKING_GROUP) and parent is None:
                row.problem("parent", _("A council or working group belongs to a network: name it."))
            if (
                status == Network.Status.MERGED
                and wanted.get("merged_into", network.merged_into if network.pk else None) is None
            ):
                row.problem("merged_into", _("Name the network this one was merged into."))
            if not row.ok:
                continue
            if network.pk is None:
                network.parent = wanted.get("parent")
                network.merged_into = wanted.get("merged_into")
                self._step(row, CREATED, network)
            else:
                self._apply_changes(row, network, wanted)
        self._order_networks(planned)

    def _order_networks(self, planned: list[tuple[_Row, Network, dict[str, Any], Any, Any]]) -> None:
        """New networks in levels: a network comes after the parent and the network it was merged into."""
        new = [network for _row, network, *_ in planned if network.pk is None]
        done: set[int] = set()
        levels = []
        while new:
            level = [
                n for n in new if all(o is None or o.pk is not None or id(o) in done for o in (n.parent, n.merged_into))
            ]
            if not level:
                rows = {id(network): row for row, network, *_ in planned}
                for network in new:
                    rows[id(network)].problem("parent", _("The networks' parents go round in a circle."))
                return
            levels.append(level)
            done.update(id(n) for n in level)
            new = [n for n in new if id(n) not in done]
        self.plan.network_levels = levels

    def _current_mandates(self) -> dict[int, Mandate]:
        current: dict[int, Mandate] = {}
        for mandate in (
            Mandate.objects.filter(network__region=self.region)
            .prefetch_related("tasks")
            .order_by("network_id", "version")
        ):
            current[mandate.network_id] = mandate
        return current

    def _mandates(self) -> None:
        current = self._current_mandates()
        seen: dict[Any, int] = {}
        field_ = functools.partial(_field, Mandate)
        for row in self.rows("mandates"):
            network = self.network(row)
            purpose = row.text("purpose", field_("purpose"), required=True)
            tasks = []
            raw_tasks = row.raw("tasks")
            if raw_tasks is not None:
                for code in str(raw_tasks).replace(";", ",").split(","):
                    if not code.strip():
                        continue
                    task = self.tasks.get(code.strip().lower())
                    if task is None:
                        row.problem(
                            "tasks",
                            _("Unknown task %(code)s: it is not in the region's task list.") % {"code": code.strip()},
                        )
                    else:
                        tasks.append(task)
            specific = row.text("specific_tasks", field_("specific_tasks"))
            start = row.date("period_start", required=True)
            end = row.date("period_end")
            minimum = row.integer("min_meetings", maximum=100)
            form = row.choice("meeting_form", MeetingForm)
            secretariat = self.trust(row, "secretariat")
            archive = self.trust(row, "archive")
            budget = row.integer("budget", maximum=10**11)
            budget_note = row.text("budget_note", field_("budget_note"))
            approved_by = row.text("approved_by", field_("approved_by"))
            approved_on = row.date("approved_on")
            if start and end and end <= start:
                row.problem("period_end", _("The period must end after it starts."))
            if not row.ok or network is None:
                continue
            if self._duplicate(seen, self._ref(network), row, "network", _("network")):
                continue
            values: dict[str, Any] = {
                "purpose": purpose,
                "specific_tasks": specific,
                "period_start": start,
                "period_end": end or default_period_end(start),  # type: ignore[arg-type]
                "min_meetings_per_year": minimum if minimum is not None else 4,
                "meeting_form": form or MeetingForm.DIGITAL,
                "secretariat_trust_id": self._ref(secretariat) if isinstance(secretariat, HealthTrust) else None,
                "archive_trust_id": self._ref(archive) if isinstance(archive, HealthTrust) else None,
                "budget_amount": budget,
                "budget_note": budget_note,
                "approved_by": approved_by,
                "approved_on": approved_on,
            }
            latest = current.get(network.pk) if network.pk else None
            task_ids = {self._ref(t) for t in tasks}
            if (
                latest is not None
                and task_ids == {t.pk for t in latest.tasks.all()}
                and all(getattr(latest, name) == value for name, value in values.items())
            ):
                self._step(row, UNCHANGED, latest)
                continue
            mandate = Mandate(
                network=network,
                version=(latest.version + 1) if latest else 1,
                secretariat_trust=secretariat if isinstance(secretariat, HealthTrust) else None,
                archive_trust=archive if isinstance(archive, HealthTrust) else None,
                change_reason=_("From an import."),
                **{k: v for k, v in values.items() if not k.endswith("_trust_id")},
            )
            self.plan.mandate_tasks[id(mandate)] = tasks
            self._step(row, CREATED, mandate)

    def _appointments(self) -> None:
        rows = list(self.rows("appointments"))
        addresses = {str(row.raw("email")).strip().lower() for row in rows if row.given("email")}
        missing = addresses - set(self.people)
        for address, users in self._users_by_email(missing).items():
            if len(users) == 1:
                self.people.setdefault(address, users[0])
        existing: dict[tuple[int, int, str], list[Appointment]] = defaultdict(list)
        for held in Appointment.objects.filter(network__region=self.region).exclude(status=Appointment.Status.DECLINED):
            existing[(held.network_id, held.person_id, held.role)].append(held)
        seen: dict[Any, int] = {}
        open_rows: dict[Any, int] = {}
        for row in rows:
            email = row.email("email", required=True)
            network = self.network(row)
            role = row.choice("role", AppointmentRole, required=True)
            represents = self.trust(row, "trust", allow_rhf=True)
            start = row.date("start_date")
            end = row.date("end_date")
            if start and end and end < start:
                row.problem("end_date", _("The appointment must end after it starts."))
            person = self.people.get(email) if email else None
            if email and person is None:
                row.problem(
                    "email",
                    _("Unknown person %(email)s: the address is neither on the sheet of people nor in Fagnett.")
                    % {"email": email},
                )
            if not row.ok or network is None or person is None:
                continue
            key = (self._ref(network), self._ref(person), role)
            if self._duplicate(seen, (*key, start), row, "email", _("person, network, role and start")):
                continue
            ended = end is not None and end < self.today
            if not ended and self._duplicate(
                open_rows, key, row, "email", _("person in an open appointment to the same network and role")
            ):
                continue
            if represents is None and role != AppointmentRole.RHF_REPRESENTATIVE:
                trust = person.trust
            else:
                trust = represents if isinstance(represents, HealthTrust) else None
            status = Appointment.Status.ENDED if ended else Appointment.Status.APPOINTED
            candidates = existing.get((network.pk, person.pk, role), []) if network.pk and person.pk else []
            appointment = next((a for a in candidates if a.start_date == start), None)
            if appointment is None and not ended:
                appointment = next(
                    (a for a in candidates if a.status in (Appointment.Status.NOMINATED, Appointment.Status.APPOINTED)),
                    None,
                )
            if appointment is None:
                appointment = Appointment(
                    network=network,
                    person=person,
                    role=role,
                    trust=trust,
                    status=status,
                    start_date=start,
                    end_date=end,
                    decided_at=timezone.now(),
                )
                self._step(row, CREATED, appointment)
            else:
                wanted: dict[str, Any] = {"trust": trust, "status": status}
                if start:
                    wanted["start_date"] = start
                if end:
                    wanted["end_date"] = end
                self._apply_changes(row, appointment, wanted)

    def _meetings(self) -> None:
        rows = list(self.rows("meetings"))
        network_ids = [n.pk for n in self.networks.values() if n.pk]
        existing: dict[tuple[int, datetime.date], list[Meeting]] = defaultdict(list)
        dates = [d for d in (parse_date(row.raw("date")) for row in rows) if d]
        if dates and network_ids:
            zone = timezone.get_current_timezone()
            start = datetime.datetime.combine(min(dates), datetime.time(), zone)
            end = datetime.datetime.combine(max(dates) + datetime.timedelta(days=1), datetime.time(), zone)
            for meeting in Meeting.objects.filter(
                network_id__in=network_ids, starts_at__gte=start, starts_at__lt=end
            ).select_related("network"):
                existing[(meeting.network_id, timezone.localdate(meeting.starts_at))].append(meeting)
        seen: dict[Any, int] = {}
        field_ = functools.partial(_field, Meeting)
        zone = timezone.get_current_timezone()
        for row in rows:
            network = self.network(row)
            day = row.date("date", required=True)
            form = row.choice("form", Meeting.Form, required=True)
            starts = row.time("starts") or datetime.time(9, 0)
            ends = row.time("ends")
            title = row.text("title", field_("title"))
            place = row.text("place", field_("location"))
            if day and day > self.today:
                row.problem("date", _("A meeting held cannot be later than today; plan coming meetings in Fagnett."))
            if not row.ok or network is None or day is None:
                continue
            starts_at = datetime.datetime.combine(day, starts, zone)
            ends_at = datetime.datetime.combine(day, ends, zone) if ends else starts_at + datetime.timedelta(hours=2)
            if ends_at <= starts_at:
                row.problem("ends", _("The meeting must end after it starts."))
                continue
            if self._duplicate(seen, (self._ref(network), day), row, "date", _("network and date")):
                continue
            same_day = existing.get((network.pk, day), []) if network.pk else []
            held = next((m for m in same_day if m.status == Meeting.Status.HELD), None)
            if held is None and same_day:
                row.problem(
                    "date",
                    _(
                        "Fagnett has a meeting of this network on this date that was not held (%(status)s): "
                        "record it as held there, or cancel it."
                    )
                    % {"status": same_day[0].get_status_display()},
                )
                continue
            if held is None:
                meeting = Meeting(
                    network=network,
                    title=title,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    form=form,
                    location=place,
                    status=Meeting.Status.HELD,
                )
                self._step(row, CREATED, meeting)
            else:
                wanted: dict[str, Any] = {"form": form}
                if title:
                    wanted["title"] = title
                if place:
                    wanted["location"] = place
                self._apply_changes(row, held, wanted)

    def _procedures(self) -> None:
        rows = list(self.rows("procedures"))
        kinds = {"started": STARTED, "revised": REVISED, "completed": COMPLETED}
        network_ids = [n.pk for n in self.networks.values() if n.pk]
        existing: dict[tuple[int, int, str, str], int] = defaultdict(int)
        if network_ids:
            events = StatusEvent.objects.filter(procedure__network_id__in=network_ids).annotate(
                year=ExtractYear("happened_on")
            )
            for what, condition in kinds.items():
                for row_ in (
                    events.filter(condition)
                    .values("procedure__network_id", "year", "procedure__kind")
                    .annotate(n=Count("procedure", distinct=True))
                    .order_by()
                ):
                    existing[(row_["procedure__network_id"], row_["year"], row_["procedure__kind"], what)] = row_["n"]
        seen: dict[Any, int] = {}
        for row in rows:
            network = self.network(row)
            year = row.integer("year", required=True, minimum=1990, maximum=self.today.year)
            kind = row.choice("kind", Procedure.Kind) or Procedure.Kind.PROCEDURE
            # A blank count says nothing (as any blank cell); a number is the year's total.
            counts = {what: row.integer(what, maximum=10_000) for what in kinds}
            if not row.ok or network is None or year is None:
                continue
            if self._duplicate(seen, (self._ref(network), year, kind), row, "year", _("network, year and kind")):
                continue
            made = False
            for what, wanted in counts.items():
                if wanted is None:
                    continue
                have = existing.get((network.pk, year, kind, what), 0) if network.pk else 0
                if have > wanted:
                    row.problem(
                        what,
                        _(
                            "Fagnett already records %(have)s for this network and year; the file says %(wanted)s. An "
                            "import adds history, it never removes it."
                        )
                        % {"have": have, "wanted": wanted},
                    )
                    continue
                for number in range(have + 1, wanted + 1):
                    self._procedure_placeholder(row, network, year, kind, what, number, wanted)
                    made = True
            if row.ok and not made:
                self.plan.row_actions["procedures"][row.number] = UNCHANGED
                self.plan.unchanged_rows["procedures"] += 1

    def _procedure_placeholder(
        self, row: _Row, network: Network, year: int, kind: str, what: str, number: int, total: int
    ) -> None:
        labels = {
            "started": _("started"),
            "revised": _("revised"),
            "completed": _("completed"),
        }
        kind_label = Procedure.Kind(kind).label
        procedure = Procedure(
            network=network,
            kind=kind,
            title=_("%(kind)s %(what)s in %(year)s (%(number)s of %(total)s), from the import of history")
            % {"kind": kind_label, "what": labels[what], "year": year, "number": number, "total": total},
            description=_(
                "Recorded by an import of the network's history, so the annual report counts the year's "
                "work. Give it the procedure's real title if you know it."
            ),
        )
        # One dated change that counts as what the row says (procedures.selectors: STARTED, REVISED, COMPLETED).
        happened = min(datetime.date(year, 12, 31), self.today)
        if what == "started":
            procedure.status = Status.IN_PROGRESS
            event = StatusEvent(status=Status.IN_PROGRESS, happened_on=happened)
        elif what == "revised":
            procedure.status = Status.PUBLISHED
            event = StatusEvent(from_status=Status.UNDER_REVISION, status=Status.PUBLISHED, happened_on=happened)
        else:
            procedure.status = Status.PUBLISHED
            event = StatusEvent(status=Status.PUBLISHED, happened_on=happened)
        self.plan.procedure_events[id(procedure)] = event
        self._step(row, CREATED, procedure)

    def _registry(self) -> None:
        rows = list(self.rows("registry"))
        network_ids = [n.pk for n in self.networks.values() if n.pk]
        existing = {(r.network_id, r.year): r for r in NetworkReport.objects.filter(network_id__in=network_ids)}
        seen: dict[Any, int] = {}
        field_ = functools.partial(_field, NetworkReport)
        for row in rows:
            network = self.network(row)
            year = row.integer("year", required=True, minimum=1990, maximum=self.today.year - 1)
            reviewed = row.choice("reviewed", YesNo, required=True)
            note = row.text("note", field_("registry_data_note"))
            if not row.ok or network is None or year is None:
                continue
            if self._duplicate(seen, (self._ref(network), year), row, "year", _("network and year")):
                continue
            report = existing.get((network.pk, year)) if network.pk else None
            flag = reviewed == YesNo.YES
            if report is not None:
                if report.status in COUNTED_REPORT_STATUSES and report.registry_data_reviewed == flag:
                    self._step(row, UNCHANGED, report)
                else:
                    row.problem(
                        "reviewed",
                        _("Fagnett has the network's report for %(year)s; change it there.") % {"year": year},
                    )
                continue
            report = NetworkReport(
                network=network,
                year=year,
                status=NetworkReport.Status.ACCEPTED,
                registry_data_reviewed=flag,
                registry_data_note=note,
            )
            self._step(row, CREATED, report)


def plan_import(*, region: Region, files: Iterable[ParsedFile], today: datetime.date | None = None) -> Plan:
    """What importing ``files`` into ``region`` would do, and every problem with them. Reads, never writes."""
    return _Planner(region=region, files=files, today=today or timezone.localdate()).run()
