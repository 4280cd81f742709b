"""The JSON API: a key per trust, own units only, open rounds only, all or nothing."""

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fagnett.capacity import services
from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world: World) -> str:
    _token, raw = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ-integrasjon")
    return raw


def _put(client: Client, round_: ReportRound, key: str, entries: list[dict[str, Any]]) -> Any:
    return client.put(
        f"/api/capacity/rounds/{round_.pk}/entries",
        data=json.dumps(entries),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_no_key_no_access(world: World, client: Client) -> None:
    assert client.get("/api/capacity/rounds").status_code == 401
    assert client.get("/api/capacity/rounds", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_reads_are_the_trusts_own(world: World, client: Client, key: str) -> None:
    round_ = make_round(world.region_a)
    make_round(world.region_b, name="B round")
    own, other = units_of(world, 0)[0], units_of(world, 1)[0]
    make_entry(round_, own)
    make_entry(round_, other)
    headers = {"Authorization": f"Bearer {key}"}
    assert [r["name"] for r in client.get("/api/capacity/rounds", headers=headers).json()] == [round_.name]
    assert [u["id"] for u in client.get("/api/capacity/units", headers=headers).json()] == [own.pk]
    entries = client.get(f"/api/capacity/rounds/{round_.pk}/entries", headers=headers).json()
    assert [(e["unit_id"], e["staffed_beds"]) for e in entries] == [(own.pk, 8)]
    b_round = ReportRound.objects.get(name="B round")
    assert client.get(f"/api/capacity/rounds/{b_round.pk}/entries", headers=headers).status_code == 404


def test_writes(world: World, client: Client, key: str) -> None:
    round_ = make_round(world.region_a)
    own = units_of(world, 0)[0]
    body = [
        {
            "unit_id": own.pk,
            "category": "K3",
            "scenario": "normal",
            "physical_beds": 10,
            "staffed_beds": 8,
            "ventilated_beds": 6,
            "nurses_fte": "31.5",
            "status": "limited",
            "restrictions": ["staff"],
        },
        {"unit_id": own.pk, "category": "K2", "scenario": "surge_7d", "physical_beds": 4, "staffed_beds": 4},
    ]
    response = _put(client, round_, key, body)
    assert response.status_code == 200, response.content
    assert response.json() == {"saved": 2, "warnings": []}
    entry = CapacityEntry.objects.get(category="K3")
    assert entry.source == "api" and entry.reported_by is None and entry.api_token is not None
    assert str(entry.nurses_fte) == "31.5"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"staffed_beds": 11}, 400),  # more staffed than physical
        ({"staffed_beds": -1}, 422),
        ({"staffed_beds": "mange"}, 422),
        ({"category": "K9"}, 422),
        ({"ventilated_beds": 9}, 400),  # more ventilated than staffed K3
    ],
)
def test_bad_writes_save_nothing(world: World, client: Client, key: str, change: dict[str, Any], status: int) -> None:
    round_ = make_round(world.region_a)
    own = units_of(world, 0)[0]
    good = {"unit_id": own.pk, "category": "K1", "scenario": "normal", "physical_beds": 3}
    bad = {"unit_id": own.pk, "category": "K3", "scenario": "normal", "physical_beds": 10, "staffed_beds": 8} | change
    assert _put(client, round_, key, [good, bad]).status_code == status
    assert not CapacityEntry.objects.exists()


def test_refuses_another_trusts_unit_and_a_closed_round(world: World, client: Client, key: str) -> None:
    round_ = make_round(world.region_a)
    own, other = units_of(world, 0)[0], units_of(world, 1)[0]
    response = _put(
        client,
        round_,
        key,
        [
            {"unit_id": own.pk, "category": "K1", "scenario": "normal", "physical_beds": 3},
            {"unit_id": other.pk, "category": "K1", "scenario": "normal", "physical_beds": 3},
        ],
    )
    assert response.status_code == 403
    closed = make_round(world.region_a, name="Closed", status=ReportRound.Status.CLOSED)
    response = _put(client, closed, key, [{"unit_id": own.pk, "category": "K1", "scenario": "normal"}])
    assert response.status_code == 409
    assert not CapacityEntry.objects.exists()


def test_openapi_schema(client: Client) -> None:
    schema = client.get("/api/capacity/openapi.json").json()
    assert "/api/capacity/rounds/{round_id}/entries" in schema["paths"]
    assert schema["components"]["securitySchemes"]


