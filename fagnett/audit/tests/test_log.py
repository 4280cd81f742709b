"""The region's audit log: who may read it, what it lists, its filters, and a flat number of queries."""

import datetime
import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fagnett.audit.registry import KINDS
from fagnett.audit.tests.factories import KIND_CASES, change, forget_history, oslo, set_history_date
from fagnett.cases.tests.factories import make_case
from fagnett.core.history import acting_as
from fagnett.meetings.models import ActionItem
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_trail(world: World) -> None:
    forget_history()


def _log(world: World) -> str:
    return f"/regions/{world.region_a.pk}/audit/"


def _rows(response: Any) -> list[str]:
    """The table's rows as text, top to bottom."""
    body = response.content.decode().split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    body = re.sub(r'<span class="ds-sr-only">[^<]*</span>', "", body)
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row))).strip() for row in rows]


@pytest.mark.parametrize(
    ("role", "region", "status"),
    [
        ("coordinator", "a", 200),
        ("director", "a", 200),
        ("leader", "a", 403),
        ("member", "a", 403),
        ("employee", "a", 403),
        ("fagsjef", "a", 403),
        ("coordinator_b", "a", 404),
        ("coordinator", "b", 404),
        ("coordinator_b", "b", 200),
    ],
)
def test_who_reads_the_log(world: World, login_as: Any, role: str, region: str, status: int) -> None:
    region_id = (world.region_a if region == "a" else world.region_b).pk
    client: Client = login_as(role)
    assert client.get(f"/regions/{region_id}/audit/").status_code == status
    assert client.get(f"/regions/{region_id}/audit/export.csv").status_code == status
    assert client.get(f"/regions/{region_id}/audit/export.xlsx").status_code == status


def test_the_log_is_for_logged_in_people_and_known_regions(world: World, client: Client, login_as: Any) -> None:
    assert client.get(_log(world)).status_code == 302
    assert login_as("coordinator").get("/regions/999999/audit/").status_code == 404
    assert login_as("coordinator").get(f"/regions/{world.region_a.pk}/audit/export.pdf").status_code == 404


def test_the_way_in_goes_to_the_persons_region(world: World, login_as: Any) -> None:
    response = login_as("director").get("/audit/")
    assert response.status_code == 302 and response["Location"] == _log(world)
    assert login_as("leader").get("/audit/").status_code == 403
    region_page = login_as("coordinator").get("/region/").content.decode()
    assert 'href="/audit/"' in region_page


def test_every_kind_is_listed_newest_first_with_its_network(world: World, login_as: Any) -> None:
    records = {}
    for day, (kind, case) in enumerate(KIND_CASES.items(), 1):
        with acting_as(world["secretary"]):
            records[kind] = case.make(world)
        set_history_date(records[kind], oslo(2026, 1, day))
    records["minutes"].meeting.history.all().delete()  # made for the minutes; listed as a meeting of its own
    with acting_as(world["coordinator_b"]):
        make_case(world, network=world.network_b, title="Nord")  # another region's: not listed
    response = login_as("coordinator").get(_log(world))
    rows = _rows(response)
    kinds = [
        "Person",
        "Capacity recommendation",
        "Capacity entry",
        "Regional annual report",
        "Network annual report",
        "Action item",
        "Case",
        "Minutes",
        "Meeting",
        "Appointment",
        "Mandate",
    ]
    assert [next(k for k in kinds if f" {k} created" in row) for row in rows[:11]] == kinds
    assert rows[0].startswith("11.01.2026 12:00 Secretary Testesen Person created")
    assert "Nord" not in " ".join(rows)
    content = response.content.decode()
    for kind, record in records.items():
        assert f'href="/history/{kind}/{record.pk}/"' in content
    no_network = ("Regional annual report", "Person")
    assert all(" Anestesi og intensiv " in row for row in rows[:11] if not any(k in row for k in no_network))


def test_changes_are_in_words(world: World, login_as: Any) -> None:
    with acting_as(world["employee"]):
        case = make_case(world)
    with acting_as(world["leader"]):
        change(case, "status", "accepted")
    rows = _rows(login_as("coordinator").get(_log(world)))
    assert rows[0].startswith("Leader Testesen") is False
    assert "Leader Testesen Case changed:" in rows[0]
    assert "Status : Received → Accepted" in rows[0]
    assert "Employee Testesen Case created:" in rows[1]


def test_pages_of_fifty(world: World, login_as: Any) -> None:
    with acting_as(world["leader"]):
        item = ActionItem.objects.create(
            network=world.network, title="A", owner=world["member"], due_date=datetime.date(2026, 1, 1)
        )
        for n in range(54):
            change(item, "title", f"Punkt {n}")
    client: Client = login_as("coordinator")
    first = client.get(_log(world))
    assert "55 changes" in first.content.decode() and len(_rows(first)) == 50
    second = client.get(_log(world) + "?page=2")
    assert len(_rows(second)) == 5
    assert "Action item created" in _rows(second)[-1]


