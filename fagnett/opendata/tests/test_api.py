"""The open-data API: one key per region, its own region's rows only, no free text, flat query counts."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone

from fagnett.cases.models import Case, CommonCase
from fagnett.cases.tests.factories import make_case
from fagnett.core.calendar import OSLO
from fagnett.meetings.models import Attendance, Meeting
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Network
from fagnett.opendata import services
from fagnett.opendata.models import RegionApiKey
from fagnett.procedures.models import Procedure, Status
from fagnett.procedures.tests.factories import make_procedure
from fagnett.reports.models import RegionalReport
from fagnett.reports.statistics import region_statistics
from tests.factories import World, make_mandate, make_network, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/open/v1"
ENDPOINTS = ["networks", "meetings", "cases", "procedures"]


@pytest.fixture
def key_a(world: World) -> str:
    return services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Analyseportal")[1]


@pytest.fixture
def key_b(world: World) -> str:
    return services.region_api_key_create(user=world["coordinator_b"], region=world.region_b, name="Portal B")[1]


@pytest.fixture
def api_get(client: Client) -> Callable[..., Any]:
    def get(path: str, key: str | None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        # The messages are asserted in English; without this the site's default language (nb) answers.
        headers["Accept-Language"] = "en"
        return client.get(f"{BASE}/{path}", params, headers=headers)

    return get


def _at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def _meeting(network: Network, starts: datetime.datetime, **kwargs: Any) -> Meeting:
    return make_meeting(network, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **kwargs)


def _rows(world: World) -> dict[str, dict[str, set[int]]]:
    """One row of every kind in region A and in region B; returns their ids by region and endpoint."""
    ids: dict[str, dict[str, set[int]]] = {"a": {}, "b": {}}
    for label, network in (("a", world.network), ("b", world.network_b)):
        ids[label]["meetings"] = {_meeting(network, _at(2025, 3, 4)).pk}
        ids[label]["cases"] = {make_case(world, network=network, year=2025).pk}
        ids[label]["procedures"] = {make_procedure(network).pk}
    ids["a"]["networks"] = {world.network.pk, world.other_network.pk}
    ids["b"]["networks"] = {world.network_b.pk}
    return ids


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


# --- Keys -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_key_or_an_unknown_key_is_refused(world: World, api_get: Callable[..., Any], endpoint: str) -> None:
    assert api_get(endpoint, None).status_code == 401
    assert api_get(endpoint, "fnod_not-a-key").status_code == 401
    assert api_get(endpoint, "x" * 500).status_code == 401


def test_a_revoked_key_stops_working_at_once(world: World, api_get: Callable[..., Any]) -> None:
    key, raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    assert api_get("networks", raw).status_code == 200
    services.region_api_key_revoke(user=world["coordinator"], key=key)
    for endpoint in ENDPOINTS:
        response = api_get(endpoint, raw)
        assert response.status_code == 401
        assert "items" not in response.json()


def test_revoked_at_alone_decides_access(world: World, api_get: Callable[..., Any]) -> None:
    """A key works while its revoke time is empty; there is no second flag that could disagree with it."""
    key, raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    assert api_get("networks", raw).status_code == 200
    RegionApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert api_get("networks", raw).status_code == 401
    assert not any(field.name == "active" for field in RegionApiKey._meta.get_fields())


def test_use_is_recorded_at_most_once_a_minute(world: World, api_get: Callable[..., Any]) -> None:
    key, raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    assert key.last_used_at is None
    api_get("networks", raw)
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None and timezone.now() - first < datetime.timedelta(seconds=30)

    api_get("networks", raw)
    key.refresh_from_db()
    assert key.last_used_at == first

    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    RegionApiKey.objects.filter(pk=key.pk).update(last_used_at=long_ago)
    api_get("networks", raw)
    key.refresh_from_db()
    assert key.last_used_at is not None and key.last_used_at > long_ago


def test_recording_use_writes_no_history(world: World, api_get: Callable[..., Any]) -> None:
    key, raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    api_get("networks", raw)
    assert key.history.count() == 1  # the creation only


# --- Region isolation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_key_sees_only_its_own_region(
    world: World, api_get: Callable[..., Any], key_a: str, key_b: str, endpoint: str
) -> None:
    ids = _rows(world)
    assert _ids(api_get(endpoint, key_a)) == ids["a"][endpoint]
    assert _ids(api_get(endpoint, key_b)) == ids["b"][endpoint]
    assert api_get(endpoint, key_a).json()["count"] == len(ids["a"][endpoint])


def test_filtering_on_another_regions_network_shows_nothing(
    world: World, api_get: Callable[..., Any], key_a: str
) -> None:
    make_procedure(world.network_b)
    response = api_get("procedures", key_a, network=world.network_b.pk)
    assert response.json() == {"items": [], "count": 0}


# --- Rows -----------------------------------------------------------------------------------------------------------


def test_networks(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    group = make_network(
        world.region_a, name="Arbeidsgruppe sepsis", kind=Network.Kind.WORKING_GROUP, parent=world.network
    )
    rows = {row["id"]: row for row in api_get("networks", key_a).json()["items"]}
    assert rows[group.pk] == {
        "id": group.pk,
        "name": "Arbeidsgruppe sepsis",
        "field": group.field,
        "kind": "working_group",
        "status": "active",
        "parent_id": world.network.pk,
    }
    assert rows[world.network.pk]["parent_id"] is None


def test_meetings_count_people_and_trusts_present(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    meeting = _meeting(world.network, _at(2025, 3, 4), form=Meeting.Form.HYBRID, status=Meeting.Status.HELD)
    a1, a2, _a3 = world.trusts_a
    for role, trust, status in [
        ("leader", a1, Attendance.Status.PRESENT),
        ("secretary", a1, Attendance.Status.PRESENT),
        ("member", a2, Attendance.Status.PRESENT),
        ("rhf_rep", None, Attendance.Status.PRESENT),
        ("other_member", a1, Attendance.Status.ABSENT),
        ("fagsjef", world.trusts_a[2], Attendance.Status.EXCUSED),
    ]:
        Attendance.objects.create(meeting=meeting, person=world[role], trust=trust, status=status)
    empty = _meeting(world.network, _at(2025, 5, 6))

    rows = {row["id"]: row for row in api_get("meetings", key_a).json()["items"]}
    assert rows[meeting.pk] == {
        "id": meeting.pk,
        "network_id": world.network.pk,
        "network_name": "Anestesi og intensiv",
        "starts_at": "2025-03-04T11:00:00Z",
        "ends_at": "2025-03-04T13:00:00Z",
        "form": "hybrid",
        "status": "held",
        "present_count": 4,
        "trusts_present_count": 2,
    }
    assert (rows[empty.pk]["present_count"], rows[empty.pk]["trusts_present_count"]) == (0, 0)


def test_meetings_by_year_in_oslo_time(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    """A meeting at 00:30 on New Year's Day in Oslo is still 31 December in UTC: it counts for the new year."""
    late = _meeting(world.network, _at(2025, 12, 31, 21))
    new_year = _meeting(world.network, _at(2026, 1, 1, 0, 30))
    assert _ids(api_get("meetings", key_a, year=2025)) == {late.pk}
    assert _ids(api_get("meetings", key_a, year=2026)) == {new_year.pk}
    assert _ids(api_get("meetings", key_a)) == {late.pk, new_year.pk}


