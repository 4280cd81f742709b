"""A record's history page: every create, change and delete in words, with the right person, for each kind."""

import datetime
import html
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fagnett.audit.tests.factories import KIND_CASES, change
from fagnett.capacity import services as capacity_services
from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases.tests.factories import assess_consultations, make_case
from fagnett.core.history import acting_as
from fagnett.meetings import services as meeting_services
from fagnett.meetings.models import ActionItem
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World, make_mandate

pytestmark = pytest.mark.django_db


def _text(response: object) -> str:
    """The page's text with tags dropped and spaces collapsed, as a reader meets it."""
    content = response.content.decode()  # type: ignore[attr-defined]
    content = re.sub(r'<span class="ds-sr-only">[^<]*</span>', "", content)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content)))


@pytest.mark.parametrize("kind", list(KIND_CASES))
def test_create_change_and_delete_in_words(world: World, login_as: object, kind: str) -> None:
    case = KIND_CASES[kind]
    with acting_as(world["secretary"]):
        record = case.make(world)
    with acting_as(world["leader"]):
        change(record, case.field, case.value)
    client: Client = login_as("coordinator")  # type: ignore[operator]
    url = f"/history/{kind}/{record.pk}/"

    text = _text(client.get(url))
    label, old, new = case.words
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d – Leader Testesen changed the ", text), text
    assert f"{label} : {old} → {new}" in text
    assert re.search(r"– Secretary Testesen created the ", text)
    assert text.index("Leader Testesen changed") < text.index("Secretary Testesen created"), "newest first"

    with acting_as(world["director"]):
        record.delete()
    text = _text(client.get(url))
    assert re.search(r"– Director Testesen deleted the ", text), text
    assert "Leader Testesen changed" in text and "Secretary Testesen created" in text


def test_values_read_as_words(world: World, login_as: object) -> None:
    """Foreign keys by name, booleans as yes/no, dates as dd.mm.yyyy, long text shortened; lock_version hidden."""
    with acting_as(world["employee"]):
        case = make_case(world, description="Kort.")
    long_text = "Pasienter flyttes ulikt mellom sykehusene. " * 8 + "Siste setning."
    with acting_as(world["leader"]):
        case.responsible = world["member"]
        case.consensus = True
        case.due_date = datetime.date(2026, 5, 17)
        case.description = long_text
        case.lock_version += 1
        case.save()
    response = login_as("coordinator").get(f"/history/case/{case.pk}/")  # type: ignore[operator]
    text = _text(response)
    assert "Responsible : (empty) → Member Testesen" in text
    assert "Consensus : (empty) → yes" in text
    assert "Answer wanted by : (empty) → 17.05.2026" in text
    assert "Description : Kort. → Pasienter flyttes ulikt mellom sykehusene." in text
    assert "Version :" not in text  # lock_version is bookkeeping
    content = response.content.decode()
    summary = re.search(r"<summary>\s*Show all", content)
    assert summary is not None and "Siste setning." in content
    shortened = content[content.index("→") :]
    assert shortened.index("…") < shortened.index(summary.group())


def test_choices_by_label_and_many_to_many_in_words(world: World, login_as: object) -> None:
    task_1, task_2, task_3 = world.tasks
    with acting_as(world["coordinator"]):
        mandate = make_mandate(world.network, meeting_form="digital")
        mandate.tasks.set([task_1, task_2])
    with acting_as(world["director"]):
        mandate.meeting_form = "hybrid"
        mandate.save()
        mandate.tasks.set([task_1, task_3])
    text = _text(login_as("member").get(f"/history/mandate/{mandate.pk}/"))  # type: ignore[operator]
    assert "Meeting form : Digital → Hybrid" in text
    assert "Tasks : Task 1, Task 2 → Task 1, Task 3 (added: Task 3; removed: Task 2)" in text
    # Set right after creating it, the tasks are part of what the mandate was created with: one entry, not two.
    assert text.count("Coordinator Testesen") == 1
    assert (
        "What it was created with Network : Anestesi og intensiv Version : 2 Purpose : Samling om beste praksis."
        in text
    )
    assert "Tasks : Task 1, Task 2" in text.split("Coordinator Testesen created the mandate", 1)[1]


def test_minutes_history_shows_the_text_of_each_item(world: World, login_as: object) -> None:
    meeting = make_meeting(world.network, days=-2)
    (item,) = add_items(meeting, "Budsjett 2026")
    minutes = meeting_services.minutes_start(user=world["secretary"], meeting=meeting)
    with acting_as(world["secretary"]):
        meeting_services.minutes_save(
            user=world["secretary"], minutes=minutes, texts={item.pk: ("Gjennomgått.", "Vedtatt.")}, lock_version=1
        )
    with acting_as(world["leader"]):
        meeting_services.minutes_save(
            user=world["leader"],
            minutes=minutes,
            texts={item.pk: ("Gjennomgått.", "Vedtatt med endring.")},
            lock_version=2,
        )
    text = _text(login_as("secretary").get(f"/history/minutes/{minutes.pk}/"))  # type: ignore[operator]
    assert "Leader Testesen changed the minutes Item: Budsjett 2026 Conclusion or recommendation" in text
    assert "Conclusion or recommendation : Vedtatt. → Vedtatt med endring." in text
    # The items made from the agenda are recorded too, so the first save shows the change from empty.
    assert "Added – Item: Budsjett 2026" in text
    assert "Item: Budsjett 2026 Summary : (empty) → Gjennomgått." in text
    # A save that left an item as it was says nothing about that item.
    assert text.count("Summary :") == 1


