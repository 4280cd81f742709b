import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

#: the session key holding when the idle timeout was last pushed back (seconds since the epoch)
REFRESHED_AT = "_fagnett_refreshed_at"


class UserLanguageMiddleware:
    """Use the language a logged-in person chose, on every device they log in from."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


def session_started(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    """Logging in saves the session with a full idle timeout: the clock starts there (no second write on the first
    page)."""
    if hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())


class SessionRefreshMiddleware:
    """The idle timeout without a database write on every request.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` saves the session after every request to push its expiry back: an
    UPDATE and a commit (a WAL flush on PostgreSQL) even for a page that only reads. This saves it when
    ``SESSION_REFRESH_SECONDS`` have passed since the last time instead, so a session ends between
    ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` seconds after the last request.
    Anonymous visitors get no session from it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            if now - request.session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[REFRESHED_AT] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


class SecurityHeadersMiddleware:
    """Headers every answer of the app carries; static files (WhiteNoise, above this) keep their own.

    ``Cache-Control: private, no-store``: hospital PCs are shared, and a page, an export or a download kept in the
    browser's cache (or a proxy's) could be read by the next person at the same PC after the first logged out. It
    replaces whatever a view set, so no view can make a confidential answer cacheable by mistake.
    ``Permissions-Policy``: the browser features the app never uses are switched off for it and anything it frames.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
