"""Benchmarks at national scale (issue 9): the generator's speed, and the ten busiest pages under load.

    python bench/pages.py data                  # make bench-data: generate on SQLite and on PostgreSQL, timed
    python bench/pages.py run --label before    # make bench-pages: serve the national data and measure

``run`` starts a throwaway PostgreSQL (``bench/servers.py``), migrates it, generates the national data into it
(``bench/generate.py``), and serves it with gunicorn (sync workers, the bench settings) on 127.0.0.1. Then, for
each page and for the bare view that answers "ok" from the same server, wrk keeps 20 connections busy for 30 s,
each request carrying one of 20 sessions of the page's login; p50 and p95 come from wrk's latency histogram. It
also times the regional annual report as DOCX and PDF (33 networks, computed live from the records), the capacity
recommendation, and the import of a 5 004-row capacity workbook; reads every worker's peak memory (VmHWM); and
asks PostgreSQL to EXPLAIN (ANALYZE) the slowest queries the pages run; and, if asked (``--compare-conn-max-age``),
measures the bare view and four pages again from a second server with another ``DB_CONN_MAX_AGE`` (production
keeps connections for 60 s; 0 opens one per request). The results go into bench/RESULTS.md between this run's
markers, with the machine they were measured on and its load average. wrk shares the two cores with the server.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers

ROOT = servers.ROOT
RESULTS = ROOT / "bench" / "RESULTS.md"
WORK = ROOT / "var" / "bench"
LUA = ROOT / "bench" / "pages.lua"
GENERATE = ROOT / "bench" / "generate.py"
PASSWORD = "bench"  # noqa: S105 — the generated benchmark logins, on a throwaway database

# The targets of issue 9.
P95_TARGET_MS = 100
RATIO_TARGET = 3.0
DOCUMENT_TARGET_S = 5.0
IMPORT_TARGET_S = 5.0
WORKER_TARGET_MB = 200
WORKER_TIMEOUT_S = 600
#: how many of the pages are measured again with persistent database connections
COMPARED_PAGES = 4
#: issue 23: a page's in-process CPU (Python + PostgreSQL) at most this many times the bare view's; the annual report's
CPU_PAGE_TARGET = 6.0
CPU_REPORT_TARGET = 15.0


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    login: str  # the generated login of region 1 that opens it
    path: str


PAGES = [
    Page("start", "Start page", "leder", "/"),
    Page("networks", "Network list", "koordinator", "/networks/"),
    Page("network", "Network detail", "leder", "/networks/{network}/"),
    Page("meeting", "Meeting detail", "leder", "/meetings/{meeting}/"),
    Page("cases", "Case list with filters", "koordinator", "/cases/?status=closed&year={last_year}"),
    Page("action_items", "My action items", "medlem", "/action-items/"),
    Page("overview", "Regional overview", "koordinator", "/meetings/overview/"),
    Page("dashboard", "Capacity dashboard", "koordinator", "/capacity/rounds/{round}/dashboard/"),
    Page("dimensioning", "Dimensioning", "koordinator", "/capacity/rounds/{round}/dimensioning/"),
    Page("annual_report", "Annual-report preview", "koordinator", "/regions/{region}/annual-report/{last_year}/"),
    Page("start_coordinator", "Start page (coordinator)", "koordinator", "/"),
]
BARE = Page("bare", "Bare view (“ok”)", "koordinator", "/bench/ok/")
#: the page layout alone, measured in-process only (bench/cpu.py): the floor of every page
LAYOUT = Page("layout", "Layout alone (base.html)", "koordinator", "/bench/layout/")


def today() -> str:
    return datetime.datetime.now(datetime.UTC).astimezone().date().isoformat()


def thousands(n: int) -> str:
    """12 345 (Norwegian style, a thin space; never a comma that could be read as a decimal)."""
    return f"{n:,}".replace(",", "\u202f")


def username(login: str) -> str:
    return f"bench-{login}-1"


# --- the machine ------------------------------------------------------------------------------------------------


def machine(pg_version: str = "") -> list[str]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    os_name = ""
    if Path("/etc/os-release").exists():
        os_name = (
            dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
            .get("PRETTY_NAME", "")
            .strip('"')
        )
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    versions = subprocess.run(
        [servers.PYTHON, "-c", "import django, gunicorn; print(django.get_version(), gunicorn.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    lines = [
        f"- CPU: {os.cpu_count()} × {cpu}; memory {mem_kb / 1024 / 1024:.1f} GiB",
        f"- OS: {os_name}, Linux {platform.release()}; Python {platform.python_version()}"
        + (f", Django {versions[0]}, gunicorn {versions[1]}" if len(versions) == 2 else ""),
        f"- wrk: {(wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else 'not found'}",
    ]
    if pg_version:
        lines.append(f"- PostgreSQL {pg_version} (throwaway cluster on 127.0.0.1, default configuration)")
    lines.append(f"- load average when the run started: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return lines


# --- generating -------------------------------------------------------------------------------------------------


@dataclass
class Generated:
    seconds: float
    output: str

    @property
    def rows(self) -> dict[str, int]:
        found = {}
        for line in self.output.splitlines():
            match = re.match(r"^  (\S+)\s+([\d ]+)$", line)
            if match:
                found[match.group(1)] = int(match.group(2).replace(" ", ""))
        return found

    @property
    def steps(self) -> list[tuple[str, float]]:
        return [
            (m.group(1).strip(), float(m.group(2)))
            for m in re.finditer(r"^  (.+?)\s+(\d+\.\d) s$", self.output, re.MULTILINE)
        ]


def generate(database_url: str, *, scale: float, seed: int) -> Generated:
    started = time.monotonic()
    output = servers.python(database_url, str(GENERATE), "--scale", str(scale), "--seed", str(seed), timeout=3600)
    return Generated(seconds=time.monotonic() - started, output=output)


def migrate(database_url: str) -> None:
    servers.prepare_database(database_url, demo=False)


def command_data(args: argparse.Namespace) -> None:
    """Generate the national data on SQLite and on PostgreSQL, timed; write the generator's section."""
    WORK.mkdir(parents=True, exist_ok=True)
    sqlite_path = WORK / "national.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    sqlite_url = f"sqlite:///{sqlite_path}"
    print("SQLite: migrating and generating …", flush=True)
    migrate(sqlite_url)
    on_sqlite = generate(sqlite_url, scale=args.scale, seed=args.seed)
    print(on_sqlite.output, flush=True)
    sqlite_mb = sqlite_path.stat().st_size / 1e6
    with servers.postgres() as pg:
        database_url = servers.create_database(pg)
        print("PostgreSQL: migrating and generating …", flush=True)
        migrate(database_url)
        on_pg = generate(database_url, scale=args.scale, seed=args.seed)
        print(on_pg.output, flush=True)
        pg_mb = int(pg.psql("SELECT pg_database_size('fagnett')").strip()) / 1e6
        lines = [
            f"Measured {today()} with `make bench-data` (`bench/pages.py data`): "
            f"`bench/generate.py --scale {args.scale} --seed {args.seed}` into a freshly migrated database.",
            "",
            *machine(pg.version()),
            "",
            "| | SQLite | PostgreSQL |",
            "|---|---:|---:|",
            f"| wall-clock time (incl. starting Python) | {on_sqlite.seconds:.0f} s | {on_pg.seconds:.0f} s |",
            f"| database size | {sqlite_mb:.0f} MB | {pg_mb:.0f} MB |",
        ]
        sqlite_steps = dict(on_sqlite.steps)
        for name, seconds in on_pg.steps:
            lines.append(f"| – {name} | {sqlite_steps.get(name, 0):.1f} s | {seconds:.1f} s |")
        lines += ["", "Rows written (the same on both databases):", "", "| table | rows |", "|---|---:|"]
        rows = on_pg.rows
        for label, n in rows.items():
            if label != "total":
                lines.append(f"| {label} | {n:,} |".replace(",", " "))
        lines.append(f"| **total** | **{rows.get('total', sum(rows.values())):,}** |".replace(",", " "))
        if on_sqlite.rows != rows:
            lines.append("")
            lines.append("**The two databases got different row counts** — see the generator's output.")
    write_section("generator", "Generator (issue 9)", lines)


