"""A draft annual report's statistics, computed once per (region, year) and kept until something they are computed
from changes (issue 23).

There is no shared cache server (several gunicorn hosts, one PostgreSQL), so the statistics are kept in the
database (``StatisticsSnapshot``) with the **freshness key** they were computed under, and each worker keeps its own
parsed copy of the snapshots it has read. The key is the sum of ``StatisticsChange.weight``; every statement that
writes to a table the statistics are read from inserts a change row in the same transaction.

How writes are seen: not by model signals, which miss ``QuerySet.update()``, ``bulk_create``/``bulk_update`` and
hand-written SQL, but by a database execute wrapper (``django.db.backends`` "execute_wrappers") installed on every
connection: it sees every INSERT, UPDATE and DELETE Django sends, whatever made it. It is the application-side
equivalent of a database trigger, written once for SQLite and PostgreSQL. The change row is written through a
cursor of its own on the raw connection, so it does not disturb the result of the write (``RETURNING``) and is not
one of the page's counted queries.

Why it is correct: the key is read *before* the statistics are computed, and a write's change row commits together
with the write. A snapshot stored under key ``v`` therefore holds everything committed when ``v`` was read (and
perhaps more); any write committed afterwards makes the key larger than ``v``, so the snapshot is never used again.
The key never decreases: folding the change rows into one keeps the sum, and a fold racing another only adds.

What it costs: one extra INSERT per write statement to those tables; on each preview, one query for the key and the
snapshot's name (plus one for the snapshot when this worker has not parsed it yet). The key is global, not per
region: a write in one region also makes the other regions' snapshots recompute on their next opening — cheap to
know, always safe; a per-region key would need the region of every written row.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Model

from fagnett.organisations.models import Region
from fagnett.reports import statistics as report_statistics
from fagnett.reports.models import StatisticsChange, StatisticsSnapshot

#: parsed snapshots a worker keeps (a few regions × a few years)
MEMORY_SIZE = 32

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
_SET_COLUMNS = re.compile(r'"([A-Za-z0-9_]+)"\s*=')


def source_models() -> list[type[Model]]:
    """Every model ``statistics.region_statistics`` (and the appendices' ``facts_for_networks``) reads."""
    from fagnett.accounts.models import User
    from fagnett.budget.models import Expense, Grant
    from fagnett.cases.models import Case, CaseEvent
    from fagnett.meetings.models import ActionItem, AgendaItem, Attendance, Meeting
    from fagnett.networks.models import Mandate, Network, TaskListItem
    from fagnett.organisations.models import HealthTrust
    from fagnett.procedures.models import Procedure, StatusEvent
    from fagnett.reports.models import NetworkReport, ReflectionPoint, TaskRanking
    from fagnett.topics.models import Topic

    return [
        Region,
        HealthTrust,
        Network,
        Network.history.model,  # the networks' status at a year's end comes from their history
        Mandate,
        TaskListItem,
        Meeting,
        Attendance,
        AgendaItem,
        ActionItem,
        Case,
        CaseEvent,
        Procedure,
        StatusEvent,
        Expense,
        Grant,
        NetworkReport,
        TaskRanking,
        ReflectionPoint,
        Topic,
        User,
    ]


def source_tables() -> dict[str, frozenset[str] | None]:
    """The tables, each with the columns whose change matters (``None``: any column), many-to-many tables too."""
    tables: dict[str, frozenset[str] | None] = {}
    for model in source_models():
        tables[model._meta.db_table] = None
        for field in model._meta.local_many_to_many:
            tables[field.remote_field.through._meta.db_table] = None  # type: ignore[union-attr]
    from fagnett.accounts.models import User

    # A person's name is in the appendices ("submitted by"); every login writes ``last_login``, which is not.
    tables[User._meta.db_table] = frozenset({"first_name", "last_name"})
    return tables


_DDL = ("CREATE", "DROP ", "ALTER")
#: on each connection: whether the change table is known to exist (only a True is kept: a worker that wrote before
#: ``migrate`` made the table looks again, instead of missing every write after it)
_TABLE_SEEN = "_fagnett_statistics_change_table"


class _Watcher:
    """The execute wrapper: after a write to a source table, insert a change row on the same connection."""

    def __init__(self) -> None:
        self.tables: dict[str, frozenset[str] | None] | None = None
        self.insert_sql = ""

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        first = sql[:1]
        # A SELECT costs one character comparison here.
        if first in "IUDiud" and self.matters(sql):
            db = context["connection"]
            if getattr(db, _TABLE_SEEN, False) or self.table_exists(db):
                self.record(db)
        elif first in "CDAcda" and sql[:5].upper() in _DDL:
            # A migration (or a test that migrates back and forth) changed the schema on this connection.
            setattr(context["connection"], _TABLE_SEEN, False)
        return result

    def matters(self, sql: str) -> bool:
        found = _WRITE.match(sql)
        if found is None:
            return False
        if self.tables is None:
            self.tables = source_tables()
            self.insert_sql = f'INSERT INTO "{StatisticsChange._meta.db_table}" ("weight") VALUES (1)'  # noqa: S608
        table = found.group(1)
        if table not in self.tables:
            return False
        columns = self.tables[table]
        if columns is None or sql.lstrip()[:6].upper() != "UPDATE":
            return True
        set_clause = sql.split(" WHERE ", 1)[0]
        return any(column in columns for column in _SET_COLUMNS.findall(set_clause))

    def table_exists(self, db: BaseDatabaseWrapper) -> bool:
        """Once per connection (and after a schema change on it): before ``migrate`` has made the change table,
        writes go on unrecorded — there is no snapshot table either, so nothing can be stale."""
        table = StatisticsChange._meta.db_table
        cursor = db.connection.cursor()
        try:
            if db.vendor == "postgresql":
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            else:
                cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
            exists = bool(cursor.fetchone()[0])
        finally:
            cursor.close()
        if exists:
            setattr(db, _TABLE_SEEN, True)
        return exists

    def record(self, db: BaseDatabaseWrapper) -> None:
        # A cursor of its own on the raw connection: the write's cursor may still hold rows its caller has not
        # fetched (RETURNING), and this statement is the database's bookkeeping, not one of the page's queries.
        cursor = db.connection.cursor()
        try:
            cursor.execute(self.insert_sql)
        finally:
            cursor.close()


WATCHER = _Watcher()


def _install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if WATCHER not in connection.execute_wrappers:
        connection.execute_wrappers.append(WATCHER)


def connect() -> None:
    """Watch every connection (``ReportsConfig.ready``)."""
    connection_created.connect(_install, dispatch_uid="reports.freshness")


# --- Reading ------------------------------------------------------------------------------------------------------

_memory: OrderedDict[str, dict[str, Any]] = OrderedDict()
_memory_lock = threading.Lock()


def _key_and_snapshot(region_id: int, year: int) -> tuple[int, int, str | None, int | None]:
    """The freshness key, the number of change rows, and the snapshot's token and key: one query, written by hand
    (it runs on every opening of the preview; the ORM would cost more to compile than the database to answer)."""
    changes, snapshots = StatisticsChange._meta.db_table, StatisticsSnapshot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT (SELECT COALESCE(SUM("weight"), 0) FROM "{changes}"), (SELECT COUNT(*) FROM "{changes}"), '  # noqa: S608 — table names from the models
            f'(SELECT "token" FROM "{snapshots}" WHERE "region_id" = %s AND "year" = %s), '
            f'(SELECT "version" FROM "{snapshots}" WHERE "region_id" = %s AND "year" = %s)',
            [region_id, year, region_id, year],
        )
        key, rows, token, version = cursor.fetchone()
    return int(key), int(rows), token, version


