"""The load run and the fault run of issue 8, against gunicorn and PostgreSQL on 127.0.0.1.

    .venv/bin/python -m bench.load            # make bench-load: 50 users for 60 s; zero errors, zero lost writes
    .venv/bin/python -m bench.load --fault    # make bench-fault: the same load, one worker killed at 20 s and
                                              # PostgreSQL restarted (pg_ctl restart -m fast) at 30 s

Both start a throwaway PostgreSQL (fsync on) with the demo and the bench people (``bench/world.py``), gunicorn with
sync workers under ``config.settings.bench``, and locust headless (``bench/locustfile.py``). Afterwards they check
the database against every write the app acknowledged (``bench/verify.py``), sweep the pages once more with fresh
sessions, write their section of ``bench/RESULTS.md`` (between markers, so a re-run replaces it) and exit non-zero
if the run failed its criteria:

* load: zero errors, zero lost writes;
* fault: zero lost writes, zero errors in the last 15 s (after recovery), and no 5xx in the sweep after the run.

Raw data (every request, every write, the server log) stays in ``var/bench/<load|fault>/``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import os
import platform
import re
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import requests

from bench import servers
from bench.formdata import form_data

RESULTS = servers.ROOT / "bench" / "RESULTS.md"
RECOVERY_SECONDS = 15
logger = logging.getLogger("bench")


# --- statistics ---------------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_table(records: list[dict[str, Any]], seconds: float) -> list[dict[str, Any]]:
    """Per request type and overall: count, requests/s, p50/p95/p99/max in ms, errors."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[record["name"]].append(record)
    rows = []
    for name, group in [*sorted(groups.items()), ("All requests", records)]:
        times = sorted(r["ms"] for r in group)
        rows.append(
            {
                "name": name,
                "count": len(group),
                "rps": len(group) / seconds if seconds else 0.0,
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "p99": percentile(times, 99),
                "max": times[-1] if times else 0.0,
                "errors": sum(1 for r in group if r["error"]),
            }
        )
    return rows


def error_summary(records: Iterable[dict[str, Any]]) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        if record["error"]:
            counts[f"{record['name']}: {re.sub(r'/[0-9]+', '/<id>', record['error'])[:120]}"] += 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


# --- the machine --------------------------------------------------------------------------------------------------


def machine(stack: servers.BenchStack, workers: int) -> dict[str, str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": f"{os.cpu_count()} (nproc), {cpu}",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "postgresql": stack.pg.version(),
        "gunicorn": f"{metadata.version('gunicorn')}, {workers} sync workers (preloaded)",
        "locust": metadata.version("locust"),
    }


# --- the page sweep after a run -----------------------------------------------------------------------------------


def sweep(base_url: str, manifest: dict[str, Any]) -> list[tuple[str, str, int]]:
    """Log in afresh as the first person of each kind and open every page the run used; (user, path, status)."""
    results = []
    for kind, people in manifest["users"].items():
        person = people[0]
        session = requests.Session()
        login = session.get(base_url + "/accounts/login/", timeout=30)
        data = form_data(login.content, field="username")
        data.update(username=[person["username"]], password=[manifest["password"]])
        answer = session.post(base_url + "/accounts/login/", data=data, allow_redirects=False, timeout=30)
        results.append((person["username"], "POST /accounts/login/", answer.status_code))
        paths = ["/", "/networks/", "/cases/", "/cases/new/", "/action-items/", "/bench/ok/", "/healthz"]
        if person.get("network"):
            paths.append(f"/networks/{person['network']}/")
        if person.get("meeting"):
            paths += [f"/meetings/{person['meeting']}/", f"/meetings/{person['meeting']}/attendance/"]
        if person.get("round"):
            paths += [f"/capacity/rounds/{person['round']}/", f"/capacity/rounds/{person['round']}/dashboard/"]
        for unit, category, scenario in person.get("cells", [])[:2]:
            paths.append(f"/capacity/rounds/{person['round']}/units/{unit}/{category}/{scenario}/")
        for path in paths:
            if kind != "officer" and path.endswith("/attendance/"):
                continue
            try:
                status = session.get(base_url + path, allow_redirects=False, timeout=30).status_code
            except requests.RequestException:
                status = 0
            results.append((person["username"], path, status))
    return results


