"""The key services check the person is the coordinator of the key's region."""

import pytest
from django.core.exceptions import PermissionDenied

from fagnett.opendata import services
from fagnett.opendata.models import RegionApiKey
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["leader", "director", "coordinator_b"])
def test_only_the_coordinator_issues_keys(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.region_api_key_create(user=world[role], region=world.region_a, name="Portal")
    assert not RegionApiKey.objects.exists()


@pytest.mark.parametrize("role", ["leader", "director", "coordinator_b"])
def test_only_the_coordinator_revokes_keys(world: World, role: str) -> None:
    key, _raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    with pytest.raises(PermissionDenied):
        services.region_api_key_revoke(user=world[role], key=key)
    key.refresh_from_db()
    assert key.is_active


def test_revoking_twice_keeps_the_first_time(world: World) -> None:
    key, _raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    services.region_api_key_revoke(user=world["coordinator"], key=key)
    first = key.revoked_at
    services.region_api_key_revoke(user=world["coordinator"], key=key)
    key.refresh_from_db()
    assert key.revoked_at == first and key.history.count() == 2


def test_authenticate_ignores_revoked_and_unknown_keys(world: World) -> None:
    key, raw = services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Portal")
    found = services.region_api_key_authenticate(raw=raw)
    assert found is not None and found.pk == key.pk and found.region_id == world.region_a.pk
    assert services.region_api_key_authenticate(raw="") is None
    assert services.region_api_key_authenticate(raw=raw + "x") is None
    services.region_api_key_revoke(user=world["coordinator"], key=key)
    assert services.region_api_key_authenticate(raw=raw) is None
