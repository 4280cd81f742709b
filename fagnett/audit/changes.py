"""Historical rows in words: who did what, when, and each changed field as "label: old → new".

The rows come in already loaded (see ``selectors``); this module only asks for the names of related objects,
which ``LabelCache`` loads in one query per related model, so describing 2 or 2 000 rows costs the same number
of queries.
"""

import datetime
import decimal
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from simple_history.models import HistoricalRecords

from fagnett.accounts.models import User
from fagnett.audit.registry import ALWAYS_HIDDEN, Kind, Row, Source, kind_of, meeting_name, minutes_name
from fagnett.capacity.models import ApiToken, Unit
from fagnett.meetings.models import CASE_WITHHELD, Meeting, Minutes

#: Text longer than this is shortened, with the whole text behind a "show all" disclosure.
LONG_TEXT = 160
SHORT_TEXT = 120
#: Rows by the same person this close together are one change on a record's history page.
SAME_CHANGE = datetime.timedelta(seconds=2)

CREATED, CHANGED, DELETED = "+", "~", "-"


def meeting_label(meeting: Meeting) -> str:
    """A live meeting's name (its network loaded), as ``registry`` names it from a historical row."""
    return meeting_name(meeting.title, meeting.network.name, meeting.starts_at)


def minutes_label(minutes: Minutes) -> str:
    """Live minutes' name (their meeting and its network loaded)."""
    return minutes_name(meeting_label(minutes.meeting), minutes.version)


#: Related models whose names need more than their own row: what to join, and how to name them.
_LABELLERS: dict[type[models.Model], tuple[tuple[str, ...], Any]] = {
    Meeting: (("network",), meeting_label),
    Minutes: (("meeting__network",), minutes_label),
    Unit: (("hospital",), str),
    ApiToken: (("trust",), str),
}


class LabelCache:
    """Names of related objects: ask with ``want`` first, ``load`` once, then call for each name."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self._names: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk is not None and (model, pk) not in self._names:
            self._wanted[model].add(pk)

    def load(self) -> None:
        for model, ids in self._wanted.items():
            related, name = _LABELLERS.get(model, ((), str))
            for obj in model._default_manager.select_related(*related).filter(pk__in=ids):
                self._names[(model, obj.pk)] = str(name(obj))
            for pk in ids:
                # Deleted since: say so instead of failing or showing a bare number.
                self._names.setdefault((model, pk), gettext("deleted (no. %(id)s)") % {"id": pk})
        self._wanted.clear()

    def __call__(self, model: type[models.Model], pk: Any) -> str:
        if pk is None:
            return ""
        return self._names.get((model, pk), gettext("no. %(id)s") % {"id": pk})


@dataclass(frozen=True)
class Shown:
    """A value as people read it."""

    text: str
    empty: bool = False

    @property
    def is_long(self) -> bool:
        return len(self.text) > LONG_TEXT or self.text.count("\n") > 2

    @property
    def short(self) -> str:
        first = self.text[:SHORT_TEXT].split("\n")[0]
        return first.rstrip() + "…"


@dataclass(frozen=True)
class Change:
    label: str
    #: None when the field was set on creation, or when the earlier state was not recorded
    old: Shown | None
    new: Shown | None
    #: for figures that are not shown value by value: "changed", "recorded"
    remark: str = ""
    #: the names of the related objects, for many-to-many fields
    old_items: frozenset[str] | None = None
    new_items: frozenset[str] | None = None

    @property
    def note(self) -> str:
        """ "added: …; removed: …" for many-to-many fields, or the remark."""
        if self.remark or self.old_items is None or self.new_items is None:
            return self.remark
        notes = []
        if added := sorted(self.new_items - self.old_items):
            notes.append(gettext("added: %(items)s") % {"items": ", ".join(added)})
        if removed := sorted(self.old_items - self.new_items):
            notes.append(gettext("removed: %(items)s") % {"items": ", ".join(removed)})
        return "; ".join(notes)

    def then(self, later: "Change") -> "Change | None":
        """This change followed by ``later`` of the same field, as one change; None if it ended where it began."""
        combined = Change(self.label, self.old, later.new, later.remark, self.old_items, later.new_items)
        if combined.old is not None and combined.old == combined.new and not combined.remark:
            return None
        return combined

    def as_text(self) -> str:
        """The change in one line, nothing shortened: for exports."""
        parts = [f"{self.label}:"]
        if self.old is not None:
            parts += [self.old.text, "→"]
        if self.new is not None:
            parts.append(self.new.text)
        if self.note:
            parts.append(f"({self.note})" if self.new is not None else self.note)
        return " ".join(parts)


@dataclass
class Section:
    """The changes of a record's own fields (``heading`` empty) or of one of its parts."""

    heading: str
    changes: list[Change]
    #: the earlier state of the part was not recorded, so only the new values are known
    no_earlier: bool = False
    #: the values a record or a part was created with (shown folded away)
    initial: bool = False


