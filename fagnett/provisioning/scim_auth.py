"""The SCIM endpoint's authentication: a region's key as a bearer token (RFC 6750).

django-scim2 wraps every SCIM view's ``dispatch`` in the class named by ``AUTH_CHECK_MIDDLEWARE``; this one lets a
request in only with a working key of a region, which it puts on the request (``request.scim_token``). The
request's person is anonymous whatever cookie comes with it: what the provider changes is the key's doing, and
history says so. This module imports nothing of django-scim2's views, which import it while they load.
"""

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django_scim.constants import SCIM_CONTENT_TYPE, SchemaURI
from django_scim.middleware import SCIMAuthCheckMiddleware

from fagnett.provisioning.services import scim_token_authenticate

WWW_AUTHENTICATE = 'Bearer realm="Fagnett SCIM"'


def base_location(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> str:
    """Where ``meta.location`` and ``Location`` point: the site's own address, as in every e-mail's links."""
    return str(settings.FAGNETT_SITE_URL)


def unauthorised(detail: str) -> HttpResponse:
    body = {"schemas": [SchemaURI.ERROR], "status": "401", "detail": detail}
    response = HttpResponse(json.dumps(body), status=401, content_type=SCIM_CONTENT_TYPE)
    response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


class BearerKeyCheck(SCIMAuthCheckMiddleware):
    def should_log_request(self, request: HttpRequest) -> bool:
        # django-scim2 would log every body at DEBUG: names and addresses of the region's people stay out of logs.
        return False

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
        token = scim_token_authenticate(raw=secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return unauthorised("A working provisioning key of a region is required as a bearer token.")
        request.scim_token = token  # type: ignore[attr-defined]
        request.user = AnonymousUser()
        return None
