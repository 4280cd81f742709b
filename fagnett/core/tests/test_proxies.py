"""The client's address: from X-Forwarded-For only as far as the operator's trusted proxies wrote it."""

import pytest
from django.test import RequestFactory, override_settings

from fagnett.core.proxies import client_ip


def _ip(forwarded: str | None, *, proxies: int, remote: str = "10.0.0.2") -> str:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        return client_ip(request)


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        # No trusted proxy: whatever the client writes is ignored.
        ("203.0.113.66", 0, "10.0.0.2"),
        (None, 0, "10.0.0.2"),
        # One proxy (nginx with $proxy_add_x_forwarded_for): the right-most entry is the one it appended.
        ("198.51.100.7", 1, "198.51.100.7"),
        ("203.0.113.66, 198.51.100.7", 1, "198.51.100.7"),
        ("203.0.113.66,198.51.100.7", 1, "198.51.100.7"),
        # A load balancer and then nginx: the load balancer appended the client, nginx the load balancer.
        ("203.0.113.66, 198.51.100.7, 10.0.0.9", 2, "198.51.100.7"),
        ("2001:db8::7, 10.0.0.9", 2, "2001:db8::7"),
        # Not the way the proxies write it: the connection's address is the only true one.
        (None, 1, "10.0.0.2"),
        ("", 1, "10.0.0.2"),
        ("198.51.100.7", 2, "10.0.0.2"),
        ("203.0.113.66, not-an-address", 1, "10.0.0.2"),
        ("203.0.113.66, 198.51.100.7:4431", 1, "10.0.0.2"),
    ],
)
def test_client_ip(forwarded: str | None, proxies: int, expected: str) -> None:
    assert _ip(forwarded, proxies=proxies) == expected