@dataclass
class Entry:
    """One thing that happened to a record: one historical row, or on a history page rows saved together."""

    at: datetime.datetime
    person: str
    person_key: tuple[str, Any]
    action: str
    kind: Kind
    record_id: int
    record: str
    network_id: int | None
    sections: list[Section] = field(default_factory=list)
    reason: str = ""
    source: str = ""
    history_id: int = 0
    #: the network's name, in the audit log
    network: str = ""
    #: False in the audit log where the person may not read the record: who and when, but not what
    readable: bool = True
    #: on a person's history page, the record merged into theirs that a row is of ("Kari N. (a record merged…)")
    merged_record: str = ""
    #: on a history page, the files kept when this change approved the record (``core.kept.KeptFile``)
    kept: list[Any] = field(default_factory=list)

    @property
    def kept_being_made(self) -> bool:
        return any(file.state == "pending" for file in self.kept)

    @property
    def kept_failed(self) -> bool:
        return any(file.state == "failed" for file in self.kept)

    @property
    def when(self) -> str:
        return timezone.localtime(self.at).strftime("%d.%m.%Y %H:%M")

    @property
    def action_name(self) -> str:
        return {CREATED: gettext("created"), CHANGED: gettext("changed"), DELETED: gettext("deleted")}[self.action]

    @property
    def sentence(self) -> str:
        """ "Kari Nordmann changed the case"."""
        template = {
            CREATED: gettext("%(person)s created %(thing)s"),
            CHANGED: gettext("%(person)s changed %(thing)s"),
            DELETED: gettext("%(person)s deleted %(thing)s"),
        }[self.action]
        return capfirst(template % {"person": self.person, "thing": self.kind.the})

    @property
    def changes(self) -> list[Change]:
        return [change for section in self.sections for change in section.changes]

    def changes_text(self) -> str:
        lines = []
        for section in self.sections:
            texts = [change.as_text() for change in section.changes]
            if section.heading:
                lines.append(f"{section.heading}: " + "; ".join(texts) if texts else section.heading)
            else:
                lines.extend(texts)
        return "\n".join(lines)


_SHOWN_FIELDS: dict[str, list[models.Field]] = {}


def shown_fields(source: Source) -> list[models.Field]:
    """The fields of the source's model that people read, in the model's order (worked out once per source: the
    audit log's export asks for every row)."""
    if source.slug not in _SHOWN_FIELDS:
        _SHOWN_FIELDS[source.slug] = _shown_fields(source)
    return _SHOWN_FIELDS[source.slug]


def _shown_fields(source: Source) -> list[models.Field]:
    fields = []
    for model_field in source.model._meta.concrete_fields:
        if model_field.name in ALWAYS_HIDDEN or model_field.name in source.hidden or model_field.primary_key:
            continue
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            continue  # the history's own time says when
        fields.append(model_field)
    return fields


def tracked_m2m_fields(source: Source) -> list[models.ManyToManyField]:
    return [f for f in source.model._meta.many_to_many if f in HistoricalRecords.m2m_models]


def want_labels(source: Source, rows: Iterable[Row], labels: LabelCache) -> None:
    """Ask for the names every row of ``source`` may need: its related objects and the person who saved it."""
    relations = [f for f in source.model._meta.concrete_fields if f.many_to_one or f.one_to_one]
    for row in rows:
        labels.want(User, row.history_user_id)
        for relation in relations:
            labels.want(relation.related_model, getattr(row, relation.attname))  # type: ignore[arg-type]


