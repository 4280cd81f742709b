"""Schemathesis generates requests from the open-data API's own OpenAPI schema: none may cause a server error."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from fagnett.cases.tests.factories import make_case
from fagnett.meetings.tests.factories import make_meeting
from fagnett.opendata import services
from fagnett.procedures.tests.factories import make_procedure
from tests.factories import World

schema = schemathesis.openapi.from_wsgi("/api/open/v1/openapi.json", WSGIHandler())


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
    make_meeting(world.network)
    make_case(world)
    make_procedure(world.network)
    return services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Fuzz")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_from_the_schema_causes_a_server_error(case: Any, key: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    case.validate_response(response, checks=[not_a_server_error])
    sent = response.request
    if sent.headers.get("Authorization") and sent.method == case.method.upper():
        assert response.status_code != 401
