"""django-oauth-toolkit's validator, plus client assertions (private_key_jwt) and the test users' claims."""

import threading
import time
from typing import Any

import jwt
from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
HPR_CLAIM = "helseid://claims/hpr/hpr_number"

_used_jtis: set[str] = set()
_lock = threading.Lock()


def verify_client_assertion(assertion: str) -> str | None:
    """The client id the assertion proves, or None. Checks what HelseID checks: key, audience, lifetime, replay."""
    try:
        client_id = jwt.decode(assertion, options={"verify_signature": False})["iss"]
        claims = jwt.decode(
            assertion,
            settings.CLIENT_PUBLIC_KEYS[client_id],
            algorithms=["RS256"],
            audience=[settings.ISSUER, f"{settings.ISSUER}/token/", f"{settings.ISSUER}/par/"],
            issuer=client_id,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
        )
    except (jwt.PyJWTError, KeyError):
        return None
    if claims["sub"] != client_id or claims["exp"] - claims["iat"] > 60 or claims["exp"] < time.time():
        return None
    with _lock:
        if claims["jti"] in _used_jtis:
            return None
        _used_jtis.add(claims["jti"])
    return str(client_id)


class Validator(OAuth2Validator):
    # Entra ID's object id and tenant come with every ID token.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, HPR_CLAIM: "hpr", "oid": "openid", "tid": "openid"}

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        assertion_type = getattr(request, "client_assertion_type", None)
        if assertion_type is None:
            if request.client_id in settings.CLIENT_PUBLIC_KEYS:
                return False  # a client with a key must prove it with the key
            return bool(super().authenticate_client(request, *args, **kwargs))
        if assertion_type != CLIENT_ASSERTION_TYPE:
            return False
        client_id = verify_client_assertion(getattr(request, "client_assertion", ""))
        if client_id is None or (request.client_id and request.client_id != client_id):
            return False
        request.client_id = client_id
        return self._load_application(client_id, request) is not None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": True,
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            **settings.USER_CLAIMS.get(user.username, {}),
        }
