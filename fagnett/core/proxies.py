"""The client's address behind the reverse proxies that the operator trusts.

Each trusted proxy appends the address it received the request from to ``X-Forwarded-For`` (nginx:
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``), so with ``TRUSTED_PROXY_COUNT`` proxies in front
of the app the client is the entry that many places from the right. Everything to its left was written by the
client and is ignored. Without trusted proxies the header is not read at all: anyone can send it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the person's browser, as seen by the first trusted proxy (``REMOTE_ADDR`` without one).

    A header with fewer entries than there are trusted proxies, or with something other than an address where the
    client's address should be, did not come through the proxies as configured; the connection's own address is
    the only one that is known to be true then.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count: int = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    entries = [entry.strip() for entry in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