def _empty() -> Shown:
    return Shown(gettext("(empty)"), empty=True)


def _show(source: Source, model_field: Any, value: Any, labels: LabelCache) -> Shown:
    if value is None or value == "" or value == []:
        return _empty()
    if isinstance(model_field, models.BooleanField):
        return Shown(gettext("yes") if value else gettext("no"))
    if model_field.many_to_one or model_field.one_to_one:
        return Shown(labels(model_field.related_model, value))
    if model_field.choices:
        return Shown(str(dict(model_field.flatchoices).get(value, value)))
    if isinstance(value, datetime.datetime):
        return Shown(timezone.localtime(value).strftime("%d.%m.%Y %H:%M"))
    if isinstance(value, datetime.date):
        return Shown(value.strftime("%d.%m.%Y"))
    if isinstance(value, decimal.Decimal | float):
        return Shown(formats.number_format(value))
    if isinstance(value, list):
        choices = source.list_choices.get(model_field.name)
        return Shown(", ".join(str(dict(choices.choices).get(v, v)) if choices else str(v) for v in value))
    return Shown(str(value))


def _label(model_field: Any) -> str:
    return _label_in(model_field, get_language())


@functools.lru_cache(maxsize=1024)
def _label_in(model_field: Any, language: str | None) -> str:
    """A field's label, translated once per language (the audit log's export labels every field of every row)."""
    return str(capfirst(model_field.verbose_name))


def _m2m_shown(model_field: Any, ids: frozenset[Any], labels: LabelCache) -> Shown:
    if not ids:
        return _empty()
    return Shown(", ".join(sorted(labels(model_field.related_model, pk) for pk in ids)))


M2MValues = dict[tuple[str, int], frozenset[Any]]  # (field name, history id) → related ids


def field_changes(
    source: Source, row: Row, previous: Row | None, labels: LabelCache, m2m: M2MValues
) -> tuple[list[Change], bool]:
    """The changes ``row`` made over ``previous``; on creation (or with no earlier row) the values it set.

    The flag is True when the row changed the record but the earlier state was not recorded.
    """
    if row.history_type == DELETED:
        return [], False
    initial = row.history_type == CREATED or previous is None
    changes = []
    for model_field in shown_fields(source):
        value = getattr(row, model_field.attname)
        if isinstance(value, dict):
            # Frozen figures (a report's facts): too many to list; their change is what matters.
            if initial and value:
                changes.append(Change(_label(model_field), None, None, remark=gettext("recorded")))
            elif not initial and value != getattr(previous, model_field.attname):
                changes.append(Change(_label(model_field), None, None, remark=gettext("changed")))
            continue
        if initial:
            if value not in (None, "", []):
                changes.append(Change(_label(model_field), None, _show(source, model_field, value, labels)))
            continue
        before = getattr(previous, model_field.attname)
        if before != value:
            changes.append(
                Change(
                    _label(model_field),
                    _show(source, model_field, before, labels),
                    _show(source, model_field, value, labels),
                )
            )
    for model_field in tracked_m2m_fields(source):
        now = m2m.get((model_field.name, row.history_id), frozenset())
        if initial:
            if now:
                changes.append(Change(_label(model_field), None, _m2m_shown(model_field, now, labels)))
            continue
        assert previous is not None
        before_ids = m2m.get((model_field.name, previous.history_id), frozenset())
        if now != before_ids:
            changes.append(
                Change(
                    _label(model_field),
                    _m2m_shown(model_field, before_ids, labels),
                    _m2m_shown(model_field, now, labels),
                    old_items=frozenset(labels(model_field.related_model, pk) for pk in before_ids),
                    new_items=frozenset(labels(model_field.related_model, pk) for pk in now),
                )
            )
    return changes, (row.history_type == CHANGED and previous is None)


