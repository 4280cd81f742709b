"""Throwaway servers for the benchmarks: PostgreSQL 15 and gunicorn, on free ports of 127.0.0.1 only.

Everything here is a context manager that stops what it started, also on Ctrl+C, SIGTERM or an exception::

    from bench import servers

    with servers.bench_stack(workers=5) as stack:          # PostgreSQL + migrations + demo + gunicorn
        requests.get(stack.app.url("/bench/ok/"), timeout=5)
        stack.pg.restart()                                  # pg_ctl restart -m fast
        stack.app.kill_worker()                             # SIGKILL one worker; the arbiter starts another

or piece by piece: ``postgres()`` → ``create_database()`` → ``prepare_database()`` → ``gunicorn()``.

PostgreSQL is started the way ``scripts/test.sh`` starts it (initdb/pg_ctl from /usr/lib/postgresql/*/bin, run
as the ``postgres`` user when we are root, data in a temporary folder), but with fsync on by default: the load
and fault runs are about durability. As a last line of defence a small watchdog process stops both servers and
removes the data folder if the Python process that started them dies without cleaning up (SIGKILL), or when the
stack's time limit passes.

Every process started here gets the environment from ``bench_env()``: ``config.settings.bench`` (the production
settings over plain http), a known secret key and the ``DATABASE_URL``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
HOST = "127.0.0.1"
SETTINGS = "config.settings.bench"
# Known on purpose: the bench server is throwaway and only ever listens on 127.0.0.1.
SECRET_KEY = "bench-only-secret-key-0f6d1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a0-not-for-production"  # noqa: S105
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1) + 1

logger = logging.getLogger("bench")


# --- small helpers ------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (bind to port 0 and let the kernel choose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pg_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin (PostgreSQL 15 on the project's machines)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name.split(".")[0]))
    if not candidates:
        raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (install postgresql).")
    return candidates[-1]


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and the postmaster refuse to run as root: run them as the ``postgres`` user then."""
    if not _is_root():
        return args
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]


def _run(args: list[str], *, timeout: float, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])}… failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def bench_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment for every process of a bench run (manage.py, gunicorn)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DJANGO_SECRET_KEY=SECRET_KEY,
        FAGNETT_SITE_URL="http://127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


# --- PostgreSQL ---------------------------------------------------------------------------------------------------


@dataclass
class PostgresServer:
    """A running throwaway PostgreSQL cluster; superuser ``postgres`` with trust authentication on 127.0.0.1."""

    root: Path
    port: int
    bin_dir: Path
    options: str

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, *, user: str = "postgres", password: str = "", database: str = "postgres") -> str:
        auth = f"{user}:{password}@" if password else f"{user}@"
        return f"postgres://{auth}{HOST}:{self.port}/{database}"

    def psql(self, sql: str, *, database: str = "postgres", timeout: float = 60) -> str:
        """Run SQL as the superuser; returns psql's unaligned, tuples-only output."""
        args = [str(self.bin_dir / "psql"), "-h", HOST, "-p", str(self.port), "-U", "postgres", "-d", database]
        return _run([*args, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], timeout=timeout)

    def pg_ctl(self, *args: str, timeout: float = 60) -> str:
        cmd = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-s"]
        return _run(_as_postgres([*cmd, "-t", str(int(timeout)), *args]), timeout=timeout + 10)

    def is_ready(self) -> bool:
        result = subprocess.run(
            [str(self.bin_dir / "pg_isready"), "-q", "-h", HOST, "-p", str(self.port)],
            capture_output=True,
            timeout=10,
            check=False,
        )
        return result.returncode == 0

    def restart(self, *, mode: str = "fast") -> float:
        """``pg_ctl restart -m fast``: every open connection is cut. Returns the seconds until it accepts again."""
        started = time.monotonic()
        logger.info("pg_ctl restart -m %s", mode)
        self.pg_ctl("restart", "-m", mode, "-o", self.options)
        _wait_until(self.is_ready, timeout=60, what="PostgreSQL to accept connections after the restart")
        return time.monotonic() - started

    def set_fsync(self, on: bool) -> None:
        """Restart with fsync (and full-page writes, synchronous commit) switched on or off."""
        self.options = _pg_options(self.root, self.port, fsync=on)
        self.restart()
        logger.info("PostgreSQL restarted with fsync %s", "on" if on else "off")

    def version(self) -> str:
        return self.psql("SHOW server_version").strip()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.pg_ctl("stop", "-m", "fast", timeout=30)
        pid_file = self.data_dir / "postmaster.pid"
        if pid_file.exists():  # the fast stop did not finish: end the postmaster we started
            with contextlib.suppress(Exception):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