@pytest.fixture
def spread(world: World) -> dict[str, Any]:
    """Changes by different people, in two networks, on three days."""
    other = world.other_network
    with acting_as(world["leader"]):
        early = make_case(world, title="Januar")
    set_history_date(early, oslo(2026, 1, 10, hour=0))  # 00:00 Oslo: still 10 January
    with acting_as(world["member"]):
        middle = make_case(world, network=other, title="Februar")
    set_history_date(middle, oslo(2026, 2, 10))
    with acting_as(world["leader"]):
        late = make_case(world, network=other, title="Mars")
    set_history_date(late, oslo(2026, 3, 10, hour=23))
    return {"early": early, "middle": middle, "late": late}


def _titles(client: Client, url: str) -> list[str]:
    return [re.search(r"\d{4}/\d{3} (\w+)", row).group(1) for row in _rows(client.get(url))]  # type: ignore[union-attr]


def test_filters(world: World, login_as: Any, spread: dict[str, Any]) -> None:
    client: Client = login_as("coordinator")
    url = _log(world)
    assert _titles(client, url) == ["Mars", "Februar", "Januar"]
    assert _titles(client, f"{url}?person={world['leader'].pk}") == ["Mars", "Januar"]
    assert _titles(client, f"{url}?network={world.other_network.pk}") == ["Mars", "Februar"]
    assert _titles(client, f"{url}?start=2026-01-10&end=2026-02-10") == ["Februar", "Januar"]
    assert _titles(client, f"{url}?start=2026-01-11&end=2026-03-10") == ["Mars", "Februar"]
    assert _titles(client, f"{url}?person={world['leader'].pk}&network={world.other_network.pk}") == ["Mars"]
    page = client.get(url).content.decode()
    # The person filter offers the people in the log, the network filter the region's networks.
    assert "Leader Testesen" in page and "Member Testesen" in page and "Coordinator_b Testesen" not in page
    assert world.other_network.name in page and world.network_b.name not in page
    for name in ("person", "network", "start", "end"):
        assert f'<label class="ds-label" for="id_{name}">' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-02-30", "Write a real date, for example 31.01.2026."),
        ("end=tomorrow", "Write a real date, for example 31.01.2026."),
        ("start=2026-03-01&end=2026-02-01", "The last day must be on or after the first day."),
    ],
)
def test_bad_dates_are_named(world: World, login_as: Any, spread: dict[str, Any], query: str, message: str) -> None:
    client: Client = login_as("coordinator")
    response = client.get(f"{_log(world)}?{query}")
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "The filters could not be used" in content and message in content
    assert "<tbody>" not in content  # no list from filters that do not hold
    export = client.get(f"{_log(world)}export.csv?{query}")
    assert export.status_code == 400 and message in html.unescape(export.content.decode())


def test_someone_elses_person_or_network_is_refused(world: World, login_as: Any, spread: dict[str, Any]) -> None:
    client: Client = login_as("coordinator")
    response = client.get(f"{_log(world)}?network={world.network_b.pk}")
    assert "The filters could not be used" in response.content.decode()


def test_the_medical_director_does_not_read_draft_minutes_or_capacity_entries(world: World, login_as: Any) -> None:
    with acting_as(world["secretary"]):
        minutes = KIND_CASES["minutes"].make(world)
        entry = KIND_CASES["capacity-entry"].make(world)
        case = KIND_CASES["case"].make(world)
    rows = {row.split(" created")[0].split()[-1]: row for row in _rows(login_as("director").get(_log(world)))}
    assert "Not shown: you cannot read this record." in rows["Minutes"]
    assert "Not shown: you cannot read this record." in rows["entry"]
    assert "Status : Received" in rows["Case"]
    content = login_as("director").get(_log(world)).content.decode()
    assert f"/history/minutes/{minutes.pk}/" not in content and f"/history/capacity-entry/{entry.pk}/" not in content
    assert f"/history/case/{case.pk}/" in content
    # Circulated minutes are the director's to read, and so is their history.
    change(minutes, "status", "circulated")
    assert f"/history/minutes/{minutes.pk}/" in login_as("director").get(_log(world)).content.decode()
    coordinator = login_as("coordinator").get(_log(world)).content.decode()
    assert "Not shown" not in coordinator


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_flat_as_the_log_grows(world: World, login_as: Any) -> None:
    """One record of every kind changed once, then many of every kind changed many times: the page costs the same."""
    client: Client = login_as("coordinator")
    made = 0

    def add(records: int, changes: int) -> None:
        nonlocal made
        for _ in range(records):
            for case in KIND_CASES.values():
                with acting_as(world["secretary"]):
                    record = case.make(world, made)
                for n in range(changes):
                    with acting_as(world["leader"] if n % 2 else world["member"]):
                        change(record, case.field, case.value if n % 2 else getattr(record, case.field))
            made += 1

    add(records=1, changes=1)
    small = _count(client, _log(world))
    # Three changes each, so the last round of every kind (11 × 4 rows) fits the first page of 50.
    add(records=4, changes=3)
    first_page = client.get(_log(world))
    # 11 kinds × (1 + 1) + 4 × 11 × (1 + 3), a meeting for each minutes, and a person for each later appointment.
    assert re.search(r"\d+ changes", first_page.content.decode()).group() == "207 changes"  # type: ignore[union-attr]
    assert all(f"{kind.name} " in " ".join(_rows(first_page)) for kind in KINDS.values())  # the same kinds to describe
    large = _count(client, _log(world))
    assert small == large
