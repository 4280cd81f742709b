"""The audit log as CSV and Excel, read back: the same rows and filters as the page, every cell formula-safe."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from fagnett.accounts.models import User
from fagnett.audit.tests.factories import change, forget_history, oslo, set_history_date
from fagnett.cases.tests.factories import make_case
from fagnett.core.history import acting_as
from fagnett.core.models import Download
from fagnett.meetings.models import ActionItem
from tests.downloads import made
from tests.downloads import made as made_by_job
from tests.factories import World

pytestmark = pytest.mark.django_db

HEADERS = ["When", "Person", "Action", "Type", "Record", "Record no.", "Network", "What changed", "Reason"]


@pytest.fixture
def trail(world: World) -> dict[str, Any]:
    forget_history()
    with acting_as(world["employee"]):
        case = make_case(world, title="Overflytting")
    set_history_date(case, oslo(2026, 1, 5, hour=9))
    with acting_as(world["leader"]):
        change(case, "status", "accepted")
    case.history.filter(history_type="~").update(history_date=oslo(2026, 1, 6, hour=10))  # type: ignore[attr-defined]
    with acting_as(world["member"]):
        item = ActionItem.objects.create(
            network=world.other_network,
            title='=HYPERLINK("http://x")',
            owner=world["member"],
            due_date=datetime.date(2026, 2, 1),
        )
    set_history_date(item, oslo(2026, 1, 7, hour=11))
    return {"case": case, "item": item}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _csv(client: Client, url: str) -> list[list[str]]:
    response = made(client, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-ra-')
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_csv_reads_back(world: World, login_as: Any, trail: dict[str, Any]) -> None:
    rows = _csv(login_as("coordinator"), f"/regions/{world.region_a.pk}/audit/export.csv")
    assert rows[0] == HEADERS
    case = trail["case"]
    assert rows[1][:7] == [
        "07/01/2026 11:00:00",  # the reader (English) reads en-GB dates
        "Member Testesen",
        "created",
        "Action item",
        '\'=HYPERLINK("http://x")',  # kept as text, never a formula
        str(trail["item"].pk),
        "Øye",
    ]
    assert rows[2][:7] == [
        "06/01/2026 10:00:00",
        "Leader Testesen",
        "changed",
        "Case",
        f"{case.reference} Overflytting",
        str(case.pk),
        "Anestesi og intensiv",
    ]
    assert rows[2][7] == "Status: Received → Accepted"
    assert rows[3][1:3] == ["Employee Testesen", "created"]
    assert "Title: Overflytting" in rows[3][7].split("\n")
    assert len(rows) == 4


def test_exports_use_the_filters_of_the_page(world: World, login_as: Any, trail: dict[str, Any]) -> None:
    client: Client = login_as("coordinator")
    base = f"/regions/{world.region_a.pk}/audit/export.csv"
    assert [r[1] for r in _csv(client, f"{base}?person={world['leader'].pk}")[1:]] == ["Leader Testesen"]
    assert [r[3] for r in _csv(client, f"{base}?network={world.other_network.pk}")[1:]] == ["Action item"]
    assert [r[0] for r in _csv(client, f"{base}?start=2026-01-05&end=2026-01-06")[1:]] == [
        "06/01/2026 10:00:00",
        "05/01/2026 09:00:00",
    ]
    # The page's download links carry its filters (and not its page number).
    page = client.get(f"/regions/{world.region_a.pk}/audit/?person={world['leader'].pk}&page=1").content.decode()
    assert f'action="{base}?person={world["leader"].pk}"' in page


def test_xlsx_reads_back(world: World, login_as: Any, trail: dict[str, Any]) -> None:
    response = made(login_as("director"), f"/regions/{world.region_a.pk}/audit/export.xlsx?network={world.network.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][0] == datetime.datetime(2026, 1, 6, 10, 0)
    assert rows[1][1:5] == ("Leader Testesen", "changed", "Case", f"{trail['case'].reference} Overflytting")
    assert rows[1][7] == "Status: Received → Accepted"
    assert [r[1] for r in rows[1:]] == ["Leader Testesen", "Employee Testesen"]


def test_xlsx_cells_are_formula_safe(world: World, login_as: Any, trail: dict[str, Any]) -> None:
    response = made(login_as("coordinator"), f"/regions/{world.region_a.pk}/audit/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert '\'=HYPERLINK("http://x")' in [cell.value for cell in cells]


@pytest.mark.parametrize(
    ("language", "header", "created", "kind"),
    [("en", "Action", "created", "Action item"), ("nb", "Handling", "opprettet", "Oppfølgingspunkt")],
)
def test_the_action_column_names_the_kind_of_change(
    world: World, login_as: Any, trail: dict[str, Any], language: str, header: str, created: str, kind: str
) -> None:
    """Bokmål called the column "Oppfølgingspunkt" (an action item of a meeting); it holds created/changed/deleted."""
    User.objects.filter(pk=world["coordinator"].pk).update(language=language)
    client = login_as("coordinator")
    rows = _csv(client, f"/regions/{world.region_a.pk}/audit/export.csv")
    sheet = load_workbook(io.BytesIO(made(client, f"/regions/{world.region_a.pk}/audit/export.xlsx").content)).active
    for table in (rows, [list(row) for row in sheet.iter_rows(values_only=True)]):
        assert table[0][2] == header
        assert table[1][2:4] == [created, kind]  # the first row is the action item's creation
    # "Action" without the context keeps its meaning elsewhere: the action items of the meetings.
    with translation.override(language):
        assert gettext("Action") == ("Action" if language == "en" else "Oppfølgingspunkt")


def test_the_excel_export_is_written_row_by_row(
    world: World, login_as: Any, trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linear in the rows: a write-only workbook, never a scan of the sheet per row (``max_row`` read every cell
    written so far, so 13 000 rows outlived the worker's timeout)."""
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    made: list[bool] = []
    real_workbook = openpyxl.Workbook
    monkeypatch.setattr(
        openpyxl, "Workbook", lambda *a, **k: made.append(k.get("write_only", False)) or real_workbook(*a, **k)
    )
    scans: list[str] = []
    for name in ("max_row", "max_column", "dimensions"):
        real = getattr(Worksheet, name)
        monkeypatch.setattr(
            Worksheet, name, property(lambda self, real=real, name=name: scans.append(name) or real.fget(self))
        )
    response = made_by_job(login_as("coordinator"), f"/regions/{world.region_a.pk}/audit/export.xlsx")
    assert response.status_code == 200
    assert made == [True]
    assert scans == []


