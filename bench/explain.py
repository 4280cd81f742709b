"""The SQL behind the benchmarked pages: queries per page, and PostgreSQL's EXPLAIN (ANALYZE) of the heaviest.

Run by ``bench/pages.py`` in the bench environment (``servers.bench_env``), against the generated database::

    python bench/explain.py pages.json > explain.json

``pages.json`` is a list of ``{"key", "path", "username"}``. Each page is requested twice in-process with Django's
test client (the second, warm request is the one recorded) with every query captured; every distinct query is
then run again under ``EXPLAIN (ANALYZE, BUFFERS)`` and the slowest by PostgreSQL's own planning and execution
time are kept.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fagnett.accounts.models import User

HEAVIEST = 6
_LITERALS = re.compile(r"'[^']*'|\b\d+\b")


def shape(sql: str) -> str:
    """The query with its literals blanked out, to tell the same query with other values apart from another."""
    return _LITERALS.sub("?", sql)


def _milliseconds(plan: str, label: str) -> float:
    found = re.search(rf"{label}: ([\d.]+) ms", plan)
    return float(found.group(1)) if found else 0.0


def measure(pages: list[dict[str, str]]) -> dict[str, Any]:
    client = Client(SERVER_NAME="127.0.0.1")
    per_page: dict[str, Any] = {}
    captured: list[tuple[float, str, str]] = []  # seconds, page key, sql
    for page in pages:
        client.force_login(User.objects.get(username=page["username"]))
        client.get(page["path"])  # warm-up: caches, the session's first save
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page["path"])
        times = [float(q["time"]) for q in queries.captured_queries]
        per_page[page["key"]] = {
            "status": response.status_code,
            "queries": len(queries.captured_queries),
            "sql_ms": round(1000 * sum(times), 1),
        }
        captured += [(float(q["time"]), page["key"], q["sql"]) for q in queries.captured_queries]
    # The captured times are wall-clock and suffer from whatever else runs on the machine; PostgreSQL's own
    # "Planning Time" and "Execution Time" do not, so every distinct query is explained and those times rank them.
    explains = []
    seen: set[str] = set()
    for seconds, key, sql in sorted(captured, reverse=True):
        if not sql.lstrip().upper().startswith("SELECT") or shape(sql) in seen:
            continue
        seen.add(shape(sql))
        plan, planning, execution = "", 0.0, 1000 * seconds
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            planning = _milliseconds(plan, "Planning Time")
            execution = _milliseconds(plan, "Execution Time")
        explains.append(
            {"page": key, "ms": round(planning + execution, 2), "planning_ms": planning, "execution_ms": execution,
             "sql": sql, "plan": plan}
        )  # fmt: skip
    explains.sort(key=lambda item: -item["ms"])
    del explains[HEAVIEST:]
    return {"pages": per_page, "explains": explains}


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(Path(sys.argv[1]).read_text()))))
