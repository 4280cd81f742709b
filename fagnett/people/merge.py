"""Moving everything that names one record of a person to another record of the same person.

Every relation to the person is found by walking Django's model registry (``User._meta.get_fields``, hidden
relations included), never from a list, so a model added later follows a merge without anyone remembering it here.
Each relation is either moved or named in ``NOT_MOVED`` with the reason; historical tables (the audit trail) are
never rewritten. ``people/tests/test_merge.py`` fails on a relation that is neither.

How a relation moves:

- **A foreign key** (appointments, cases submitted, action items, roles, attendance…): every row that names the merged
  record names the kept one, saved with a history row (``core.bulk.update_with_history``) whose reason names the
  merge; a row with a ``lock_version`` gets a new one, so a form someone has open on it is told it changed. Where a
  unique constraint says the kept record already holds the same row (the same role in the same region, an open
  appointment to the same network and role, attendance at the same meeting), the merged record's row is a duplicate:
  it is deleted (the deletion is in history) instead of moved.
- **A one-to-one relation** that both records have (both provisioned by the identity provider) cannot become one:
  the merge is refused with a message naming it.
- **A many-to-many relation** Django made the table for (the identity provider's groups) moves through the
  relation's manager, so the owning record's history records the change.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalChanges

from fagnett.accounts.models import User
from fagnett.core.bulk import update_with_history
from fagnett.core.locking import bump_version

#: Relations (``app_label.Model.field`` of the key to the person) that stay with the merged record, and why.
NOT_MOVED: dict[str, str | Promise] = {
    "admin.LogEntry.user": _("Django's log of what a login did in the administration: it records that login."),
    "accounts.User_groups.user": _("Administration rights are given to a login on purpose, never passed on."),
    "accounts.User_user_permissions.user": _("Administration rights are given to a login on purpose, never passed on."),
    "meetings.CalendarFeed.user": _(
        "The merged record's private calendar addresses ended with its access and stay ended; the person makes new "
        "ones."
    ),
    "people.PersonMerge.merged": _("It names the record merged away, which stays, marked as merged."),
    "people.PersonMerge.merged_by": _("Who merged two records is part of the record of that merge."),
}

HISTORY_REASON = _(
    "History is the audit trail of what was done and by whom, and is never rewritten; the merged record stays, "
    "marked as merged into the kept one."
)


@dataclass(frozen=True)
class Relation:
    """A foreign key to the person: ``field`` of ``model`` (for a many-to-many relation, its table's key)."""

    model: type[models.Model]
    field: models.ForeignKey

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def is_history(self) -> bool:
        return issubclass(self.model, HistoricalChanges)


@dataclass(frozen=True)
class Plan:
    relation: Relation
    moved: bool
    #: why the relation is not moved (empty when it is)
    reason: str | Promise = ""


@dataclass
class Outcome:
    moved: int = 0
    #: rows the kept record already had, deleted instead of moved
    dropped: int = 0


@dataclass
class MergeResult:
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def moved(self) -> int:
        return sum(o.moved for o in self.outcomes.values())

    @property
    def dropped(self) -> int:
        return sum(o.dropped for o in self.outcomes.values())

    def as_json(self) -> dict[str, dict[str, int]]:
        return {
            key: {"moved": o.moved, "dropped": o.dropped}
            for key, o in sorted(self.outcomes.items())
            if o.moved or o.dropped
        }


def user_relations() -> list[Relation]:
    """Every foreign key to the person in every installed app, read from the model registry.

    A many-to-many relation appears through the key its table holds to the person (Django lists that hidden
    relation too), so it is moved row by row like any other.
    """
    found = []
    for relation in User._meta.get_fields(include_hidden=True):
        if not relation.is_relation or relation.concrete or not relation.auto_created:
            continue
        if relation.many_to_many:
            continue  # its table's foreign key to the person is in the list as well
        found.append(Relation(relation.related_model, relation.field))  # type: ignore[arg-type, union-attr]
    return sorted(found, key=lambda r: r.key)


def merge_plan() -> list[Plan]:
    """What a merge does with each relation to the person."""
    plans = []
    for relation in user_relations():
        if relation.is_history:
            plans.append(Plan(relation, moved=False, reason=HISTORY_REASON))
        elif relation.key in NOT_MOVED:
            plans.append(Plan(relation, moved=False, reason=NOT_MOVED[relation.key]))
        else:
            plans.append(Plan(relation, moved=True))
    return plans


def move_all(*, kept: User, merged: User, reason: str, actor: Any) -> MergeResult:
    """Move every row of every moved relation from ``merged`` to ``kept``. Call inside the merge's transaction:
    a refusal (``ValidationError``) part-way leaves the rows moved so far to be rolled back."""
    result = MergeResult()
    for plan in merge_plan():
        if plan.moved:
            result.outcomes[plan.relation.key] = _move(
                plan.relation, kept=kept, merged=merged, reason=reason, actor=actor
            )
    return result


def _move(relation: Relation, *, kept: User, merged: User, reason: str, actor: Any) -> Outcome:
    m2m = _many_to_many_of(relation.model)
    if m2m is not None:
        return _move_many_to_many(relation, m2m, kept=kept, merged=merged)
    model, key = relation.model, relation.field
    manager = model._base_manager
    rows = list(manager.filter(**{key.name: merged}).order_by("pk"))
    if not rows:
        return Outcome()
    if key.unique and manager.filter(**{key.name: kept}).exists():
        raise ValidationError(
            _("Both records have %(what)s, which a person can have only one of. Remove one of them first.")
            % {"what": model._meta.verbose_name}
        )
    unique_sets = _unique_sets(model, key)
    moving: list[models.Model] = []
    duplicates: list[models.Model] = []
    for row in rows:
        (duplicates if _kept_already_has(row, key, kept, unique_sets) else moving).append(row)
    for row in duplicates:
        row._change_reason = reason  # type: ignore[attr-defined]
        try:
            row.delete()
        except (ProtectedError, RestrictedError):
            raise ValidationError(
                _("Both records have the same %(what)s, and the merged record's one is in use elsewhere.")
                % {"what": model._meta.verbose_name}
            ) from None
    if moving:
        _save_moved(model, key, moving, kept=kept, reason=reason, actor=actor)
    return Outcome(moved=len(moving), dropped=len(duplicates))


def _save_moved(
    model: type[models.Model],
    key: models.ForeignKey,
    rows: list[models.Model],
    *,
    kept: User,
    reason: str,
    actor: Any,
) -> None:
    fields = [key.name]
    versioned = any(f.name == "lock_version" for f in model._meta.concrete_fields)
    if versioned:
        fields.append("lock_version")
    for row in rows:
        setattr(row, key.attname, kept.pk)
        if versioned:
            bump_version(row)  # type: ignore[arg-type]
        row._change_reason = reason  # type: ignore[attr-defined]
        if actor is not None:
            row._history_user = actor  # type: ignore[attr-defined]
    if getattr(model._meta, "simple_history_manager_attribute", None) == "history":
        update_with_history(rows, fields)
    else:
        model._base_manager.filter(pk__in=[row.pk for row in rows]).update(
            **{key.attname: kept.pk, **({"lock_version": models.F("lock_version") + 1} if versioned else {})}
        )


def _unique_sets(model: type[models.Model], key: models.ForeignKey) -> list[tuple[tuple[str, ...], Q | None]]:
    """The other fields of every unique rule that includes ``key``, with the rule's condition."""
    sets: list[tuple[tuple[str, ...], Q | None]] = []
    for names in model._meta.unique_together:
        if key.name in names:
            sets.append((tuple(n for n in names if n != key.name), None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and key.name in constraint.fields:
            others = tuple(n for n in constraint.fields if n != key.name)
            sets.append((others, constraint.condition))
    return sets


def _kept_already_has(
    row: models.Model,
    key: models.ForeignKey,
    kept: User,
    unique_sets: list[tuple[tuple[str, ...], Q | None]],
) -> bool:
    """True if moving ``row`` to ``kept`` would repeat a row ``kept`` has under one of the unique rules."""
    manager = type(row)._base_manager
    attnames = {f.name: f.attname for f in type(row)._meta.concrete_fields}
    for others, condition in unique_sets:
        values = {attnames[name]: getattr(row, attnames[name]) for name in others}
        if any(value is None for value in values.values()):
            continue  # NULLs never collide in a unique index
        if condition is not None and not manager.filter(condition, pk=row.pk).exists():
            continue  # the rule does not cover this row (an ended appointment)
        same = manager.filter(**{key.name: kept}, **values)
        if condition is not None:
            same = same.filter(condition)
        if same.exists():
            return True
    return False


def _many_to_many_of(model: type[models.Model]) -> models.ManyToManyField | None:
    """The many-to-many field whose table Django made as ``model``, if it is one."""
    owner = model._meta.auto_created
    if not isinstance(owner, type) or not issubclass(owner, models.Model):
        return None
    for candidate in owner._meta.many_to_many:
        if candidate.remote_field.through is model:
            return candidate
    return None


def _move_many_to_many(relation: Relation, m2m: models.ManyToManyField, *, kept: User, merged: User) -> Outcome:
    """Through the relation's manager, so that the signal history listens to is sent."""
    outcome = Outcome()
    if relation.field.name == m2m.m2m_field_name():
        # The relation is declared on the person (``User.groups``): the merged record's targets go to the kept one.
        targets = list(getattr(merged, m2m.name).all())
        held = set(getattr(kept, m2m.name).filter(pk__in=[t.pk for t in targets]).values_list("pk", flat=True))
        getattr(kept, m2m.name).add(*[t for t in targets if t.pk not in held])
        getattr(merged, m2m.name).clear()
        return Outcome(moved=len(targets) - len(held), dropped=len(held))
    owner_model = m2m.model
    for owner in owner_model._base_manager.filter(**{m2m.name: merged}).order_by("pk"):
        members = getattr(owner, m2m.name)
        held = members.filter(pk=kept.pk).exists()
        members.remove(merged)
        if held:
            outcome.dropped += 1
        else:
            members.add(kept)
            outcome.moved += 1
    return outcome
