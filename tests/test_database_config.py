"""The database settings read from the environment (``config.env.database_config``), and what they do on PostgreSQL."""

from pathlib import Path

import pytest
from django.db import connection

from config.env import database_config

POSTGRES = "postgres://fagnett:secret@db.internal:5432/fagnett"


def test_postgresql_prepares_repeated_statements_with_server_side_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.delenv("DB_PREPARE_THRESHOLD", raising=False)
    options = database_config(Path("unused.sqlite3"))["OPTIONS"]
    assert options == {"options": "-c jit=off", "server_side_binding": True, "prepare_threshold": 5}


def test_a_threshold_of_zero_turns_prepared_statements_and_server_side_binding_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("DB_PREPARE_THRESHOLD", "0")
    assert database_config(Path("unused.sqlite3"))["OPTIONS"] == {"options": "-c jit=off"}


def test_sqlite_has_neither(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    options = database_config(tmp_path / "db.sqlite3")["OPTIONS"]
    assert isinstance(options, dict) and "prepare_threshold" not in options and "server_side_binding" not in options


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_statement_run_often_enough_is_prepared_on_the_server() -> None:
    """The test run's own connection is configured as production's (the same ``database_config``): a statement run
    five times is prepared, and its parameters are bound by the server, typed by PostgreSQL."""
    sql = "SELECT count(*) FROM accounts_user WHERE username <> %s AND id > %s"
    with connection.cursor() as cursor:
        for _ in range(6):
            cursor.execute(sql, ["nobody", 0])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("accounts_user WHERE username <> $1 AND id > $2" in statement for statement in prepared), prepared
