"""A request id on every answer and every log line written while the request is served.

The reverse proxy's ``X-Request-ID`` is kept (nginx: ``proxy_set_header X-Request-ID $request_id``), so its access log
and ours share the id; without one the app makes one. A client could send the header too, which is why the id is only
a correlation key, never trusted for anything, and only kept when it is a short string of plain characters (no
line breaks or quotes to forge log lines with).
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
#: "-" outside a request (management commands, the job worker)
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
_ACCEPTED = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (LOGGING's handlers use it in both the text and the JSON format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True
