"""Schemathesis generates requests from the capacity API's own OpenAPI schema: none may cause a server error."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from fagnett.capacity import services
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from tests.factories import World

schema = schemathesis.openapi.from_wsgi("/api/capacity/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's own test client avoids that in the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def key(world: World) -> str:
    round_ = make_round(world.region_a)
    make_entry(round_, units_of(world, 0)[0])
    _token, raw = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="Fuzz")
    return raw


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_from_the_schema_causes_a_server_error(case: Any, key: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    case.validate_response(response, checks=[not_a_server_error])
    sent = response.request
    if sent.headers.get("Authorization") and sent.method == case.method.upper():
        # Schemathesis also probes without the key and with wrong methods; with both right, the key is accepted
        # and the request reaches the endpoint itself.
        assert response.status_code != 401