def test_cases_show_no_free_text_but_the_title(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    common = CommonCase.objects.create(
        region=world.region_a, title="Felles", description="Til alle nettverk", created_by=world["coordinator"]
    )
    submitted = _at(2025, 1, 1, 0, 15)  # 31 December 2024 in UTC
    case = make_case(
        world,
        Case.Status.DECISION_RECORDED,
        year=2025,
        trust=world.trusts_a[1],
        source=Case.Source.COMMON,
        common_case=common,
        submitted_at=submitted,
        description="HEMMELIG BESKRIVELSE",
        wanted="HEMMELIG ØNSKE",
        recommendation="HEMMELIG ANBEFALING",
        decision="HEMMELIG BESLUTNING",
        decided_at=_at(2025, 6, 1),
    )
    response = api_get("cases", key_a)
    assert b"HEMMELIG" not in response.content
    (row,) = response.json()["items"]
    assert row == {
        "id": case.pk,
        "reference": case.reference,
        "year": 2025,
        "title": "Felles rutine for overflytting",
        "network_id": world.network.pk,
        "network_name": "Anestesi og intensiv",
        "status": "decision_recorded",
        "source": "common",
        "trust_short_name": "A2",
        "submitted_at": "2025-01-01",
        "decided_at": "2025-06-01T10:00:00Z",
        "common_case_id": common.pk,
    }
    assert row["reference"].startswith("ANI-2025/")


def test_an_unrouted_case_is_not_served(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    """A submission waiting for the coordinator to route it is not yet the region's case."""
    make_case(world, network=None, region=world.region_a, year=2025)
    routed = make_case(world, year=2025)
    assert _ids(api_get("cases", key_a)) == {routed.pk}


def test_cases_by_year(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    old = make_case(world, year=2024)
    new = make_case(world, year=2025)
    assert _ids(api_get("cases", key_a, year=2024)) == {old.pk}
    assert _ids(api_get("cases", key_a, year=2025)) == {new.pk}


def test_procedures_and_their_filters(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    published = make_procedure(
        world.network,
        (Status.PROPOSED, datetime.date(2024, 1, 1)),
        (Status.IN_PROGRESS, datetime.date(2024, 2, 1)),
        (Status.PUBLISHED, datetime.date(2024, 9, 1)),
        title="Sepsis",
        url="https://example.org/sepsis",
        review_date=datetime.date(2026, 9, 1),
    )
    pathway = make_procedure(world.network, kind=Procedure.Kind.PATHWAY, title="Hoftebrudd")
    other = make_procedure(world.other_network, title="Katarakt")

    rows = {row["id"]: row for row in api_get("procedures", key_a).json()["items"]}
    assert rows[published.pk] == {
        "id": published.pk,
        "network_id": world.network.pk,
        "network_name": "Anestesi og intensiv",
        "kind": "procedure",
        "title": "Sepsis",
        "status": "published",
        "review_date": "2026-09-01",
        "url": "https://example.org/sepsis",
    }
    assert rows[pathway.pk]["url"] is None
    assert _ids(api_get("procedures", key_a, kind="pathway")) == {pathway.pk}
    assert _ids(api_get("procedures", key_a, status="published")) == {published.pk}
    assert _ids(api_get("procedures", key_a, network=world.other_network.pk)) == {other.pk}
    assert _ids(api_get("procedures", key_a, network=world.network.pk, kind="procedure", status="proposed")) == set()


def test_pages(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    meetings = [_meeting(world.network, _at(2025, 1, day)).pk for day in range(1, 6)]
    first = api_get("meetings", key_a, limit=2).json()
    second = api_get("meetings", key_a, limit=2, offset=2).json()
    assert first["count"] == second["count"] == 5
    assert [m["id"] for m in first["items"] + second["items"]] == meetings[:4]


# --- Bad input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["meetings", "cases"])
@pytest.mark.parametrize("year", ["abc", "1999", "2101", "2025.5", "-1"])
def test_a_bad_year_is_422_with_a_clear_message(
    world: World, api_get: Callable[..., Any], key_a: str, endpoint: str, year: str
) -> None:
    response = api_get(endpoint, key_a, year=year)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"field": "year", "message": "year must be a whole number from 2000 to 2100, for example 2025."}
    ]
    assert "year must be a whole number from 2000 to 2100" in body["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "leaflet"}, "kind"),
        ({"status": "lost"}, "status"),
        ({"network": "one"}, "network"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "9999999999999999999"}, "offset"),
        ({"network": "99999999999999999999"}, "network"),
    ],
)
def test_other_bad_parameters_are_422(
    world: World, api_get: Callable[..., Any], key_a: str, params: dict[str, str], field: str
) -> None:
    response = api_get("procedures", key_a, **params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_bad_key_is_refused_before_the_parameters_are_read(world: World, api_get: Callable[..., Any]) -> None:
    assert api_get("meetings", "wrong", year="abc").status_code == 401


# --- Cost -----------------------------------------------------------------------------------------------------------


def _grow(world: World, n: int) -> None:
    """``n`` more rows of every kind in region A, each meeting with people present from two trusts."""
    a1, a2, _a3 = world.trusts_a
    people = [make_user(trust=a1), make_user(trust=a2)]
    for i in range(n):
        network = make_network(world.region_a, parent=world.network, kind=Network.Kind.COUNCIL)
        meeting = _meeting(network, _at(2025, 2, 1) + datetime.timedelta(days=i))
        for person in people:
            Attendance.objects.create(
                meeting=meeting, person=person, trust=person.trust, status=Attendance.Status.PRESENT
            )
        make_case(world, network=network, year=2025, trust=a1)
        make_procedure(network, url="https://example.org/p")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_query_count_stays_flat_as_rows_grow(
    world: World, api_get: Callable[..., Any], key_a: str, endpoint: str, django_assert_num_queries: Any
) -> None:
    """The key, the count and the page: three queries, however many rows (use recorded by an earlier call)."""
    params = {"year": 2025} if endpoint in {"meetings", "cases"} else {}
    _grow(world, 1)
    api_get(endpoint, key_a, **params)  # records the key's use, which is not repeated within a minute
    with django_assert_num_queries(3):
        small = api_get(endpoint, key_a, **params)
    _grow(world, 25)
    with django_assert_num_queries(3):
        large = api_get(endpoint, key_a, **params)
    assert large.json()["count"] > small.json()["count"]
    assert len(large.json()["items"]) > 25


def test_first_use_costs_one_more_query_to_record_it(
    world: World, api_get: Callable[..., Any], key_a: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(4):
        assert api_get("networks", key_a).status_code == 200


# --- Schema ---------------------------------------------------------------------------------------------------------


def test_openapi_schema_is_valid_and_lists_the_paths(client: Client) -> None:
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    schemathesis.openapi.from_dict(schema).validate()  # raises on a schema that breaks the OpenAPI spec
    assert {f"{BASE}/{name}" for name in [*ENDPOINTS, "annual-report/figures"]} == set(schema["paths"])
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())
    assert schema["components"]["securitySchemes"]["RegionKey"]["scheme"] == "bearer"
    case_fields = set(schema["components"]["schemas"]["CaseOut"]["properties"])
    assert not case_fields & {"description", "wanted", "recommendation", "decision", "other_view", "decline_reason"}


def test_the_api_has_no_interactive_docs(client: Client) -> None:
    assert client.get(f"{BASE}/docs").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(world: World, client: Client, key_a: str, method: str) -> None:
    response = getattr(client, method)(f"{BASE}/networks", headers={"Authorization": f"Bearer {key_a}"})
    assert response.status_code == 405
    assert Network.objects.filter(region=world.region_a).count() == 2


# --- Annual report figures ------------------------------------------------------------------------------------------


def test_figures_are_live_until_the_report_is_approved_then_frozen(
    world: World, api_get: Callable[..., Any], key_a: str, key_b: str
) -> None:
    make_mandate(world.other_network, min_meetings_per_year=4)
    for month in (2, 4, 6, 9):
        _meeting(world.network, _at(2025, month, 10), status=Meeting.Status.HELD)
    _meeting(world.other_network, _at(2025, 3, 10), status=Meeting.Status.HELD)
    _meeting(world.network_b, _at(2025, 3, 10), status=Meeting.Status.HELD)

    live = api_get("annual-report/figures", key_a, year=2025).json()
    assert (live["source"], live["version"], live["years"]) == ("live", None, [2023, 2024, 2025])
    counts = {row["network"]: row["counts"] for row in live["meetings"]}
    assert counts == {"Anestesi og intensiv": [0, 0, 4], "Øye": [0, 0, 1]}  # region B's meeting is not there
    assert (live["below_minimum"], live["reporting_networks"]) == (1, 2)
    assert [row["code"] for row in live["tasks"]] == ["T1", "T2", "T3"]

    RegionalReport.objects.create(
        region=world.region_a,
        year=2025,
        created_by=world["coordinator"],
        status=RegionalReport.Status.APPROVED,
        approved_on=datetime.date(2026, 3, 18),
        statistics=region_statistics(region=world.region_a, year=2025),
    )
    _meeting(world.other_network, _at(2025, 5, 10), status=Meeting.Status.HELD)  # after approval
    frozen = api_get("annual-report/figures", key_a, year=2025).json()
    assert (frozen["source"], frozen["version"]) == ("approved", 1)
    assert {row["network"]: row["counts"][-1] for row in frozen["meetings"]}["Øye"] == 1

    other = api_get("annual-report/figures", key_b, year=2025).json()
    assert [row["network"] for row in other["meetings"]] == ["Intensiv Nord"]


def test_figures_refuse_a_bad_year(world: World, api_get: Callable[..., Any], key_a: str) -> None:
    assert api_get("annual-report/figures", key_a, year="abc").status_code == 422
    assert api_get("annual-report/figures", key_a, year=1999).status_code == 422
    assert api_get("annual-report/figures", None, year=2025).status_code == 401