def _remember(token: str, statistics: dict[str, Any]) -> None:
    with _memory_lock:
        _memory[token] = statistics
        _memory.move_to_end(token)
        while len(_memory) > MEMORY_SIZE:
            _memory.popitem(last=False)


def forget() -> None:
    """Empty this worker's parsed copies (tests)."""
    with _memory_lock:
        _memory.clear()


def fold() -> None:
    """Fold the change rows into one with the same sum: delete what is committed (a write still in progress keeps
    its row, which the delete does not see) and insert the sum of exactly the rows deleted, in one transaction. Two
    folds at once cannot lose a row: the second deletes only what the first left."""
    table = StatisticsChange._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" RETURNING "weight"')  # noqa: S608 — the table's name from the model
        total = sum(weight for (weight,) in cursor.fetchall())
        cursor.execute(f'INSERT INTO "{table}" ("weight") VALUES (%s)', [total])  # noqa: S608


def region_statistics_cached(*, region: Region, year: int) -> dict[str, Any]:
    """``statistics.region_statistics(region, year)``, from the snapshot while it is fresh. Read-only: the same
    dictionary may be handed to other requests of this worker."""
    key, rows, token, version = _key_and_snapshot(region.pk, year)
    if token is not None and version == key:
        with _memory_lock:
            kept = _memory.get(token)
            if kept is not None:
                _memory.move_to_end(token)
        if kept is not None:
            return kept
        stored = StatisticsSnapshot.objects.filter(region=region, year=year, token=token).values_list(
            "statistics", flat=True
        )
        for statistics in stored:
            _remember(token, statistics)
            return statistics
    # The same JSON the snapshot holds, so the first request sees exactly what later ones will.
    computed = report_statistics.region_statistics(region=region, year=year)
    statistics = json.loads(json.dumps(computed, cls=DjangoJSONEncoder))
    token = uuid.uuid4().hex
    # One statement whether the snapshot is new or replaced (INSERT … ON CONFLICT DO UPDATE), so two workers
    # computing at once cannot collide on the (region, year) constraint.
    StatisticsSnapshot.objects.bulk_create(
        [StatisticsSnapshot(region=region, year=year, version=key, token=token, statistics=statistics)],
        update_conflicts=True,
        unique_fields=["region", "year"],
        update_fields=["version", "token", "statistics", "computed_at"],
    )
    _remember(token, statistics)
    if rows > 1:
        fold()  # keeps reading the key cheap; the preview computes rarely, so this is rare too
    return statistics
