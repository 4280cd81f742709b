"""Sessions: a signed cookie that costs no query, ends after SESSION_COOKIE_AGE without activity (its signature is
renewed at most once a minute), and ends for good at logout."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fagnett.core.middleware import REFRESHED_AT
from tests.factories import World

pytestmark = pytest.mark.django_db

COOKIE = settings.SESSION_COOKIE_NAME


def _age_refresh(client: Client, seconds: int) -> None:
    session = client.session
    session[REFRESHED_AT] = int(time.time()) - seconds
    session.save()
    client.cookies[COOKIE] = session.session_key


def test_a_page_reads_the_session_and_the_person_in_one_query(world: World, client: Client) -> None:
    client.force_login(world["member"])
    client.get("/")  # the person's access is kept after the first request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("downloads:list"))
    assert response.status_code == 200
    assert "django_session" not in " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "accounts_user"' in queries.captured_queries[0]["sql"]


def test_reading_pages_does_not_renew_the_session_every_time(world: World, client: Client) -> None:
    client.force_login(world["member"])  # logging in starts the idle clock
    refreshed = client.session[REFRESHED_AT]
    assert abs(refreshed - time.time()) < 5
    for name in ("home", "networks:list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert COOKIE not in response.cookies  # nothing to send back: the cookie the browser has stays
    assert client.session[REFRESHED_AT] == refreshed


def test_after_a_minute_a_request_renews_the_session(world: World, client: Client) -> None:
    client.force_login(world["member"])
    client.get(reverse("home"))
    _age_refresh(client, settings.SESSION_REFRESH_SECONDS + 1)
    response = client.get(reverse("networks:list"))
    assert response.cookies[COOKIE]["max-age"] == settings.SESSION_COOKIE_AGE
    assert response.cookies[COOKIE]["httponly"] and response.cookies[COOKIE]["samesite"] == "Lax"
    renewed = signing.loads(
        response.cookies[COOKIE].value,
        salt="django.contrib.sessions.backends.signed_cookies",
        serializer=signing.JSONSerializer,
        max_age=5,  # signed just now
    )
    assert abs(renewed[REFRESHED_AT] - time.time()) < 5


def test_a_session_idle_for_the_whole_age_has_ended(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(world["member"])
    assert client.get(reverse("home")).status_code == 200
    # The cookie as the last request left it, an hour and a second ago: its signature carries the time it was made.
    old = int(time.time()) - settings.SESSION_COOKIE_AGE - 1
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(old))
    session = client.session
    session.save()
    monkeypatch.undo()
    client.cookies[COOKIE] = session.session_key
    assert SessionStore(session.session_key).load() == {}  # refused by its age
    response = client.get(reverse("networks:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_cookie_copied_before_logout_does_not_work_after_it(world: World, client: Client) -> None:
    client.force_login(world["member"])
    other_device = Client()
    other_device.force_login(world["member"])
    assert client.get(reverse("home")).status_code == 200
    copied = client.cookies[COOKIE].value  # e.g. left in a shared PC's browser profile, or taken off the wire

    response = client.post(reverse("oidc_logout"))
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == ""  # the browser forgets it

    thief = Client()
    thief.cookies[COOKIE] = copied
    assert thief.get(reverse("home")).status_code == 302
    # Logging out ends every session of the person: the cookie cannot be told apart from the other device's.
    assert other_device.get(reverse("home")).status_code == 302
    again = Client()
    again.force_login(world["member"])  # the instance was read before the logout: the login reads the epoch
    assert again.get(reverse("home")).status_code == 200  # a new login works


def test_a_changed_password_ends_the_other_sessions(world: World, client: Client) -> None:
    member = world["member"]
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200
    member.set_password("another-long-password-1")
    member.save(update_fields=["password"])
    assert client.get(reverse("home")).status_code == 302


def test_anonymous_visitors_get_no_session(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert COOKIE not in response.cookies