def person_of(row: Row, labels: LabelCache) -> tuple[str, tuple[str, Any]]:
    """Who saved the row: the logged-in person, the trust's API key, or Fagnett itself."""
    if row.history_user_id is not None:
        return labels(User, row.history_user_id), ("user", row.history_user_id)
    token_id = getattr(row, "api_token_id", None)
    if token_id is not None:
        return gettext("API key “%(key)s”") % {"key": labels(ApiToken, token_id)}, ("token", token_id)
    return gettext("Fagnett (no one logged in)"), ("system", None)


def _part_heading(source: Source, row: Row, labels: LabelCache, name: str = "") -> str:
    assert source.part_label is not None
    name = name or source.part_label(row, labels)
    if row.history_type == CREATED:
        return gettext("Added – %(part)s") % {"part": name}
    if row.history_type == DELETED:
        return gettext("Removed – %(part)s") % {"part": name}
    return name


def describe_row(
    source: Source,
    row: Row,
    previous: Row | None,
    labels: LabelCache,
    m2m: M2MValues,
    *,
    record: str,
    network_id: int | None = None,
    withheld: str = "",
) -> Entry:
    """One historical row in words. Rows of a part are changes of the record they belong to.

    ``withheld``: the part's name for someone who may not read what it says (an agenda item of a case they may not
    read, see ``registry.CaseItem``); its changes are then not shown, only that there were some.
    """
    person, person_key = person_of(row, labels)
    changes, no_earlier = field_changes(source, row, previous, labels, m2m)
    if withheld and changes:
        changes, no_earlier = [Change(gettext("Content"), None, None, remark=str(CASE_WITHHELD))], False
    kind = kind_of(source)
    created = row.history_type == CREATED
    if source.is_part:
        section = Section(_part_heading(source, row, labels, withheld), changes, no_earlier, initial=created)
        action = CHANGED
    else:
        section = Section("", changes, no_earlier, initial=created)
        action = row.history_type
    return Entry(
        at=row.history_date,
        person=person,
        person_key=person_key,
        action=action,
        kind=kind,
        record_id=getattr(row, source.parent_attname),
        record=record,
        network_id=network_id,
        # A part saved without a change (minutes save every item) says nothing.
        sections=[section] if changes or (source.is_part and row.history_type != CHANGED) else [],
        reason=row.history_change_reason or "",
        source=source.slug,
        history_id=row.history_id,
    )


def merge_saved_together(entries: list[Entry]) -> list[Entry]:
    """Rows one person saved at once (a mandate and its tasks, minutes and their items) as one entry.

    ``entries`` are oldest first; so is the result. Deletions stand alone, and an entry with nothing to show
    (a save that changed no field people read) is left out.
    """
    merged: list[Entry] = []
    for entry in entries:
        last = merged[-1] if merged else None
        if (
            last is not None
            and entry.action == CHANGED
            and last.action != DELETED
            and entry.person_key == last.person_key
            and entry.record_id == last.record_id  # a person's history also shows the records merged into theirs
            and entry.at - last.at <= SAME_CHANGE
        ):
            _fold(last, entry)
            continue
        merged.append(entry)
    return [e for e in merged if e.action != CHANGED or e.sections]


def _fold(into: Entry, entry: Entry) -> None:
    for section in entry.sections:
        same = next((s for s in into.sections if s.heading == section.heading), None)
        if same is None:
            into.sections.append(section)
        elif into.action == CREATED and not section.heading:
            # Set right after creation (a mandate's tasks): part of what it was created with.
            created = [Change(c.label, None, c.new, c.remark if c.new is None else "") for c in section.changes]
            same.changes = _combine(same.changes, created, replace=True)
        else:
            same.changes = _combine(same.changes, section.changes)
            same.no_earlier = same.no_earlier or section.no_earlier
    if entry.reason and not into.reason:
        into.reason = entry.reason
    into.kept.extend(entry.kept)


def _combine(earlier: list[Change], later: list[Change], *, replace: bool = False) -> list[Change]:
    """Changes of the same fields made one after the other, as one change per field."""
    combined: dict[str, Change | None] = {c.label: c for c in earlier}
    for change in later:
        before = combined.get(change.label)
        combined[change.label] = change if before is None or replace else before.then(change)
    return [c for c in combined.values() if c is not None]
