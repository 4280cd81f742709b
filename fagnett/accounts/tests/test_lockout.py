"""Password guessing behind the reverse proxy, through the real login form.

Behind the proxy that docs/OPERATIONS.md recommends, every request arrives from the proxy's address and the
person's own address is the right-most entry of X-Forwarded-For. The lock-out counts failures per person, and a
person's successful login clears their own failures only.
"""

from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.db.models import Sum
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the reverse proxy: REMOTE_ADDR of every request that came through it
HOSPITAL = "10.20.30.40"  # the hospital's address, which everyone inside it shares
LOCKED = 429


def _login(client: Client, username: str, password: str, *, via: str = PROXY, forwarded: str | None = HOSPITAL) -> Any:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=via, headers=headers)


def _failures(username: str) -> int:
    total = AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


@override_settings(AXES_ENABLED=True, TRUSTED_PROXY_COUNT=1)
def test_a_colleague_s_guesses_lock_the_account_and_the_guesser_s_own_logins_do_not_clear_them(world: World) -> None:
    attacker, colleague = Client(), Client()
    for guess in range(1, 6):
        # The form again with its error, until the fifth wrong guess locks the account.
        assert _login(attacker, "leader", f"guess {guess}").status_code == (LOCKED if guess == 5 else 200)
        assert _login(attacker, "member", PASSWORD).status_code == 302  # the guesser's own account works
        attacker.post(reverse("logout"))

    assert _failures("leader") == 5
    # The colleague is locked out of password login, from the shared address and from any other.
    assert _login(colleague, "leader", PASSWORD).status_code == LOCKED
    assert _login(Client(), "leader", PASSWORD, forwarded="192.0.2.77").status_code == LOCKED
    assert "_auth_user_id" not in colleague.session
    # The guesser is not locked out by guessing someone else's password.
    assert _login(attacker, "member", PASSWORD).status_code == 302


@override_settings(AXES_ENABLED=True, TRUSTED_PROXY_COUNT=1)
def test_one_person_s_failures_do_not_lock_out_others_behind_the_same_address(world: World) -> None:
    for _ in range(5):
        _login(Client(), "secretary", "wrong password")
    assert _login(Client(), "secretary", PASSWORD).status_code == LOCKED

    for person in ("member", "leader", "coordinator"):
        assert _login(Client(), person, PASSWORD).status_code == 302, person


@override_settings(AXES_ENABLED=True, TRUSTED_PROXY_COUNT=1)
def test_a_successful_login_clears_only_that_person_s_failures(world: World) -> None:
    for _ in range(3):
        _login(Client(), "member", "typo")
        _login(Client(), "leader", "typo")
    assert _login(Client(), "member", PASSWORD).status_code == 302
    assert _failures("member") == 0
    assert _failures("leader") == 3


@override_settings(AXES_ENABLED=True, TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(world: World) -> None:
    _login(Client(), "member", "wrong", via="192.0.2.10", forwarded="203.0.113.66")
    _login(Client(), "leader", PASSWORD, via="192.0.2.11", forwarded="203.0.113.66")

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("member", "192.0.2.10")]
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [("leader", "192.0.2.11")]


@override_settings(AXES_ENABLED=True, TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_it_appended_is_the_client_s(world: World) -> None:
    # The client wrote the first entry itself; the proxy appended the address the request came from.
    _login(Client(), "member", "wrong", forwarded="203.0.113.66, 198.51.100.7")
    _login(Client(), "leader", PASSWORD, forwarded="203.0.113.66, 198.51.100.8")

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("member", "198.51.100.7")]
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [("leader", "198.51.100.8")]
