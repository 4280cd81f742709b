"""A draft annual report's statistics, computed once per (region, year) and kept until something they are computed
from changes (issue 23).

There is no shared cache server (several gunicorn hosts, one PostgreSQL), so the statistics are kept in the
database (``StatisticsSnapshot``) with the **freshness key** they were computed under, and each worker keeps its own
parsed copy of the snapshots it has read. The key is the sum of ``StatisticsChange.weight``; every statement that
writes to a table the statistics are read from inserts a change row in the same transaction.

How writes are seen: through ``core.freshness`` (``STATISTICS`` below), the mechanism every kept value uses: one
database execute wrapper on every connection sees every INSERT, UPDATE and DELETE Django sends, whatever made it
(model signals would miss ``QuerySet.update()``, ``bulk_create`` and hand-written SQL), and inserts a change row in
the same transaction. What this module adds is the snapshot: kept in the database, so every app server can use it.

Why it is correct: the key is read *before* the statistics are computed, and a write's change row commits together
with the write. A snapshot stored under key ``v`` therefore holds everything committed when ``v`` was read (and
perhaps more); any write committed afterwards makes the key larger than ``v``, so the snapshot is never used again.
The key never decreases: folding the change rows into one keeps the sum, and a fold racing another only adds. A
write rolled back takes its snapshot with it: the snapshot is written in the same transaction, and a worker keeps a
parsed copy only under the snapshot's random token, which it reads from the database (so, unlike
``Freshness.key``'s users, this needs no check for a transaction still open).

What it costs: one extra INSERT per write statement to those tables; on each preview, one query for the key and the
snapshot's name (plus one for the snapshot when this worker has not parsed it yet). The key is global, not per
region: a write in one region also makes the other regions' snapshots recompute on their next opening — cheap to
know, always safe; a per-region key would need the region of every written row.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Model

from fagnett.core import freshness as core_freshness
from fagnett.core.freshness import Freshness, Tables
from fagnett.core.memo import ProcessMemo
from fagnett.organisations.models import Region
from fagnett.reports import statistics as report_statistics
from fagnett.reports.models import StatisticsChange, StatisticsSnapshot

#: parsed snapshots a worker keeps (a few regions × a few years)
MEMORY_SIZE = 32


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


def source_tables() -> Tables:
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


STATISTICS = Freshness(StatisticsChange, source_tables)


def connect() -> None:
    """Watch every connection for writes to the statistics' tables (``ReportsConfig.ready``)."""
    core_freshness.connect(STATISTICS)


def fold() -> None:
    """Fold the change rows into one with the same sum (``Freshness.fold``)."""
    STATISTICS.fold()


# --- Reading ------------------------------------------------------------------------------------------------------

#: this worker's parsed snapshots, by token
_memory: ProcessMemo[dict[str, Any]] = ProcessMemo(size=MEMORY_SIZE)


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


def forget() -> None:
    """Empty this worker's parsed copies (tests)."""
    _memory.clear()


def region_statistics_cached(*, region: Region, year: int) -> dict[str, Any]:
    """``statistics.region_statistics(region, year)``, from the snapshot while it is fresh. Read-only: the same
    dictionary may be handed to other requests of this worker."""

    # The same JSON the snapshot holds, so the first request sees exactly what later ones will.
    def computed() -> dict[str, Any]:
        return json.loads(
            json.dumps(report_statistics.region_statistics(region=region, year=year), cls=DjangoJSONEncoder)
        )

    key, rows, token, version = _key_and_snapshot(region.pk, year)
    if token is not None and version == key:
        kept = _memory.get(token)
        if kept is not None:
            return kept
        stored = StatisticsSnapshot.objects.filter(region=region, year=year, token=token).values_list(
            "statistics", flat=True
        )
        for statistics in stored:
            return _memory.put(token, statistics)
    statistics = computed()
    token = uuid.uuid4().hex
    # One statement whether the snapshot is new or replaced (INSERT … ON CONFLICT DO UPDATE), so two workers
    # computing at once cannot collide on the (region, year) constraint.
    StatisticsSnapshot.objects.bulk_create(
        [StatisticsSnapshot(region=region, year=year, version=key, token=token, statistics=statistics)],
        update_conflicts=True,
        unique_fields=["region", "year"],
        update_fields=["version", "token", "statistics", "computed_at"],
    )
    _memory.put(token, statistics)
    if rows > 1:
        fold()  # keeps reading the key cheap; the preview computes rarely, so this is rare too
    return statistics
