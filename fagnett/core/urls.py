"""URL helpers shared by the apps' URLconfs."""

from typing import Any

from django.urls import URLPattern, URLResolver


def public(included: Any) -> Any:
    """Mark every view of an included URLconf (``include(...)`` or a django-ninja ``api.urls``) as open to people
    who are not logged in, for ``LoginRequiredMiddleware``. Only for views that authenticate on their own: the API
    keys of the APIs, SCIM's bearer key, the identity provider's redirect back. Returns ``included`` unchanged."""
    urlconf = included[0]
    patterns = getattr(urlconf, "urlpatterns", urlconf)
    _mark(patterns)
    return included


def _mark(patterns: list[URLPattern | URLResolver]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _mark(pattern.url_patterns)
        else:
            # What django.contrib.auth.decorators.login_not_required sets.
            pattern.callback.login_required = False  # type: ignore[attr-defined]
