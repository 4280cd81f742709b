"""What a page costs in CPU, in-process: Python and PostgreSQL apart, as a ratio to the bare view (issue 23).

Run by ``bench/pages.py`` in the bench environment (``servers.bench_env``), against the generated database::

    python bench/cpu.py pages.json [--rounds 15 --requests 10] > cpu.json

``pages.json`` is a list of ``{"key", "path", "username"}``; the bare view (``/bench/ok/``, whole middleware stack,
no template, no query of its own) is added first, then the layout alone (``/bench/layout/``: what every page pays
before its own content). Every request goes through Django's test client and the whole
middleware stack, with the page's own login and session, in this one process — no HTTP server, no wrk, nothing else
sharing the measurement. Each round requests every page ``--requests`` times, the pages one after the other, so a
change in the machine's speed during the run touches every page alike (interleaved); the result per page is the
median over the rounds of the CPU per request:

- *Python*: this process's CPU time (``time.process_time``), which is the Django side of the request;
- *PostgreSQL*: the CPU time of this connection's server process, read from ``/proc/<pid>/schedstat`` (the
  scheduler's own nanosecond count; ``/proc/<pid>/stat`` counts in 10 ms ticks, too coarse for one request). The
  database must run on this machine, as the benchmark's throwaway server does.

The requests run inside one large chunk of CPython's frame stack, as under the app servers' worker
(``config.workers``), so the frame-stack allocator's system calls (gh-142183) are not counted where production
does not make them.

The ratio to the bare view is what the targets are written in: the machine's speed cancels out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()

from django.db import connection
from django.test import Client

from config.workers import in_large_stack_chunk
from fagnett.accounts.models import User

BARE = {"key": "bare", "path": "/bench/ok/"}
#: the layout alone (base.html with no content): what every page costs before its own content
LAYOUT = {"key": "layout", "path": "/bench/layout/"}


def backend_cpu_ns(pid: int | None) -> int:
    """The database server process's CPU time so far, in nanoseconds (0 where it cannot be read)."""
    if pid is None:
        return 0
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def measure(pages: list[dict[str, str]], *, rounds: int, requests: int) -> dict[str, Any]:
    pages = [BARE | {"username": pages[0]["username"]}, LAYOUT | {"username": pages[0]["username"]}, *pages]
    clients: dict[str, Client] = {}
    for page in pages:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(User.objects.get(username=page["username"]))
        for _ in range(2):  # warm-up: caches, the session's first save, compiled templates
            status = client.get(page["path"]).status_code
        if status != 200:
            raise SystemExit(f"{page['path']} answered {status}")
        clients[page["key"]] = client
    pid = backend_pid()  # the connection stays open for the whole run (one thread, CONN_MAX_AGE or not, in-process)
    samples: dict[str, dict[str, list[float]]] = {p["key"]: {"python": [], "postgresql": []} for p in pages}
    for _ in range(rounds):
        for page in pages:
            client = clients[page["key"]]
            python_before, db_before = time.process_time_ns(), backend_cpu_ns(pid)
            for _ in range(requests):
                client.get(page["path"])
            python_ns = time.process_time_ns() - python_before
            db_ns = backend_cpu_ns(pid) - db_before
            samples[page["key"]]["python"].append(python_ns / requests / 1e6)
            samples[page["key"]]["postgresql"].append(db_ns / requests / 1e6)
    bare = samples["bare"]
    bare_total = statistics.median(bare["python"]) + statistics.median(bare["postgresql"])
    result: dict[str, Any] = {"rounds": rounds, "requests": requests, "database": connection.vendor, "pages": {}}
    for key, sample in samples.items():
        python_ms = statistics.median(sample["python"])
        db_ms = statistics.median(sample["postgresql"])
        result["pages"][key] = {
            "python_ms": round(python_ms, 2),
            "postgresql_ms": round(db_ms, 2),
            "ratio": round((python_ms + db_ms) / bare_total, 2) if bare_total else None,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    pages = json.loads(args.pages.read_text())
    # As the app servers' worker does (config.workers.SyncWorker): every request's frames in one large chunk of
    # CPython's frame stack. Outside it, Python 3.11 maps and unmaps a 16 KiB chunk each time a deep page's calls
    # cross a chunk's edge (gh-142183) — ~1 660 mmap calls per request of the network list — which production does
    # not pay, so the measurement would not be of what is served.
    print(json.dumps(in_large_stack_chunk(measure, pages, rounds=args.rounds, requests=args.requests)))


if __name__ == "__main__":
    main()
