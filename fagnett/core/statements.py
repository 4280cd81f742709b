"""Model instances read by a hand-written statement: the one mechanism for it (issue 23).

Where compiling an ORM query costs more Python than the page's other work (a ``select_related`` of three tables is a
millisecond), a selector may write the statement itself and still hand out the model instances the ORM would have
given: it selects every concrete field of each model in the ORM's order (``select_columns``), and makes the instances
from the row with the ORM's own converters and ``Model.from_db`` (``load``, ``load_row``). A test holds each such
statement to the ORM query it replaces (docs/ARCHITECTURE.md, "Hand-written SQL on the busiest pages").

    statement = f"SELECT {select_columns(Meeting, 'm')}, {select_columns(Network, 'n')} FROM ... WHERE m.id = %s"
    meeting, network = load_row(row, (Meeting, Network))
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, connections
from django.db.models import Model

Loaded = TypeVar("Loaded", bound=Model)


@dataclass(frozen=True)
class ModelColumns:
    """How a statement reads every concrete field of a model on one database: the quoted columns and the fields'
    names in the model's order (``Model.from_db``'s order), where the primary key is among them, and the ORM's
    converters of the values that need one (on SQLite timestamps, booleans, decimals and UUIDs; on PostgreSQL
    hardly any)."""

    columns: tuple[str, ...]
    names: tuple[str, ...]
    pk: int
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


def model_columns(model: type[Model]) -> ModelColumns:
    """``model``'s ``ModelColumns`` on the default database, found once per process."""
    return _model_columns(connection.alias, model)


@functools.cache
def _model_columns(alias: str, model: type[Model]) -> ModelColumns:
    db = connections[alias]
    fields = model._meta.concrete_fields
    converters = []
    for i, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        # The order the ORM's compiler applies them in: the backend's first, then the field's own.
        found = db.ops.get_db_converters(col) + col.get_db_converters(db)
        if found:
            converters.append((i, tuple(found), col))
    return ModelColumns(
        columns=tuple(db.ops.quote_name(str(field.column)) for field in fields),
        names=tuple(field.attname for field in fields),
        pk=fields.index(model._meta.pk),
        converters=tuple(converters),
    )


def select_columns(model: type[Model], alias: str) -> str:
    """Every concrete column of ``model`` under the table alias ``alias``, in the model's order, for a SELECT."""
    return ", ".join(f"{alias}.{column}" for column in model_columns(model).columns)


def load(model: type[Loaded], values: Sequence[Any]) -> Loaded:
    """An instance of ``model`` from the values of its ``select_columns``, converted as the ORM converts them: the
    instance the ORM would have made (saved, of this database)."""
    how = model_columns(model)
    if how.converters:
        values = list(values)
        for i, field_converters, col in how.converters:
            for convert in field_converters:
                values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, list(how.names), values)


def load_row(row: Sequence[Any], models: Sequence[type[Model]]) -> list[Any]:
    """The instances of ``models`` from one row of their ``select_columns`` side by side, in that order; None for a
    model whose primary key is NULL (a LEFT JOIN that found nothing), as ``select_related`` gives None."""
    parts = [model_columns(model) for model in models]
    if sum(len(how.columns) for how in parts) != len(row):
        raise ValueError(f"the row has {len(row)} values, the models {sum(len(how.columns) for how in parts)} columns")
    instances: list[Any] = []
    start = 0
    for model, how in zip(models, parts, strict=True):
        end = start + len(how.columns)
        instances.append(None if row[start + how.pk] is None else load(model, row[start:end]))
        start = end
    return instances


def pk_in_range(model: type[Model], pk: int) -> bool:
    """Whether ``pk`` fits ``model``'s primary key column: the ORM finds nothing for an id out of range without asking
    the database, where PostgreSQL would refuse the statement's parameter."""
    smallest, largest = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return (smallest is None or smallest <= pk) and (largest is None or pk <= largest)