def test_writes_through_the_capacity_api_name_the_key(world: World, client: Client) -> None:
    round_ = make_round(world.region_a)
    unit = units_of(world)[0]
    _token, key = capacity_services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ")
    body = [{"unit_id": unit.pk, "category": "K3", "scenario": "normal", "physical_beds": 10, "staffed_beds": 8}]
    response = client.put(
        f"/api/capacity/rounds/{round_.pk}/entries",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    entry = CapacityEntry.objects.get()
    assert entry.history.get().history_user is None  # type: ignore[attr-defined]
    client.force_login(world["reporter"])
    text = _text(client.get(f"/history/capacity-entry/{entry.pk}/"))
    assert "API key “Trust A1 HF – EPJ” created the capacity entry" in text


def test_changes_outside_a_request_say_so(world: World, login_as: object) -> None:
    action_item = ActionItem.objects.create(
        network=world.network, title="Uten person", owner=world["member"], due_date=datetime.date(2026, 1, 1)
    )
    text = _text(login_as("member").get(f"/history/action-item/{action_item.pk}/"))  # type: ignore[operator]
    assert "Fagnett (no one logged in) created the action item" in text


def test_a_capacity_cells_history_spans_its_corrections(world: World, login_as: object) -> None:
    round_ = make_round(world.region_a)
    unit = units_of(world)[0]
    with acting_as(world["reporter"]):
        first = make_entry(round_, unit)
    round_.status = ReportRound.Status.CLOSED
    round_.save()
    capacity_services.capacity_entry_submit(
        user=world["coordinator"],
        round_=round_,
        unit=unit,
        category="K3",
        scenario="normal",
        values={"physical_beds": 10, "staffed_beds": 7},
        correction_reason="Feiltelling",
    )
    text = _text(login_as("reporter").get(f"/history/capacity-entry/{first.pk}/"))  # type: ignore[operator]
    assert "Reporter Testesen created the capacity entry" in text
    assert "Current version : yes → no" in text
    assert "Reason for the correction : Feiltelling" in text


ROLE_TABLE = [
    ("case", "employee", 200),
    ("case", "member", 200),
    ("case", "director", 200),
    ("case", "other_member", 404),
    ("case", "fagsjef", 404),
    ("case", "coordinator_b", 404),
    ("meeting", "other_member", 200),
    ("meeting", "coordinator_b", 404),
    ("minutes", "secretary", 200),
    ("minutes", "coordinator", 200),
    ("minutes", "member", 404),
    ("minutes", "director", 404),
    ("mandate", "employee", 200),
    ("mandate", "coordinator_b", 404),
    ("appointment", "director", 200),
    ("appointment", "member", 404),
    ("appointment", "coordinator_b", 404),
    ("action-item", "member", 200),
    ("action-item", "leader", 200),
    ("action-item", "other_member", 404),
    ("action-item", "coordinator_b", 404),
    ("network-report", "member", 200),
    ("network-report", "director", 200),
    ("network-report", "other_member", 403),
    ("network-report", "coordinator_b", 404),
    ("regional-report", "director", 200),
    ("regional-report", "leader", 403),
    ("regional-report", "coordinator_b", 404),
    ("capacity-entry", "reporter", 200),
    ("capacity-entry", "coordinator", 200),
    ("capacity-entry", "director", 404),
    ("capacity-entry", "member", 404),
    ("capacity-entry", "coordinator_b", 404),
]


@pytest.mark.parametrize(("kind", "role", "status"), ROLE_TABLE)
def test_only_those_who_see_the_record_see_its_history(
    world: World, login_as: object, kind: str, role: str, status: int
) -> None:
    record = KIND_CASES[kind].make(world)
    response = login_as(role).get(f"/history/{kind}/{record.pk}/")  # type: ignore[operator]
    assert response.status_code == status


def test_unknown_kinds_and_records_are_not_found(world: World, login_as: object, client: Client) -> None:
    case = make_case(world)
    assert client.get(f"/history/case/{case.pk}/").status_code == 302  # to the login page
    coordinator: Client = login_as("coordinator")  # type: ignore[operator]
    assert coordinator.get(f"/history/network/{world.network.pk}/").status_code == 404
    assert coordinator.get("/history/case/999999/").status_code == 404
    assert coordinator.post(f"/history/case/{case.pk}/").status_code == 405


def test_a_deleted_records_history_is_the_coordinators(world: World, login_as: object) -> None:
    case = make_case(world)
    url = f"/history/case/{case.pk}/"
    case.delete()
    for role in ("director", "employee", "member", "coordinator_b"):
        assert login_as(role).get(url).status_code == 404  # type: ignore[operator]
    response = login_as("coordinator").get(url)  # type: ignore[operator]
    assert response.status_code == 200
    assert f'href="/regions/{world.region_a.pk}/audit/"' in response.content.decode()
    assert "Deleted" in _text(response)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_flat_as_history_grows(world: World, login_as: object) -> None:
    client: Client = login_as("coordinator")  # type: ignore[operator]
    counts = []
    for changes in (2, 20):
        with acting_as(world["leader"]):
            case = make_case(world)
            consultations = assess_consultations(case, world["leader"])
            mandate = make_mandate(world.network)
        for n in range(changes):
            with acting_as(world["member"] if n % 2 else world["secretary"]):
                change(case, "title", f"Tittel {n}")
                change(consultations[0], "outcome", f"Utfall {n}")
                mandate.tasks.set(world.tasks[: n % 3 + 1])
        counts.append(
            (_queries(client, f"/history/case/{case.pk}/"), _queries(client, f"/history/mandate/{mandate.pk}/"))
        )
    assert counts[0] == counts[1]