def _pg_options(root: Path, port: int, *, fsync: bool) -> str:
    durability = "" if fsync else " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    return f"-p {port} -k {root} -c listen_addresses={HOST} -c max_connections=200{durability}"


@contextlib.contextmanager
def postgres(*, fsync: bool = True, port: int | None = None, max_seconds: float = 3600) -> Iterator[PostgresServer]:
    """Start a fresh PostgreSQL cluster on a free port of 127.0.0.1; stop it and delete its data on exit.

    After ``max_seconds``, or if this Python process dies without cleaning up, a watchdog stops it anyway.
    """
    bin_dir = pg_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="fagnett-bench-pg."))
    port = port or free_port()
    server = PostgresServer(root=root, port=port, bin_dir=bin_dir, options=_pg_options(root, port, fsync=fsync))
    stop = [str(bin_dir / "pg_ctl"), "-D", str(server.data_dir), "-m", "immediate", "stop"]
    cleanup = f"{shlex.join(_as_postgres(stop))} >/dev/null 2>&1; rm -rf {shlex.quote(str(root))}"
    try:
        with watchdog(cleanup, max_seconds=max_seconds):
            if _is_root():
                shutil.chown(root, "postgres", "postgres")
            initdb = [str(bin_dir / "initdb"), "-D", str(server.data_dir), "-U", "postgres", "-A", "trust"]
            _run(_as_postgres([*initdb, "-E", "UTF8", "--locale=C.UTF-8"]), timeout=120)
            server.pg_ctl("start", "-o", server.options)
            _wait_until(server.is_ready, timeout=60, what="PostgreSQL to start")
            logger.info("PostgreSQL %s on %s:%s (fsync %s)", server.version(), HOST, port, "on" if fsync else "off")
            yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def create_database(
    server: PostgresServer,
    *,
    name: str = "fagnett",
    user: str = "fagnett",
    password: str = "fagnett",  # noqa: S107
) -> str:
    """Create a login role and a database it owns; returns its DATABASE_URL."""
    server.psql(f"CREATE ROLE {user} LOGIN PASSWORD '{password}' CREATEDB")
    server.psql(f"CREATE DATABASE {name} OWNER {user}")
    return server.url(user=user, password=password, database=name)


def prepare_database(database_url: str, *, demo: bool = True, timeout: float = 900) -> None:
    """Migrate the database and, unless ``demo=False``, load the demo (``load_demo --reset``)."""
    env = bench_env(database_url)
    started = time.monotonic()
    _run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], timeout=timeout, env=env)
    logger.info("migrated in %.0f s", time.monotonic() - started)
    if demo:
        started = time.monotonic()
        _run([PYTHON, "manage.py", "load_demo", "--reset", "--quiet-logins"], timeout=timeout, env=env)
        logger.info("demo loaded in %.0f s", time.monotonic() - started)


def manage(database_url: str, *args: str, timeout: float = 900) -> str:
    """Run ``manage.py <args>`` against the bench database with the bench settings; returns its output."""
    return python(database_url, "manage.py", *args, timeout=timeout)


def python(database_url: str, *args: str, timeout: float = 900) -> str:
    """Run the project's Python (e.g. ``-m bench.world …``) in the bench environment; returns its output."""
    return _run([PYTHON, *args], timeout=timeout, env=bench_env(database_url))


# --- gunicorn -----------------------------------------------------------------------------------------------------


