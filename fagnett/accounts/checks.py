"""System checks for single sign-on: a bad key or an insecure endpoint is reported by ``manage.py check``."""

from typing import Any

import jwt
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from fagnett.accounts.oidc import load_private_key, oidc_enabled

ENDPOINT_SETTINGS = [
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_PAR_ENDPOINT",
    "OIDC_OP_LOGOUT_ENDPOINT",
]


@register(Tags.security)
def oidc_private_key_readable(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not (oidc_enabled() and settings.OIDC_RP_CLIENT_PRIVATE_KEY_FILE):
        return []
    try:
        load_private_key(settings.OIDC_RP_CLIENT_PRIVATE_KEY_FILE)
    except (OSError, ValueError, TypeError, jwt.PyJWKError) as exc:
        return [
            Error(
                f"OIDC_RP_CLIENT_PRIVATE_KEY_FILE cannot be read as a PEM or JWK private key: {exc}",
                id="accounts.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def oidc_endpoints_use_https(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not oidc_enabled():
        return []
    return [
        Error(f"{name} must be an https:// address in production.", id="accounts.E002")
        for name in ENDPOINT_SETTINGS
        if getattr(settings, name) and not getattr(settings, name).startswith("https://")
    ]