# --- measuring ----------------------------------------------------------------------------------------------------


def login(base_url: str, user: str) -> str:
    """Log in through the real form; returns the session cookie as a Cookie header value."""
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    response = session.post(
        f"{base_url}/accounts/login/",
        data={"username": user, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base_url}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"could not log in as {user} ({response.status_code})")
    return f"sessionid={session.cookies['sessionid']}"


def check_page(url: str, cookie: str) -> int:
    response = requests.get(url, headers={"Cookie": cookie}, allow_redirects=False, timeout=60)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}, not 200")
    return len(response.content)


def _cpu_of(pid: int, *, reaped_children: bool = False) -> float:
    """Seconds of CPU a process has used (and, with ``reaped_children``, its exited children), from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # fields 3… of proc(5); the name may hold spaces
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def server_cpu(app: servers.GunicornServer, pg: servers.PostgresServer) -> float:
    """CPU seconds used so far by gunicorn's workers and by PostgreSQL (the postmaster, its live processes and the
    backends that have exited). Unlike latency this does not depend on what else the machine is running."""
    postmaster = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
    total = sum(_cpu_of(pid) for pid in app.worker_pids())
    total += _cpu_of(postmaster, reaped_children=True) + sum(_cpu_of(pid) for pid in _children(postmaster))
    return total


def wrk(
    url: str, cookies: list[str], *, seconds: int, connections: int, meter: Callable[[], float] | None = None
) -> dict[str, Any]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url, "--", *cookies]
    load_before = os.getloadavg()[0]
    cpu_before = meter() if meter else 0.0
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr}")
    time.sleep(0.5)  # the last backends exit and are reaped
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    summary["rps"] = summary["requests"] / summary["seconds"]
    summary["load"] = (load_before, os.getloadavg()[0])
    summary["cpu_ms"] = 1000 * (meter() - cpu_before) / summary["requests"] if meter and summary["requests"] else 0.0
    return summary


def timed_get(url: str, cookie: str, *, times: int = 3) -> list[float]:
    durations = []
    for _ in range(times):
        started = time.monotonic()
        response = requests.get(url, headers={"Cookie": cookie}, timeout=120)
        durations.append(time.monotonic() - started)
        if response.status_code != 200 or len(response.content) < 1000:
            raise RuntimeError(f"{url} answered {response.status_code} ({len(response.content)} bytes)")
    return durations


def timed_import(base_url: str, cookie: str, round_id: int, workbook: Path) -> float:
    url = f"{base_url}/capacity/rounds/{round_id}/upload/"
    session = requests.Session()
    page = session.get(url, headers={"Cookie": cookie}, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the upload page")
    csrf = session.cookies.get("csrftoken", "")
    started = time.monotonic()
    with workbook.open("rb") as file:
        response = session.post(
            url,
            headers={"Cookie": f"{cookie}; csrftoken={csrf}", "Referer": url},
            data={"csrfmiddlewaretoken": token.group(1), "confirm_jumps": "on"},
            files={"file": (workbook.name, file, "application/octet-stream")},
            allow_redirects=False,
            timeout=600,
        )
    seconds = time.monotonic() - started
    if response.status_code != 302:
        raise RuntimeError(f"the import was refused ({response.status_code}): {response.text[:2000]}")
    return seconds


def peak_memory_mb(app: servers.GunicornServer) -> list[float]:
    peaks = []
    for pid in app.worker_pids():
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return peaks


@contextlib.contextmanager
def serve(tree: Path, database_url: str, *, workers: int, env: dict[str, str], log_dir: Path) -> Iterator[Any]:
    """``servers.gunicorn`` serving the code in ``tree`` (the working tree, or a copy of it without the fixes)."""
    saved = servers.ROOT
    servers.ROOT = tree  # read once, when gunicorn's command line is built
    try:
        manager = servers.gunicorn(database_url, workers=workers, env=env, log_dir=log_dir, timeout=WORKER_TIMEOUT_S)
        app = manager.__enter__()
    finally:
        servers.ROOT = saved
    try:
        yield app
    except BaseException:
        if not manager.__exit__(*sys.exc_info()):
            raise
    else:
        manager.__exit__(None, None, None)


@dataclass
class Side:
    """One code tree under test (``before`` or ``after``) and what was measured on it."""

    label: str
    tree: Path
    fixture: dict[str, Any]
    workbook: Path
    explained: dict[str, Any] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, list[float]] = field(default_factory=dict)
    memory: dict[str, list[float]] = field(default_factory=dict)
    import_seconds: float = 0.0
    compared: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: in-process CPU per request, Python and PostgreSQL apart, and the ratio to the bare view (``bench/cpu.py``)
    cpu: dict[str, Any] = field(default_factory=dict)


def command_run(args: argparse.Namespace) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    servers.install_signal_handlers()
    app_env = {"DB_CONN_MAX_AGE": str(args.conn_max_age)} if args.conn_max_age is not None else {}
    trees = [("before", args.before_tree.resolve()), (args.label, ROOT)] if args.before_tree else [(args.label, ROOT)]
    with servers.postgres() as pg, tempfile.TemporaryDirectory(prefix="fagnett-bench-pages.") as tmp:
        database_url = servers.create_database(pg)
        machine_lines = machine(pg.version())
        print("Migrating and generating the national data …", flush=True)
        migrate(database_url)
        generated = generate(database_url, scale=args.scale, seed=args.seed)
        print(f"  generated in {generated.seconds:.0f} s", flush=True)
        sides = []
        for label, tree in trees:
            workbook = Path(tmp) / f"capacity-5004-rows-{label}.xlsx"
            fixture = json.loads(servers.python(database_url, str(GENERATE), "--import-fixture", str(workbook)))
            sides.append(Side(label=label, tree=tree, fixture=fixture, workbook=workbook))
        targets = json.loads(servers.python(database_url, str(GENERATE), "--targets"))
        pages_file = Path(tmp) / "pages.json"
        pages_file.write_text(
            json.dumps([{"key": p.key, "path": p.path.format(**targets), "username": username(p.login)} for p in PAGES])
        )
        # One side after the other, each with its own server and logins: the two trees may hash passwords
        # differently (Argon2's parameters), and a login that rehashes a password ends that person's other sessions.
        for side in sides:
            print(f"[{side.label}] the pages' queries, and EXPLAIN (ANALYZE) of the slowest …", flush=True)
            side.explained = json.loads(
                servers.python(database_url, str(side.tree / "bench" / "explain.py"), str(pages_file))
            )
            cpu_script = side.tree / "bench" / "cpu.py"
            if cpu_script.exists():  # an older tree may not have it
                print(f"[{side.label}] in-process CPU per page (Python and PostgreSQL apart) …", flush=True)
                side.cpu = json.loads(servers.python(database_url, str(cpu_script), str(pages_file), timeout=1800))
            # The side's own password hashes, so that no login on this side rehashes a password (Argon2's
            # memory would then be the other tree's, and the other side's sessions would end).
            servers.python(database_url, "-c", REHASH.format(tree=str(side.tree)))
            log_dir = WORK / f"log-{side.label}"
            log_dir.mkdir(exist_ok=True)
            with serve(side.tree, database_url, workers=args.workers, env=app_env, log_dir=log_dir) as app:
                measure_side(app, pg, side, targets, args)
        last = sides[-1]
        if args.compare_conn_max_age is not None:
            # The same pages from a server that keeps its database connections: a setting, not code.
            print(f"[{last.label}] again with DB_CONN_MAX_AGE={args.compare_conn_max_age} …", flush=True)
            env = app_env | {"DB_CONN_MAX_AGE": str(args.compare_conn_max_age)}
            with serve(
                last.tree, database_url, workers=args.workers, env=env, log_dir=WORK / f"log-{last.label}"
            ) as app:
                for page in [BARE, *PAGES[:COMPARED_PAGES]]:
                    url = app.base_url + page.path.format(**targets)
                    fresh = [login(app.base_url, username(page.login)) for _ in range(args.connections)]
                    check_page(url, fresh[0])
                    last.compared[page.key] = wrk(
                        url,
                        fresh,
                        seconds=args.seconds,
                        connections=args.connections,
                        meter=lambda: server_cpu(app, pg),
                    )
                    time.sleep(2)
        version = pg.version()
    # The raw measurements first, so that a section can be written again from them (``pages.py report``).
    raw = WORK / "pages-run.json"
    raw.write_text(
        json.dumps(
            {
                "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                "pg_version": version,
                "generated": {"seconds": generated.seconds, "output": generated.output},
                "targets": targets,
                "sides": [asdict(side) | {"tree": str(side.tree), "workbook": str(side.workbook)} for side in sides],
                "machine": machine_lines,
            }
        )
    )
    write_sections(raw)


REHASH = """
import sys
sys.path.insert(0, {tree!r})
import django
django.setup()
from django.contrib.auth.hashers import make_password
from fagnett.accounts.models import User
User.objects.filter(username__startswith="bench-").update(password=make_password({password!r}))
""".replace("{password!r}", repr(PASSWORD))


def measure_side(
    app: servers.GunicornServer,
    pg: servers.PostgresServer,
    side: Side,
    targets: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    """The documents and the import on a settled machine, then the pages under wrk; the workers' peak memory is
    read after each."""
    base = app.base_url
    cookies = {
        name: [login(base, username(name)) for _ in range(args.connections)]
        for name in sorted({p.login for p in [BARE, *PAGES]})
    }
    settle()
    coordinator = cookies["koordinator"][0]
    report = f"{base}/regions/{targets['region']}/annual-report/{targets['last_year']}/report"
    recommendation = f"{base}/capacity/rounds/{targets['assessed_round']}/recommendation"
    print(f"[{side.label}] timing the documents and the import …", flush=True)
    side.documents = {
        "report_docx": timed_get(report + ".docx", coordinator),
        "report_pdf": timed_get(report + ".pdf", coordinator),
    }
    side.memory["the annual report"] = peak_memory_mb(app)
    side.documents |= {
        "recommendation_docx": timed_get(recommendation + ".docx", coordinator),
        "recommendation_pdf": timed_get(recommendation + ".pdf", coordinator),
    }
    side.memory["the recommendation"] = peak_memory_mb(app)
    importer = login(base, side.fixture["username"])
    side.import_seconds = timed_import(base, importer, side.fixture["round"], side.workbook)
    side.memory["the import"] = peak_memory_mb(app)
    for page in [BARE, *PAGES]:
        url = base + page.path.format(**targets)
        size = check_page(url, cookies[page.login][0])
        result = wrk(
            url,
            cookies[page.login],
            seconds=args.seconds,
            connections=args.connections,
            meter=lambda: server_cpu(app, pg),
        )
        side.results[page.key] = result | {"bytes": size}
        print(
            f"  [{side.label}] {page.title} ({size} bytes): p50 {result['p50_ms']:.1f} ms, "
            f"p95 {result['p95_ms']:.1f} ms, {result['rps']:.0f} req/s, {result['cpu_ms']:.1f} ms CPU/req",
            flush=True,
        )
        time.sleep(2)
    side.memory["the pages"] = peak_memory_mb(app)


def settle(*, below: float = 1.0, longest: float = 180) -> None:
    """Wait until the one-minute load average is below ``below`` (at most ``longest`` seconds): the documents and
    the import are timed one request at a time, and must not meet the tail of the set-up or of the other side."""
    started = time.monotonic()
    while os.getloadavg()[0] >= below and time.monotonic() - started < longest:
        time.sleep(5)


def write_sections(raw_file: Path) -> None:
    raw = json.loads(raw_file.read_text())
    args = argparse.Namespace(**raw["args"])
    generated = Generated(**raw["generated"])
    sides = [Side(**side | {"tree": Path(side["tree"]), "workbook": Path(side["workbook"])}) for side in raw["sides"]]
    for side in sides:
        lines = report_lines(args, raw["pg_version"], generated, raw["targets"], side, sides, raw["machine"])
        if side.compared:
            lines += compared_lines(args, side.results, side.compared)
        write_section(f"pages-{side.label}", f"Pages at national scale, {side.label} (issues 9 and 23)", lines)


def compared_lines(
    args: argparse.Namespace, results: dict[str, dict[str, Any]], compared: dict[str, dict[str, Any]]
) -> list[str]:
    lines = [
        "",
        f"The same server with `DB_CONN_MAX_AGE={args.compare_conn_max_age}` (a deployment setting, not a code "
        "change), same run, same load:",
        "",
        "| page | p50 ms | p95 ms | req/s | server CPU ms/req | load avg | server CPU ms/req: default → "
        f"{args.compare_conn_max_age} |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for page in [BARE, *PAGES[:COMPARED_PAGES]]:
        r, base = compared[page.key], results[page.key]
        lines.append(
            f"| {page.title} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['rps']:.0f} | {r.get('cpu_ms', 0):.1f} "
            f"| {r['load'][0]:.1f} → {r['load'][1]:.1f} | {base.get('cpu_ms', 0):.1f} → {r.get('cpu_ms', 0):.1f} |"
        )
    return lines


# --- writing RESULTS.md -------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "✓" if ok else "✗ missed"


def report_lines(
    args: argparse.Namespace,
    pg_version: str,
    generated: Generated,
    targets: dict[str, Any],
    side: Side,
    sides: list[Side],
    machine_lines: list[str],
) -> list[str]:
    explained, results, documents = side.explained, side.results, side.documents
    import_seconds, fixture, memory = side.import_seconds, side.fixture, side.memory
    bare = results["bare"]
    conn_age = args.conn_max_age if args.conn_max_age is not None else "unset (the tree's default)"
    if len(sides) > 1:
        others = " and ".join(f"`{other.label}`" for other in sides if other is not side)
        how = (
            f"`bench/pages.py run --before-tree {sides[0].tree} --label {sides[-1].label}`: one run serving two code "
            f"trees from the same database, one after the other; this section is `{side.label}` ({side.tree}), "
            f"the run's {others} section has the other"
        )
    else:
        how = f"`bench/pages.py run --label {side.label}` ({side.tree})"
    lines = [
        f"Measured {today()} with `make bench-pages` ({how}); all figures from this one run.",
        "",
        *machine_lines,
        f"- gunicorn: {args.workers} sync workers (timeout {WORKER_TIMEOUT_S} s), `config.settings.bench` (production "
        f"settings over http), `DB_CONN_MAX_AGE` {conn_age}",
        f"- data: `bench/generate.py --scale {args.scale} --seed {args.seed}` ({generated.seconds:.0f} s, "
        f"{thousands(sum(n for k, n in generated.rows.items() if k != 'total'))} rows); region 1 has "
        f"{targets['region_networks']} reporting networks",
        f"- load: wrk, {args.connections} connections (each request with one of {args.connections} sessions of "
        f"the login), {args.seconds} s per page, 2 threads, on the same two cores as the server",
        "",
        f"| page | login | queries | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req | p50 / bare "
        f"| p95 < {P95_TARGET_MS} ms | p50 ≤ {RATIO_TARGET:g}× bare | load avg |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for page in [BARE, *PAGES]:
        r = results[page.key]
        queries = explained["pages"].get(page.key, {}).get("queries", "")
        ratio = r["p50_ms"] / bare["p50_ms"] if bare["p50_ms"] else 0
        errors = sum(r["errors"].values())
        lines.append(
            f"| {page.title}{f' ({errors} errors)' if errors else ''} | {username(page.login)} | {queries} "
            f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['rps']:.0f} | {r.get('cpu_ms', 0):.1f} "
            f"| {'' if page is BARE else f'{ratio:.1f}×'} "
            f"| {'' if page is BARE else verdict(r['p95_ms'] < P95_TARGET_MS)} "
            f"| {'' if page is BARE else verdict(ratio <= RATIO_TARGET)} "
            f"| {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )

    if side.cpu:
        lines += [
            "",
            f"In-process CPU per request (`bench/cpu.py`: Django's test client through the whole middleware stack, one "
            f"process, {side.cpu['rounds']} interleaved rounds of {side.cpu['requests']} requests per page, medians; "
            f"PostgreSQL's from its server process's scheduler count), as a ratio to the bare view in the same run:",
            "",
            "| page | Python ms | PostgreSQL ms | × bare | target |",
            "|---|---:|---:|---:|---|",
        ]
        for page in [BARE, LAYOUT, *PAGES]:
            c = side.cpu["pages"].get(page.key)
            if c is None:
                continue
            ratio = c["ratio"] or 0
            judged = ""
            if page not in (BARE, LAYOUT):
                target = CPU_REPORT_TARGET if page.key == "annual_report" else CPU_PAGE_TARGET
                judged = f"≤ {target:g}× {verdict(ratio <= target)}"
            lines.append(
                f"| {page.title} | {c['python_ms']:.1f} | {c['postgresql_ms']:.1f} | {ratio:.1f}× | {judged} |"
            )

    def doc(name: str, target: bool = True) -> str:
        values = documents[name]
        timing = f"{statistics.median(values):.2f} s (best {min(values):.2f}, worst {max(values):.2f})"
        return f"{timing} {verdict(max(values) < DOCUMENT_TARGET_S)}" if target else timing

    peak = max(max(stage) for stage in memory.values() if stage) if memory else 0
    lines += [
        "",
        f"| operation (each timed {len(documents['report_docx'])}× in a row, one client, before the pages' load, "
        "once the load average is below 1) | time | target |",
        "|---|---|---|",
        f"| regional annual report as DOCX ({targets['region_networks']} networks, draft: figures computed live): "
        "the request, answered at once — the file is made by a background job, timed by `make bench-jobs` "
        f"| {doc('report_docx')} | < {DOCUMENT_TARGET_S:g} s |",
        f"| regional annual report as PDF: the request (a background job makes it) | {doc('report_pdf')} "
        f"| < {DOCUMENT_TARGET_S:g} s |",
        f"| capacity recommendation as DOCX: the request | {doc('recommendation_docx', False)} | – |",
        f"| capacity recommendation as PDF: the request | {doc('recommendation_pdf', False)} | – |",
        f"| import of a {thousands(fixture['rows'])}-row capacity workbook (upload through the web form; "
        f"all-or-nothing) | {import_seconds:.2f} s {verdict(import_seconds < IMPORT_TARGET_S)} "
        f"| < {IMPORT_TARGET_S:g} s |",
        f"| peak memory of a worker (VmHWM, the largest of the {len(memory['the pages'])} workers) "
        f"| {peak:.0f} MB {verdict(peak < WORKER_TARGET_MB)} | < {WORKER_TARGET_MB} MB |",
        *(f"| – after {stage} | {max(values):.0f} MB | |" for stage, values in memory.items() if values),
        "",
        "The heaviest queries of the ten pages (each page requested in-process; every distinct query explained, ranked "
        "by PostgreSQL's planning + execution time), with their plans:",
        "",
    ]
    for item in explained["explains"]:
        sql = item["sql"]
        if len(sql) > 1500:
            sql = sql[:1500] + " …"
        lines += [
            f"<details><summary>{item['page']}: {item['ms']:.1f} ms (planning {item['planning_ms']:.1f} ms, execution "
            f"{item['execution_ms']:.1f} ms)</summary>",
            "",
            "```sql",
            sql,
            "```",
            "",
            "```",
            item["plan"],
            "```",
            "",
            "</details>",
            "",
        ]
    return lines


def write_section(name: str, title: str, body: list[str]) -> None:
    """Replace this section between its markers in RESULTS.md (appended the first time), leaving the rest alone."""
    begin, end = f"<!-- issue-9:{name}:begin -->", f"<!-- issue-9:{name}:end -->"
    section = "\n".join([begin, f"## {title}", "", *body, end])
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if begin in text and end in text:
        text = text[: text.index(begin)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(f"Wrote the section '{title}' of {RESULTS.relative_to(ROOT)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("data", "run"):
        command = sub.add_parser(name)
        command.add_argument("--scale", type=float, default=1.0)
        command.add_argument("--seed", type=int, default=9)
    run = sub.choices["run"]
    run.add_argument("--label", default="after", help="the section of RESULTS.md to write: before or after")
    run.add_argument(
        "--before-tree",
        type=Path,
        help="also serve this copy of the code (e.g. `git archive` of the commit before the fixes) and write it as "
        "the 'before' section, measured first from the same database",
    )
    run.add_argument("--seconds", type=int, default=30)
    run.add_argument("--connections", type=int, default=20)
    run.add_argument("--workers", type=int, default=servers.DEFAULT_WORKERS)
    run.add_argument("--conn-max-age", type=int, default=None, help="DB_CONN_MAX_AGE for gunicorn (default unset)")
    run.add_argument(
        "--compare-conn-max-age",
        type=int,
        default=None,
        help="then measure the bare view and four pages again with this DB_CONN_MAX_AGE (e.g. 0)",
    )
    sub.add_parser("report", help="write the pages' sections again from the last run's var/bench/pages-run.json")
    args = parser.parse_args()
    if args.command == "report":
        write_sections(WORK / "pages-run.json")
    elif args.command == "data":
        command_data(args)
    else:
        command_run(args)


if __name__ == "__main__":
    main()