@dataclass
class GunicornServer:
    """A running gunicorn arbiter with sync workers serving ``config.wsgi`` (preloaded through ``bench.wsgi``)
    under the bench settings."""

    process: subprocess.Popen[bytes]
    port: int
    workers: int
    log_file: Path
    killed_workers: list[int] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def worker_pids(self) -> list[int]:
        """The arbiter's current worker processes (its children, read from /proc)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def kill_worker(self) -> int:
        """SIGKILL one worker (as a crash would); the arbiter notices and starts a new one. Returns its pid."""
        pids = self.worker_pids()
        if not pids:
            raise RuntimeError("gunicorn has no workers to kill")
        os.kill(pids[0], signal.SIGKILL)
        self.killed_workers.append(pids[0])
        logger.info("SIGKILL gunicorn worker %s", pids[0])
        return pids[0]

    def wait_for_workers(self, *, timeout: float = 60) -> None:
        _wait_until(lambda: len(self.worker_pids()) >= self.workers, timeout=timeout, what="gunicorn's workers")

    def responds(self) -> bool:
        try:
            return requests.get(self.url("/bench/ok/"), timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the arbiter stops its workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        # Whatever is left of the process group we started (a stuck worker) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(
    database_url: str,
    *,
    workers: int = DEFAULT_WORKERS,
    port: int | None = None,
    timeout: int = 30,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
    max_seconds: float = 3600,
) -> Iterator[GunicornServer]:
    """Serve the app with gunicorn (sync workers) on a free port of 127.0.0.1; stop it on exit.

    ``env`` adds environment variables, e.g. ``{"DB_CONN_MAX_AGE": "60"}``. The server log (gunicorn and Django
    warnings, tracebacks of 500s) goes to ``<log_dir>/gunicorn.log`` (without ``log_dir``: a temporary folder that
    is removed on exit). After ``max_seconds``, or if this Python process dies without cleaning up, a watchdog
    stops it anyway.
    """
    port = port or free_port()
    own_log_dir = log_dir is None
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="fagnett-bench-log."))
    log_file = log_dir / "gunicorn.log"
    args = [
        GUNICORN,
        "bench.wsgi:application",
        "--preload",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        "--worker-class=config.workers.SyncWorker",
        f"--timeout={timeout}",
        "--graceful-timeout=10",
        "--backlog=2048",
        f"--chdir={ROOT}",
    ]
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=bench_env(database_url, **(env or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, and Ctrl+C reaches only us
        )
    server = GunicornServer(process=process, port=port, workers=workers, log_file=log_file)
    group = process.pid  # its own process group (start_new_session)
    try:
        with watchdog(f"kill -TERM -{group}; sleep 10; kill -KILL -{group}", max_seconds=max_seconds):

            def up() -> bool:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"gunicorn exited ({process.returncode}); see {log_file}:\n{log_file.read_text()}"
                    )
                return server.responds()

            _wait_until(up, timeout=240, what="gunicorn to answer /bench/ok/")
            server.wait_for_workers()
            logger.info("gunicorn with %s workers on %s", workers, server.base_url)
            yield server
    finally:
        server.stop()
        if own_log_dir:
            shutil.rmtree(log_dir, ignore_errors=True)
        if own_log_dir:
            shutil.rmtree(log_dir, ignore_errors=True)


# --- the watchdog and the whole stack -----------------------------------------------------------------------------


@contextlib.contextmanager
def watchdog(cleanup: str, *, max_seconds: float) -> Iterator[None]:
    """A detached shell that runs ``cleanup`` if this process dies first or ``max_seconds`` pass.

    The context managers above clean up on every exit Python sees; this covers the one it does not (SIGKILL of
    the Python process) and bounds a run in time.
    """
    script = (
        f"end=$(( $(date +%s) + {int(max_seconds)} )); "
        f"while kill -0 {os.getpid()} 2>/dev/null && [ $(date +%s) -lt $end ]; do sleep 1; done; {{ {cleanup}; }}"
    )
    process = subprocess.Popen(
        ["/bin/sh", "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield
    finally:
        process.terminate()  # we cleaned up ourselves; the watchdog has nothing left to do
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


@dataclass
class BenchStack:
    pg: PostgresServer
    app: GunicornServer
    database_url: str


@contextlib.contextmanager
def bench_stack(
    *,
    workers: int = DEFAULT_WORKERS,
    demo: bool = True,
    fsync: bool = True,
    max_seconds: float = 3600,
    app_env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    prepare: Callable[[str], None] | None = None,
) -> Iterator[BenchStack]:
    """PostgreSQL with a migrated database (and the demo) behind gunicorn; everything stops on exit.

    ``prepare(database_url)`` runs after the demo is loaded and before gunicorn starts (e.g. to add bench
    people). Setting up runs with fsync off (it is only set-up, and migrations commit thousands of times); with
    ``fsync=True`` PostgreSQL is then restarted with fsync on before gunicorn starts, so what is measured is
    durable. ``max_seconds`` bounds the whole stack: after that the watchdog stops the servers even if the caller
    hangs.
    """
    with postgres(fsync=False, max_seconds=max_seconds) as pg:
        database_url = create_database(pg)
        prepare_database(database_url, demo=demo)
        if prepare is not None:
            prepare(database_url)
        if fsync:
            pg.set_fsync(True)
        with gunicorn(database_url, workers=workers, env=app_env, log_dir=log_dir, max_seconds=max_seconds) as app:
            yield BenchStack(pg=pg, app=app, database_url=database_url)


def install_signal_handlers() -> None:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt so the context managers above clean up."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)


if __name__ == "__main__":
    # A smoke test of the helpers: start everything, answer one request, stop everything.
    install_signal_handlers()
    with bench_stack(workers=2, max_seconds=600) as stack:
        print("PostgreSQL", stack.pg.version(), "on port", stack.pg.port, "- gunicorn on", stack.app.base_url)
        print("/bench/ok/ →", requests.get(stack.app.url("/bench/ok/"), timeout=10).text)
    sys.exit(0)
