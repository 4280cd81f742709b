"""The coordinator's key page: who may see it, a key shown once, only the hash kept, revoking."""

import hashlib
import re
from collections.abc import Callable

import pytest
from django.test import Client

from fagnett.opendata import services
from fagnett.opendata.models import RegionApiKey
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
KEY = re.compile(r'<code id="new-key">(fnod_[A-Za-z0-9_-]{40,})</code>')


def _page(world: World) -> str:
    return f"/region/{world.region_a.pk}/open-data/keys/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("director", 403),
        ("leader", 403),
        ("member", 403),
        ("fagsjef", 403),
        ("employee", 403),
        ("coordinator_b", 404),
        ("fagsjef_b", 404),
    ],
)
def test_only_the_regions_coordinator_sees_the_page(world: World, login_as: LoginAs, role: str, status: int) -> None:
    client = login_as(role)
    assert client.get(_page(world)).status_code == status
    response = client.post(_page(world), {"name": "Portal"})
    assert response.status_code == status
    if status != 200:
        assert not RegionApiKey.objects.exists()


def test_anonymous_is_sent_to_log_in(world: World, client: Client) -> None:
    response = client.get(_page(world))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_region_is_404(world: World, login_as: LoginAs) -> None:
    assert login_as("coordinator").get("/region/999999/open-data/keys/").status_code == 404


def test_the_key_is_shown_once_and_only_its_hash_is_kept(world: World, login_as: LoginAs) -> None:
    client = login_as("coordinator")
    response = client.post(_page(world), {"name": "Analyseportalen"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    match = KEY.search(response.content.decode())
    assert match, "the new key is on the page"
    raw = match.group(1)

    key = RegionApiKey.objects.get()
    assert key.region == world.region_a and key.created_by == world["coordinator"] and key.is_active
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(key.prefix) and len(key.prefix) < len(raw) // 3
    stored = [str(v) for v in RegionApiKey.objects.values_list().get()]
    stored += [str(v) for row in key.history.values_list() for v in row]
    assert not any(raw in value for value in stored)

    again = client.get(_page(world)).content.decode()
    assert raw not in again
    assert key.prefix in again and "Analyseportalen" in again

    api = Client().get("/api/open/v1/networks", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


def test_two_keys_differ(world: World) -> None:
    _k1, raw1 = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="A")
    _k2, raw2 = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="B")
    assert raw1 != raw2


def test_a_name_is_required_and_no_national_id_number(world: World, login_as: LoginAs) -> None:
    client = login_as("coordinator")
    assert client.post(_page(world), {"name": ""}).status_code == 200
    response = client.post(_page(world), {"name": "Nøkkel for 15108695088"})
    assert response.status_code == 200
    assert 'id="new-key"' not in response.content.decode()
    assert not RegionApiKey.objects.exists()


def test_the_page_lists_only_its_own_regions_keys(world: World, login_as: LoginAs) -> None:
    services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal A")
    services.region_api_key_create(user=world["coordinator_b"], region=world.region_b, name="Portal B")
    content = login_as("coordinator").get(_page(world)).content.decode()
    assert "Portal A" in content and "Portal B" not in content


def test_revoking(world: World, login_as: LoginAs) -> None:
    key, _raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    response = login_as("coordinator").post(f"{_page(world)}{key.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == _page(world)
    key.refresh_from_db()
    assert not key.is_active and key.revoked_at is not None and key.revoked_by == world["coordinator"]
    assert [h.revoked_at is None for h in key.history.order_by("history_date")] == [True, False]
    assert key.history.latest().history_user == world["coordinator"]


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("member", 403), ("coordinator_b", 404)])
def test_others_cannot_revoke(world: World, login_as: LoginAs, role: str, status: int) -> None:
    key, _raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    assert login_as(role).post(f"{_page(world)}{key.pk}/revoke/").status_code == status
    key.refresh_from_db()
    assert key.is_active


def test_a_key_cannot_be_revoked_through_another_regions_page(world: World, login_as: LoginAs) -> None:
    key_b, _raw = services.region_api_key_create(user=world["coordinator_b"], region=world.region_b, name="B")
    assert login_as("coordinator").post(f"{_page(world)}{key_b.pk}/revoke/").status_code == 404
    key_b.refresh_from_db()
    assert key_b.is_active


def test_revoke_is_post_only(world: World, login_as: LoginAs) -> None:
    key, _raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    assert login_as("coordinator").get(f"{_page(world)}{key.pk}/revoke/").status_code == 405


def test_the_way_in_goes_to_the_coordinators_region(world: World, login_as: LoginAs) -> None:
    response = login_as("coordinator").get("/region/open-data/keys/")
    assert response.status_code == 302 and response["Location"] == _page(world)


def test_the_way_in_is_closed_to_others(world: World, login_as: LoginAs) -> None:
    assert login_as("leader").get("/region/open-data/keys/").status_code == 403


def test_a_superuser_chooses_among_the_regions(world: World, login_as: LoginAs) -> None:
    world["director"].is_superuser = True
    world["director"].save()
    content = login_as("director").get("/region/open-data/keys/").content.decode()
    assert world.region_a.name in content and world.region_b.name in content


def test_the_page_costs_the_same_queries_with_many_keys(world: World, login_as: LoginAs) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_as("coordinator")
    services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="K0")
    client.get(_page(world))  # the first page reads the person's access, later ones keep it
    with CaptureQueriesContext(connection) as few:
        client.get(_page(world))
    for i in range(1, 15):
        key, _raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name=f"K{i}")
        if i % 2:
            services.region_api_key_revoke(user=world["coordinator"], key=key)
    with CaptureQueriesContext(connection) as many:
        client.get(_page(world))
    assert len(many) == len(few)
