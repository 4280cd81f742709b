"""Sessions end after SESSION_COOKIE_AGE without activity; the expiry is pushed back at most once a minute."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.core.middleware import REFRESHED_AT
from tests.factories import World

pytestmark = pytest.mark.django_db


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def _age_refresh(client: Client, seconds: int) -> None:
    session = client.session
    session[REFRESHED_AT] = int(time.time()) - seconds
    session.save()


def test_reading_pages_does_not_write_the_session_every_time(world: World, client: Client) -> None:
    client.force_login(world["member"])  # logging in starts the idle clock
    refreshed = client.session[REFRESHED_AT]
    assert abs(refreshed - time.time()) < 5
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("networks:list")).status_code == 200
    assert _writes(queries) == []
    assert client.session[REFRESHED_AT] == refreshed


def test_after_a_minute_a_request_pushes_the_expiry_back(world: World, client: Client) -> None:
    client.force_login(world["member"])
    client.get(reverse("home"))
    _age_refresh(client, settings.SESSION_REFRESH_SECONDS + 1)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=5)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("networks:list"))
    assert len(_writes(queries)) == 1
    left = (_session(client).expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 10 < left <= settings.SESSION_COOKIE_AGE
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert abs(client.session[REFRESHED_AT] - time.time()) < 5


def test_a_session_idle_for_the_whole_age_has_ended(world: World, client: Client) -> None:
    client.force_login(world["member"])
    client.get(reverse("home"))
    # An hour without a request: the last refresh set the expiry to then.
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("networks:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_anonymous_visitors_get_no_session(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()
