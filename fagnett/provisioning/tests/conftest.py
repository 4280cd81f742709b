import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fagnett.accounts.tests.conftest import oidc_entra_like, oidc_provider  # noqa: F401 — fixtures for these tests
from fagnett.organisations.models import TrustIdentity
from fagnett.provisioning.models import ScimToken
from fagnett.provisioning.services import scim_token_create
from tests.factories import World

SCIM_JSON = "application/scim+json"
Call = Callable[..., Any]


@pytest.fixture
def scim_key(world: World) -> str:
    """A working provisioning key of region A, issued by its coordinator; trust A1 is recognised by a1.example."""
    TrustIdentity.objects.create(trust=world.trusts_a[0], kind=TrustIdentity.Kind.EMAIL_DOMAIN, value="a1.example")
    TrustIdentity.objects.create(trust=world.trusts_a[1], kind=TrustIdentity.Kind.ORGANISATION_NAME, value="Sykehus A2")
    _key, raw = scim_token_create(user=world["coordinator"], region=world.region_a, name="Entra ID")
    return raw


@pytest.fixture
def scim(client: Client, scim_key: str) -> Call:
    """``scim("POST", "/scim/v2/Users", body)`` → (status, parsed JSON or None), with region A's key."""

    def call(method: str, path: str, body: Any = None, key: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {scim_key if key is None else key}"}
        data = json.dumps(body) if body is not None else ""
        response = client.generic(method, path, data=data, content_type=SCIM_JSON, headers=headers)
        assert response["Content-Type"].startswith(SCIM_JSON) or response.status_code == 204
        return response.status_code, (json.loads(response.content) if response.content else None)

    return call


def scim_token(world: World) -> ScimToken:
    return ScimToken.objects.get(region=world.region_a)
