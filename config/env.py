"""The one place where the environment is read.

Every setting that differs between machines comes from an environment variable; the names are
listed in the README. Nothing else in the project reads ``os.environ``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def database_config(default_sqlite: Path) -> dict[str, object]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite}"
    # Connections are kept between requests for a minute: opening one (a new PostgreSQL backend) cost more CPU than
    # a whole request of the bare view (bench/RESULTS.md). Health checks test a kept connection before reuse, so a
    # restart of PostgreSQL costs no 500s afterwards (measured by `make bench-fault`). DB_CONN_MAX_AGE=0 opens one
    # per request (e.g. behind PgBouncer in transaction mode).
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and a busy timeout let the demo server and a management command share the file.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config
