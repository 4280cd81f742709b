"""Pushed authorization requests (RFC 9126), which HelseID requires of new clients and the toolkit lacks."""

import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView as ToolkitAuthorizationView

from tests.oidc_provider.validator import CLIENT_ASSERTION_TYPE, verify_client_assertion

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
PUSHED_LIFETIME = 60

_pushed: dict[str, tuple[str, str, float]] = {}  # request_uri → (client_id, query string, expiry)
_lock = threading.Lock()


def _authenticated_client(post: QueryDict) -> str | None:
    if post.get("client_assertion_type") == CLIENT_ASSERTION_TYPE:
        return verify_client_assertion(post.get("client_assertion", ""))
    client_id = post.get("client_id", "")
    if client_id in settings.CLIENT_PUBLIC_KEYS:
        return None
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None or not OAuth2Validator()._check_secret(
        post.get("client_secret", ""), application.client_secret
    ):
        return None
    return client_id


@csrf_exempt
@require_POST
def pushed_authorization_request(request: HttpRequest) -> HttpResponse:
    client_id = _authenticated_client(request.POST)
    if client_id is None or request.POST.get("client_id", client_id) != client_id:
        return JsonResponse({"error": "invalid_client"}, status=401)
    params = request.POST.copy()
    for name in ("client_assertion", "client_assertion_type", "client_secret", "request_uri"):
        params.pop(name, None)
    params["client_id"] = client_id
    request_uri = REQUEST_URI_PREFIX + secrets.token_urlsafe(24)
    with _lock:
        _pushed[request_uri] = (client_id, params.urlencode(), time.time() + PUSHED_LIFETIME)
    return JsonResponse({"request_uri": request_uri, "expires_in": PUSHED_LIFETIME}, status=201)


class AuthorizationView(ToolkitAuthorizationView):
    """Resolves ``request_uri`` to the pushed parameters; clients with a key may not send them in the URL."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client_id = request.GET.get("client_id", "")
        request_uri = request.GET.get("request_uri")
        if request_uri is None:
            if client_id in settings.CLIENT_PUBLIC_KEYS:
                return HttpResponseBadRequest("This client must use pushed authorization requests.")
            return super().get(request, *args, **kwargs)
        with _lock:  # one use only
            pushed_client, query, expires = _pushed.pop(request_uri, ("", "", 0.0))
        if pushed_client != client_id or expires < time.time():
            return HttpResponseBadRequest("Unknown or expired request_uri.")
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)
        return super().get(request, *args, **kwargs)
