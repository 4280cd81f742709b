"""core.statements: a hand-written statement's instances are the ones the ORM makes (every field, of the same type)."""

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from fagnett.core import statements
from fagnett.core.models import Download, KeptFile
from tests.factories import make_user

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2025, 3, 30, 1, 30, 15, 123456, tzinfo=datetime.UTC)  # the night the clocks go forward


def _fields(instance: Model) -> list[tuple[str, Any, type]]:
    return [
        (f.attname, getattr(instance, f.attname), type(getattr(instance, f.attname)))
        for f in type(instance)._meta.concrete_fields
    ]


def _downloads_with_owners() -> list[tuple[Download, Any]]:
    user, table = type(make_user()), Download._meta.db_table
    sql = (
        f"SELECT {statements.select_columns(Download, 'd')}, {statements.select_columns(user, 'u')} "  # noqa: S608
        f"FROM {table} d JOIN {user._meta.db_table} u ON u.id = d.owner_id ORDER BY d.id"
    )
    with connection.cursor() as db:
        db.execute(sql)
        return [tuple(statements.load_row(row, (Download, user))) for row in db.fetchall()]


def test_instances_from_a_statement_are_the_orms() -> None:
    """Timestamps (aware, with microseconds), JSON, booleans, empty and filled optional fields: SQLite gives text
    and numbers for most of them, which the ORM's converters turn into what the ORM gives."""
    owner = make_user(is_staff=True, last_login=AT)
    Download.objects.create(owner=owner, kind="tests.a", title="Én", params={"year": 2025, "ids": [1, 2], "ok": True})
    Download.objects.create(
        owner=make_user(),
        kind="tests.b",
        title="To",
        percent=40,
        size=2**40,
        started_at=AT,
        finished_at=AT + datetime.timedelta(minutes=1),
        expires_at=timezone.now(),
    )
    loaded = _downloads_with_owners()
    orm = list(Download.objects.select_related("owner").order_by("id"))
    assert [_fields(d) for d, _owner in loaded] == [_fields(d) for d in orm]
    assert [_fields(o) for _download, o in loaded] == [_fields(d.owner) for d in orm]
    assert loaded[0][0].params == {"year": 2025, "ids": [1, 2], "ok": True}
    assert loaded[1][0].started_at == AT and loaded[0][1].is_staff is True
    download = loaded[0][0]
    assert not download._state.adding and download._state.db == connection.alias
    download.title = "Endret"
    download.save(update_fields=["title"])  # a saved row: an update, not a second row
    assert Download.objects.get(pk=download.pk).title == "Endret" and Download.objects.count() == 2


def test_a_model_that_a_left_join_did_not_find_is_none() -> None:
    kinds = ContentType.objects.get_for_model(Download)
    approver = make_user()
    KeptFile.objects.create(owner_type=kinds, owner_id=1, kind="pdf")
    KeptFile.objects.create(owner_type=kinds, owner_id=1, kind="docx", approved_by=approver)
    user = type(approver)
    sql = (
        f"SELECT {statements.select_columns(KeptFile, 'k')}, {statements.select_columns(user, 'u')} "  # noqa: S608
        f"FROM {KeptFile._meta.db_table} k LEFT JOIN {user._meta.db_table} u ON u.id = k.approved_by_id ORDER BY k.id"
    )
    with connection.cursor() as db:
        db.execute(sql)
        loaded = [statements.load_row(row, (KeptFile, user)) for row in db.fetchall()]
    assert [(kept.kind, who) for kept, who in loaded] == [("pdf", None), ("docx", approver)]
    orm = list(KeptFile.objects.select_related("approved_by").order_by("id"))
    assert [_fields(kept) for kept, _who in loaded] == [_fields(kept) for kept in orm]


def test_a_row_of_another_width_is_refused() -> None:
    width = len(statements.model_columns(Download).columns)
    with pytest.raises(ValueError, match="values"):
        statements.load_row([1] * (width + 1), (Download,))


def test_the_columns_are_the_models_in_its_order() -> None:
    how = statements.model_columns(Download)
    fields = Download._meta.concrete_fields
    assert how.names == tuple(f.attname for f in fields)
    assert how.columns == tuple(connection.ops.quote_name(f.column) for f in fields)
    assert how.names[how.pk] == "id"
    assert statements.select_columns(Download, "d").startswith(f"d.{connection.ops.quote_name('id')}, ")


def test_an_id_out_of_the_columns_range_is_found_to_be_so() -> None:
    assert statements.pk_in_range(Download, 1)
    assert not statements.pk_in_range(Download, 2**63)
    assert not statements.pk_in_range(Download, -(2**63) - 1)
