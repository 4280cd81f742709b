import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db


def test_login_with_username_and_password(world: World, client: Client) -> None:
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_gets_a_message(world: World, client: Client) -> None:
    response = client.post(reverse("login"), {"username": "member", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out(world: World, client: Client) -> None:
    for _ in range(3):
        client.post(reverse("login"), {"username": "member", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 429
    assert "locked" in response.content.decode() or "låst" in response.content.decode()


def test_logout_is_a_post(world: World, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("member")
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
