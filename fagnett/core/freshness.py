"""A key that moves with every committed write to a set of tables, and values kept in each worker under it (issue 23).

A page whose figures are the same for everyone who may see them, and change only when some tables change, need
not compute them on every request. There is no shared cache server (several gunicorn hosts, one PostgreSQL), so a
worker keeps what it computed (``Kept``) with the **freshness key** it read first, and uses it while the database
says the key has not moved. This is ``reports.freshness``'s mechanism (read its docstring) made general: an app
declares a ``Freshness`` over the tables its figures are read from and a change table of its own (a model with a
``weight``), calls ``connect()`` in its ``AppConfig.ready()``, and reads ``key()`` before computing.

How writes are seen: by one database execute wrapper on every connection (``django.db.backends``
"execute_wrappers"), which sees every INSERT, UPDATE and DELETE Django sends, whatever sent it (``save()``,
``QuerySet.update()``, ``bulk_create``, hand-written SQL), and inserts a change row in the same transaction through
a cursor of its own on the raw connection (not one of the page's queries; the write's ``RETURNING`` rows stay as
they were). The key is the sum of the change rows' weights: one small query.

Why a kept value is never stale: the key is read *before* the value is computed, and a write's change row commits
with the write. A value kept under ``v`` therefore holds everything committed when ``v`` was read (perhaps more);
a write committed afterwards makes the key larger than ``v`` on every app server, so the value is not used again.
The key never decreases: folding the change rows into one keeps their sum. One case remains: a connection that
has written a watched table in a transaction still open sees its own uncommitted write, which a rollback would take
back while the key returns to where it was — so ``key()`` answers ``None`` there (compute, keep nothing) until the
transaction has ended.

What it costs: one INSERT per write statement to a watched table; one query per read of the key. The key is
global: a write anywhere makes every kept value of that freshness recompute once — cheap to know, always safe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from fagnett.core.memo import ProcessMemo

V = TypeVar("V")

#: the tables a freshness watches, each with the columns whose change matters (``None``: any column)
Tables = Mapping[str, frozenset[str] | None]

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
_SET_COLUMNS = re.compile(r'"([A-Za-z0-9_]+)"\s*=')
_DDL = ("CREATE", "DROP ", "ALTER")
#: on each connection: the change tables known to exist (a worker that wrote before ``migrate`` made one looks
#: again, instead of missing every write after it), and the freshnesses written in the open transaction
_TABLES_SEEN = "_fagnett_freshness_tables_seen"
_WRITTEN = "_fagnett_freshness_written"


class Freshness:
    """The key of the values computed from ``tables()``: it moves with every committed write to one of them.

    ``change_model`` is the app's change table: a model with a ``weight`` (a positive integer, 1 per write) and
    nothing else required. ``fold_after``: when the key is read with more change rows than this (outside any
    transaction), they are folded into one, so reading the key stays one small sum."""

    def __init__(self, change_model: type[models.Model], tables: Callable[[], Tables], *, fold_after: int = 64):
        self.change_model = change_model
        self._tables_of = tables
        self._tables: Tables | None = None
        self.fold_after = fold_after

    @property
    def name(self) -> str:
        return self.change_model._meta.db_table

    def tables(self) -> Tables:
        if self._tables is None:
            self._tables = self._tables_of()
        return self._tables

    def key(self) -> int | None:
        """The key now; ``None`` when this connection has written a watched table in a transaction still open
        (what is computed now may be rolled back: keep nothing)."""
        db = connections[DEFAULT_DB_ALIAS]
        written = db.__dict__.get(_WRITTEN)
        if written and self.name in written:
            if not db.get_autocommit():
                return None
            written.discard(self.name)
        with db.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(SUM("weight"), 0), COUNT(*) FROM "{self.name}"')  # noqa: S608 — the model's table
            key, rows = cursor.fetchone()
        if rows > self.fold_after and db.get_autocommit():
            self.fold()
        return int(key)

    def fold(self) -> None:
        """Fold the change rows into one with the same sum: delete what is committed (a write still in progress
        keeps its row, which the delete does not see) and insert the sum of exactly the rows deleted, in one
        transaction. Two folds at once cannot lose a row: the second deletes only what the first left."""
        with transaction.atomic(), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(f'DELETE FROM "{self.name}" RETURNING "weight"')  # noqa: S608 — the model's table
            total = sum(weight for (weight,) in cursor.fetchall())
            cursor.execute(f'INSERT INTO "{self.name}" ("weight") VALUES (%s)', [total])  # noqa: S608

    def matters(self, table: str, sql: str) -> bool:
        tables = self.tables()
        if table not in tables:
            return False
        columns = tables[table]
        if columns is None or sql.lstrip()[:6].upper() != "UPDATE":
            return True
        set_clause = sql.split(" WHERE ", 1)[0]
        return any(column in columns for column in _SET_COLUMNS.findall(set_clause))

    def record(self, db: BaseDatabaseWrapper) -> None:
        """A write to a watched table on ``db``: a change row in its transaction."""
        if not self._table_exists(db):
            return
        # A cursor of its own on the raw connection: the write's cursor may still hold rows its caller has not
        # fetched (RETURNING), and this statement is the database's bookkeeping, not one of the page's queries.
        cursor = db.connection.cursor()
        try:
            cursor.execute(f'INSERT INTO "{self.name}" ("weight") VALUES (1)')  # noqa: S608 — the model's table
        finally:
            cursor.close()
        if not db.get_autocommit():
            db.__dict__.setdefault(_WRITTEN, set()).add(self.name)

    def _table_exists(self, db: BaseDatabaseWrapper) -> bool:
        """Once per connection (and after a schema change on it): before ``migrate`` has made the change table,
        writes go on unrecorded — nothing can have been kept under a key that does not exist yet."""
        seen: set[str] = db.__dict__.setdefault(_TABLES_SEEN, set())
        if self.name in seen:
            return True
        cursor = db.connection.cursor()
        try:
            if db.vendor == "postgresql":
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [self.name])
            else:
                cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [self.name])
            exists = bool(cursor.fetchone()[0])
        finally:
            cursor.close()
        if exists:
            seen.add(self.name)
        return exists


class _Watcher:
    """The execute wrapper: after a write to a table some freshness watches, that freshness records a change."""

    def __init__(self) -> None:
        self.freshnesses: list[Freshness] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        first = sql[:1]
        # A SELECT costs one character comparison here.
        if first in "IUDiud":
            found = _WRITE.match(sql)
            if found is not None:
                table = found.group(1)
                for freshness in self.freshnesses:
                    if freshness.matters(table, sql):
                        freshness.record(context["connection"])
        elif first in "CDAcda" and sql[:5].upper() in _DDL:
            # A migration (or a test that migrates back and forth) changed the schema on this connection.
            context["connection"].__dict__.pop(_TABLES_SEEN, None)
        return result


WATCHER = _Watcher()


def _install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if WATCHER not in connection.execute_wrappers:
        connection.execute_wrappers.append(WATCHER)


def connect(freshness: Freshness) -> None:
    """Watch ``freshness``'s tables on every connection (from the app's ``AppConfig.ready()``)."""
    if freshness not in WATCHER.freshnesses:
        WATCHER.freshnesses.append(freshness)
    connection_created.connect(_install, dispatch_uid="fagnett.core.freshness")


class Kept(Generic[V]):
    """Values computed under a freshness key, kept in this worker: ``get(version, key, compute)`` gives the value
    kept under ``key`` if it was computed under ``version``, or computes it (and keeps it, unless ``version`` is
    ``None``). At most ``size`` keys, the least recently used going first (``core.memo.ProcessMemo``). A kept value
    is handed to every request of the worker that asks for it: read-only."""

    def __init__(self, size: int) -> None:
        self._memo: ProcessMemo[tuple[int, V]] = ProcessMemo(size=size)

    def get(self, version: int | None, key: Hashable, compute: Callable[[], V]) -> V:
        if version is None:
            return compute()
        kept = self._memo.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        return self._memo.put(key, (version, compute()))[1]

    def forget(self) -> None:
        """Empty this worker's copies (tests)."""
        self._memo.clear()