# --- the run ------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    mode: str
    users: int
    spawn_rate: int
    duration: int
    workers: int
    conn_max_age: int
    out: Path
    health_checks: bool = False
    run_id: str = field(default_factory=lambda: secrets.token_hex(3))
    events: list[tuple[float, str]] = field(default_factory=list)
    started: float = 0.0  # when the measured load started (everyone logged in)
    locust_started: float = 0.0


LOGIN_ALLOWANCE = 300  # seconds locust may take to log everyone in before the measured load starts


def run_locust(run: Run, stack: servers.BenchStack, during: Callable[[], None]) -> None:
    """Run locust until it stops by itself (``run.duration`` after everyone has logged in); ``during()`` runs
    once the measured load has started (``run.started`` is set then)."""
    env = {
        **os.environ,
        "BENCH_MANIFEST": str(run.out / "manifest.json"),
        "BENCH_OUT": str(run.out),
        "BENCH_RUN": run.run_id,
        "BENCH_DURATION": str(run.duration),
        "BENCH_LOGINS": str(run.workers),
        "PYTHONPATH": str(servers.ROOT),
    }
    args = [
        str(servers.ROOT / ".venv" / "bin" / "locust"),
        "-f",
        str(servers.ROOT / "bench" / "locustfile.py"),
        "--headless",
        f"--users={run.users}",
        f"--spawn-rate={run.spawn_rate}",
        f"--run-time={run.duration + LOGIN_ALLOWANCE}s",  # a cap only: locust stops itself after the load
        "--stop-timeout=30",
        f"--host={stack.app.base_url}",
        "--only-summary",
        "--loglevel=WARNING",
    ]
    measure = run.out / "measure.json"
    with (run.out / "locust.log").open("wb") as log:
        run.locust_started = time.time()
        process = subprocess.Popen(args, cwd=servers.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while not measure.exists() and process.poll() is None:
                time.sleep(0.2)
            if measure.exists():
                run.started = float(json.loads(measure.read_text())["start"])
                logger.info("everyone logged in: %s s of load starts now", run.duration)
                during()
            process.wait(timeout=run.duration + LOGIN_ALLOWANCE + 120)
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    if not (run.out / "requests.jsonl").exists():
        raise RuntimeError(f"locust wrote no results; see {run.out / 'locust.log'}")
    if not run.started:
        raise RuntimeError(f"not every virtual user could log in; see {run.out / 'locust.log'}")


def inject_faults(run: Run, stack: servers.BenchStack) -> Callable[[], None]:
    """Kill a worker at 20 s and restart PostgreSQL at 30 s (of a 60 s run; scaled for other durations)."""

    def at(offset: float) -> None:
        time.sleep(max(0.0, run.started + offset - time.time()))

    def faults() -> None:
        if run.mode != "fault":
            return
        at(run.duration / 3)
        pid = stack.app.kill_worker()
        run.events.append((time.time(), f"SIGKILL gunicorn worker {pid}"))
        at(run.duration / 2)
        run.events.append((time.time(), "pg_ctl restart -m fast"))
        took = stack.pg.restart()
        run.events.append((time.time(), f"PostgreSQL accepts connections again ({took:.1f} s after the restart)"))

    return faults


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def execute(run: Run) -> tuple[bool, str]:
    run.out.mkdir(parents=True, exist_ok=True)
    for old in run.out.glob("*"):
        if old.is_file():
            old.unlink()
    manifest_path = run.out / "manifest.json"

    def prepare(database_url: str) -> None:
        servers.python(database_url, "-m", "bench.world", f"--users={run.users}", f"--manifest={manifest_path}")

    app_env = {"DB_CONN_MAX_AGE": str(run.conn_max_age)}
    if run.health_checks:
        app_env["BENCH_CONN_HEALTH_CHECKS"] = "true"
    with servers.bench_stack(
        workers=run.workers, max_seconds=run.duration + 1800, app_env=app_env, log_dir=run.out, prepare=prepare
    ) as stack:
        about = machine(stack, run.workers)
        run_locust(run, stack, inject_faults(run, stack))
        workers_after = len(stack.app.worker_pids())
        manifest = json.loads(manifest_path.read_text())
        swept = sweep(stack.app.base_url, manifest)
        if run.mode == "fault":
            # A restart with no load: a worker holding a stale connection would answer its next request with a 500
            # (which the load above hides among the errors of the restart itself).
            run.events.append(
                (time.time(), "after the load: pg_ctl restart -m fast with no load, then the sweep again")
            )
            stack.pg.restart()
            swept += [
                (user, f"{path} (after the idle restart)", status)
                for user, path, status in sweep(stack.app.base_url, manifest)
            ]
        check = servers.python(
            stack.database_url,
            "-m",
            "bench.verify",
            f"--writes={run.out / 'writes.jsonl'}",
            f"--since={run.locust_started - 1}",
            f"--run={run.run_id}",
        )
    verified: dict[str, dict[str, Any]] = json.loads(check.strip().splitlines()[-1])
    records = load_jsonl(run.out / "requests.jsonl")
    writes = load_jsonl(run.out / "writes.jsonl")
    server_log = (run.out / "gunicorn.log").read_text(errors="replace")
    return report(run, about, records, writes, verified, swept, workers_after, server_log)


def report(
    run: Run,
    about: dict[str, str],
    records: list[dict[str, Any]],
    writes: list[dict[str, Any]],
    verified: dict[str, dict[str, Any]],
    swept: list[tuple[str, str, int]],
    workers_after: int,
    server_log: str,
) -> tuple[bool, str]:
    checks = [r for r in records if r["name"].startswith("CHECK ")]  # a saved write not shown on its page
    ramp = [r for r in records if r["t"] < run.started and not r["name"].startswith("CHECK ")]
    records = [r for r in records if r["t"] >= run.started and not r["name"].startswith("CHECK ")]
    seconds = float(run.duration)
    table = latency_table(records, seconds)
    ramp_logins = sorted(r["ms"] for r in ramp if r["name"] == "POST /accounts/login/")
    ramp_seconds = max((r["t"] + r["ms"] / 1000 for r in ramp), default=run.started) - min(
        (r["t"] for r in ramp), default=run.started
    )
    ramp_errors = sum(1 for r in ramp if r["error"])
    errors = sum(1 for r in records if r["error"]) + len(checks) + ramp_errors
    lost = sum(v["lost"] for v in verified.values())
    unexplained = sum(v["unexplained"] for v in verified.values())
    recovery_from = run.started + run.duration - RECOVERY_SECONDS
    late_errors = [r for r in records if r["error"] and r["t"] >= recovery_from]
    sweep_5xx = [s for s in swept if s[2] >= 500 or s[2] == 0]
    sweep_other = [s for s in swept if s[2] not in (200, 302) and s not in sweep_5xx]
    server_errors = server_log.count("Internal Server Error")
    if run.mode == "load":
        passed = errors == 0 and lost == 0 and unexplained == 0 and not sweep_5xx
        criteria = "zero errors and zero lost writes under the load"
    else:
        passed = lost == 0 and unexplained == 0 and not late_errors and not sweep_5xx
        criteria = (
            f"zero lost writes, zero errors in the last {RECOVERY_SECONDS} s (after recovery), no 5xx in the sweep"
        )

    title = "Load (issue 8)" if run.mode == "load" else "Faults (issue 8)"
    lines = [f"## {title}", ""]
    command = "make bench-load" if run.mode == "load" else "make bench-fault"
    lines += [
        f"`{command}` (`.venv/bin/python -m bench.load{' --fault' if run.mode == 'fault' else ''}`): "
        f"{run.users} virtual users (locust, headless, spawned at {run.spawn_rate}/s, 0.5–1.5 s between tasks) "
        f"for {run.duration} s against gunicorn and PostgreSQL on 127.0.0.1, `config.settings.bench` "
        f"(production settings over plain http), `DB_CONN_MAX_AGE={run.conn_max_age}`"
        f"{', `CONN_HEALTH_CHECKS=True`' if run.health_checks else ''}, PostgreSQL with fsync on. "
        f"Locust runs on the same machine as the server.",
        "",
        f"**Result: {'PASS' if passed else 'FAIL'}** — {criteria}.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in about.items()],
        "",
    ]
    if run.mode == "fault":
        lines += ["What happened (seconds from the start of the load):", ""]
        lines += [f"- {t - run.started:5.1f} s: {what}" for t, what in run.events]
        lines += [
            f"- gunicorn workers after the run: {workers_after} of {run.workers}",
            "",
            f"Errors during the faults: {errors} of {len(records)} requests; in the last {RECOVERY_SECONDS} s "
            f"(from {run.duration - RECOVERY_SECONDS} s): **{len(late_errors)}**. Errors per 5 s:",
            "",
            "| from (s) | requests | errors |",
            "|---:|---:|---:|",
        ]
        buckets: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for r in records:
            bucket = int((r["t"] - run.started) // 5) * 5
            buckets[bucket][0] += 1
            buckets[bucket][1] += 1 if r["error"] else 0
        lines += [f"| {b} | {n} | {e} |" for b, (n, e) in sorted(buckets.items())]
        lines += [""]
    lines += [
        f"Logging in first (not in the figures below): {len(ramp_logins)} logins in {ramp_seconds:.0f} s while the "
        f"users were spawned, `POST /accounts/login/` p50 {percentile(ramp_logins, 50):.0f} ms, p95 "
        f"{percentile(ramp_logins, 95):.0f} ms (Argon2), {ramp_errors} errors.",
        "",
        f"Throughput: **{len(records) / seconds:.1f} requests/s** ({len(records)} requests in {seconds:.0f} s), "
        f"errors: **{errors}**, 500 pages in the server log: {server_errors}.",
        "",
        "| request | count | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {'**' + r['name'] + '**' if r['name'] == 'All requests' else '`' + r['name'] + '`'} | {r['count']} | "
        f"{r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} | {r['errors']} |"
        for r in table
    ]
    lines += [
        "",
        "Writes: acknowledged by the app (redirect after success) against what the database holds afterwards "
        "(`bench/verify.py`).",
        "",
        "| write | attempted | acknowledged | in the database | lost | saved without acknowledgement | unexplained |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "case": "submit a case",
        "action_item": "update an action item",
        "attendance": "save attendance",
        "capacity": "submit a capacity entry",
    }
    for kind, label in names.items():
        v = verified.get(kind, {})
        lines.append(
            f"| {label} | {v.get('attempted', 0)} | {v.get('acknowledged', 0)} | {v.get('in_database', 0)} | "
            f"**{v.get('lost', 0)}** | {v.get('saved_without_acknowledgement', 0)} | {v.get('unexplained', 0)} |"
        )
    lines += [""]
    summary = error_summary([*records, *checks])
    if summary:
        lines += ["Errors by kind:", ""]
        lines += [f"- {n} × {what}" for what, n in summary[:12]]
        lines += [""]
    lines += [
        f"Sweep after the run{' and again after a restart with no load' if run.mode == 'fault' else ''} "
        f"(fresh login per kind of user, {len(swept)} requests): "
        f"{len(sweep_5xx)} server errors or no answer"
        + (": " + ", ".join(f"`{p}` {s}" for _, p, s in sweep_5xx) if sweep_5xx else "")
        + (f"; other statuses: {', '.join(f'`{p}` {s}' for _, p, s in sweep_other)}" if sweep_other else "")
        + ".",
        "",
    ]
    return passed, "\n".join(lines)


def write_section(mode: str, text: str, path: Path = RESULTS) -> None:
    """Replace this mode's section of RESULTS.md (between its markers), or append it; other sections stay."""
    begin, end = f"<!-- bench:{mode}:begin -->", f"<!-- bench:{mode}:end -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    current = path.read_text() if path.exists() else "# Benchmark results\n\nWritten by the `make bench-*` targets.\n"
    if begin in current and end in current:
        before, rest = current.split(begin, 1)
        after = rest.split(end, 1)[1]
        updated = before + block + after
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(updated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The load and fault runs of issue 8 (see bench/README.md).")
    parser.add_argument("--fault", action="store_true", help="kill a worker and restart PostgreSQL during the load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=servers.DEFAULT_WORKERS, help="gunicorn workers")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE for the app (production: 60)")
    parser.add_argument(
        "--conn-health-checks", action="store_true", help="CONN_HEALTH_CHECKS on (production has it on already)"
    )
    parser.add_argument("--no-results", action="store_true", help="print the section instead of updating RESULTS.md")
    args = parser.parse_args(argv)
    mode = "fault" if args.fault else "load"
    run = Run(
        mode=mode,
        users=args.users,
        spawn_rate=args.spawn_rate,
        duration=args.duration,
        workers=args.workers,
        conn_max_age=args.conn_max_age,
        health_checks=args.conn_health_checks,
        out=servers.ROOT / "var" / "bench" / mode,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    servers.install_signal_handlers()
    passed, text = execute(run)
    if args.no_results:
        print(text)
    else:
        write_section(mode, text)
        print(text)
        print(f"\nWritten to {RESULTS.relative_to(servers.ROOT)}; raw data in {run.out.relative_to(servers.ROOT)}/")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
