"""LoginRequiredMiddleware asks every view for a logged-in person; these are the only ones that do not."""

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Each authenticates on its own or must be reachable before logging in.
PUBLIC = {
    "accounts/login/",
    "accounts/logout/",
    "admin/login/",  # Django's admin sends people here itself
    "language/",  # the login page offers English
    "healthz",  # the load balancer's probe
    "readyz",  # the load balancer's readiness probe (names only the failing part)
    "metrics",  # Prometheus: its bearer token or address (FAGNETT_METRICS_TOKEN, FAGNETT_METRICS_ALLOWED), else 404
    "calendar/<str:token>.ics",  # the secret address is the key
    "oidc/authenticate/",
    "oidc/callback/",
    "oidc/logout/",
    "api/capacity/",  # API keys (capacity.ApiToken), the documentation open
    "api/capacity/openapi.json",
    "api/capacity/rounds",
    "api/capacity/units",
    "api/capacity/rounds/<round_id>/entries",
    "api/capacity/situation-reports",
    "api/capacity/situation-reports/latest",
    "api/open/v1/",  # open data, API keys for more
    "api/open/v1/openapi.json",
    "api/open/v1/networks",
    "api/open/v1/meetings",
    "api/open/v1/cases",
    "api/open/v1/procedures",
    "api/open/v1/annual-report/figures",
    "scim/v2/^Users(?:/(?P<uuid>[^/]+))?$",  # the region's SCIM bearer key
    "scim/v2/^Groups(?:/(?P<uuid>[^/]+))?$",
    "scim/v2/^ServiceProviderConfig$",
    "scim/v2/^ResourceTypes(?:/(?P<uuid>[^/]+))?$",
    "scim/v2/^Schemas(?:/(?P<uuid>[^/]+))?$",
}


def _routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, prefix + str(pattern.pattern))
        else:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


def test_only_the_listed_views_are_open_without_logging_in() -> None:
    routes = _routes(get_resolver())
    public = {route for route, pattern in routes if not getattr(pattern.callback, "login_required", True)}
    assert public == PUBLIC
    assert len(routes) > 200  # the walk reached the apps' URLconfs


def test_a_page_asks_a_stranger_to_log_in(client: Client) -> None:
    response = client.get("/region/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/region/"