def test_management_command_issues_a_working_key(world: World, client: Client) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("capacity_api_key", "A1", "Test", stdout=out)
    raw = out.getvalue().strip()
    assert client.get("/api/capacity/units", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=6),
    max_leaves=20,
)
entry_like = st.fixed_dictionaries(
    {},
    optional={
        "unit_id": st.integers(-5, 10**6) | st.text(max_size=5),
        "category": st.sampled_from(["K1", "K2", "K3", "K4", ""]),
        "scenario": st.sampled_from(["normal", "low_activity", "surge_7d", "max_surge", "x"]),
        "physical_beds": st.none() | st.integers(-3, 200_000) | st.text(max_size=4),
        "staffed_beds": st.none() | st.integers(-3, 200_000),
        "ventilated_beds": st.none() | st.integers(-3, 50),
        "nurses_fte": st.none() | st.floats(-1, 1e6, allow_nan=False) | st.text(max_size=6),
        "status": st.text(max_size=10) | st.sampled_from(["available", "limited", "full"]),
        "restrictions": st.lists(st.sampled_from(["staff", "rooms", "other"]), max_size=5),
        "comment": st.text(max_size=30),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(entry_like, max_size=4) | json_values)
def test_no_server_error_on_any_body(world: World, client: Client, key: str, body: Any) -> None:
    """A property test in the spirit of schemathesis: whatever is sent, the API answers without a 5xx."""
    round_ = ReportRound.objects.filter(name="Fuzz").first() or make_round(world.region_a, name="Fuzz")
    own = units_of(world, 0)[0]
    if isinstance(body, list):
        body = [
            ({"unit_id": own.pk} | item) if isinstance(item, dict) and "unit_id" not in item else item for item in body
        ]
    response = _put(client, round_, key, body)
    assert response.status_code < 500, response.content
    for path in ("/api/capacity/rounds", f"/api/capacity/rounds/{round_.pk}/entries", "/api/capacity/rounds/0/entries"):
        assert client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code < 500


def test_big_changes_are_saved_with_warnings(world: World, client: Client, key: str) -> None:
    import datetime

    own = units_of(world, 0)[0]
    old = make_round(world.region_a, name="Q4 2025", period_start=datetime.date(2025, 10, 1))
    make_entry(old, own, "K3", "normal", physical_beds=3, staffed_beds=2)
    round_ = make_round(world.region_a)
    body = [{"unit_id": own.pk, "category": "K3", "scenario": "normal", "physical_beds": 12, "staffed_beds": 11}]
    response = _put(client, round_, key, body)
    assert response.status_code == 200
    assert [w["index"] for w in response.json()["warnings"]] == [0, 0]
    assert CapacityEntry.objects.get(round=round_).staffed_beds == 11


def test_the_coordinator_issues_and_withdraws_keys(world: World, client: Client) -> None:
    client.force_login(world["coordinator"])
    response = client.post("/capacity/api-keys/", {"trust": world.trusts_a[1].pk, "name": "Kapasitetssystem"})
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    raw = response.context["new_key"]
    headers = {"Authorization": f"Bearer {raw}"}
    assert [u["id"] for u in client.get("/api/capacity/units", headers=headers).json()] == [units_of(world, 1)[0].pk]
    token = response.context["tokens"][0]
    assert client.post(f"/capacity/api-keys/{token.pk}/withdraw/").status_code == 302
    assert client.get("/api/capacity/units", headers=headers).status_code == 401
    # Another region's trust cannot be chosen; others may not manage keys at all.
    response = client.post("/capacity/api-keys/", {"trust": world.trust_b.pk, "name": "X"})
    assert response.context["form"].errors and not response.context["new_key"]
    client.force_login(world["reporter"])
    assert client.get("/capacity/api-keys/").status_code == 403
    client.force_login(world["coordinator_b"])
    assert client.post(f"/capacity/api-keys/{token.pk}/withdraw/").status_code == 404


def test_more_entries_than_the_bound_are_refused_whole(
    world: World, client: Client, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fagnett.capacity import api

    monkeypatch.setattr(api, "MAX_ENTRIES", 1)
    round_ = make_round(world.region_a)
    own = units_of(world, 0)[0]
    body = [{"unit_id": own.pk, "category": c, "scenario": "normal", "staffed_beds": 2} for c in ("K1", "K2")]
    response = _put(client, round_, key, body)
    assert response.status_code == 400
    assert response.json()["detail"] == "Ingenting ble lagret: send høyst 1 rapporter om gangen."
    assert not CapacityEntry.objects.exists()
    assert _put(client, round_, key, body[:1]).status_code == 200
