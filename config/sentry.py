"""Error reports to Sentry, only when SENTRY_DSN is set, and with no personal data in them.

``send_default_pii=False`` keeps out the user, their address and cookies; ``include_local_variables=False`` keeps out
the values in the stack frames (a form's fields, a person's row); ``before_send`` drops what the request integration
would still attach: the body, the query string (searches are names), cookies and the authorising headers.
"""

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

_DROPPED_HEADERS = {"authorization", "cookie", "x-csrftoken", "proxy-authorization"}


def scrub(event: Any, hint: Any) -> Any:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "query_string", "cookies", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() not in _DROPPED_HEADERS
            }
    event.pop("user", None)
    return event


def sentry_init(dsn: str, *, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
        traces_sample_rate=0.0,
    )