def test_the_log_is_read_in_one_query_whatever_its_length(world: World, trail: dict[str, Any]) -> None:
    """The export reads the UNION once and streams it; slicing it page by page sorted it again for every page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fagnett.audit import selectors

    with CaptureQueriesContext(connection) as queries:
        entries = list(
            selectors.region_log_entries(
                user=world["coordinator"], region=world.region_a, filters=selectors.LogFilters(), chunk=1
            )
        )
    assert len(entries) == 3
    assert sum(1 for q in queries.captured_queries if "UNION ALL" in q["sql"]) == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_over_the_bound_is_refused_with_a_message(
    world: World, login_as: Any, trail: dict[str, Any], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    from fagnett.audit import exports

    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    client: Client = login_as("coordinator")
    log = f"/regions/{world.region_a.pk}/audit/"
    response = client.post(f"{log}export.{fmt}?start=2026-01-01")
    # Nothing half-done: no file at all, no job, back to the log with the same filters and the reason.
    assert response.status_code == 302
    assert not Download.objects.exists()
    assert "Content-Disposition" not in response
    assert response["Location"] == f"{log}?start=2026-01-01"
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was exported: one file holds at most 2 rows, and this one would have 3." in page
    assert "Choose a shorter period, one person or one network." in page
    # Within the bound, the same filters narrowed down export as before.
    narrowed = made(client, f"{log}export.{fmt}?start=2026-01-06")
    assert narrowed.status_code == 200 and narrowed["Content-Disposition"].startswith("attachment;")
