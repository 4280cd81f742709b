"""The trusts' API keys are ``core.models.HashedKey``s: shown once, stored as a hash, revoked for good."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fagnett.capacity import services
from fagnett.capacity.models import ApiToken
from tests.factories import World


def _units(raw: str) -> int:
    return Client().get("/api/capacity/units", headers={"Authorization": f"Bearer {raw}"}).status_code


@pytest.mark.django_db
def test_a_key_is_typed_stored_as_its_hash_and_its_use_recorded(world: World) -> None:
    token, raw = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ")
    token.refresh_from_db()
    assert raw.startswith("fncap_") and token.prefix == raw[:14] and len(raw) == len("fncap_") + 43
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not any(raw in str(value) for value in ApiToken.objects.values_list().get())
    assert token.verify(raw) and not token.verify(raw[:-1])
    assert token.last_used_at is None

    assert _units(raw) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_revoked_key_stays_revoked(world: World) -> None:
    token, raw = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ")
    services.api_token_revoke(user=world["coordinator"], token=token)
    first = token.revoked_at
    assert first is not None and not token.verify(raw)
    services.api_token_revoke(user=world["coordinator"], token=token)
    token.refresh_from_db()
    assert token.revoked_at == first
    assert _units(raw) == 401


@pytest.mark.django_db
def test_the_command_refuses_a_name_with_an_identity_number(world: World) -> None:
    with pytest.raises(CommandError, match=r"fødselsnummer|identity number"):
        call_command("capacity_api_key", "A1", "Nøkkel for 15108695088", stdout=StringIO())
    assert not ApiToken.objects.exists()
