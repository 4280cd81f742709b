"""Single sign-on with OpenID Connect: who the provider's person is in Fagnett, and the login flow's edges.

mozilla-django-oidc runs the authorization code flow (state, nonce, PKCE, RS256 ID tokens checked against the
provider's JWKS). What is Fagnett's own is here:

- **Matching first, never two accounts for one person.** An identity the provider vouches for is matched to an
  existing person: first by the claim ``OIDC_IDENTIFIER_CLAIM`` compared exactly with the person's
  ``sso_identifier`` (Entra ID's ``oid``, HelseID's HPR number), then by the claim ``OIDC_EMAIL_CLAIM`` compared
  case-insensitively with the person's e-mail, unless the provider says the address is unverified
  (``OIDC_EMAIL_VERIFIED_CLAIM`` false). A person matched by identifier gets the provider's new e-mail address and
  name; one matched by e-mail gets the identifier, so the next login does not depend on the address.
- **Created at the first login only when the region recognises the organisation** (``organisations.TrustIdentity``:
  the organisation number in ``OIDC_ORGANISATION_NUMBER_CLAIM``, the tenant in ``OIDC_TENANT_CLAIM``, or the domain
  of an e-mail address the provider positively says is verified): then the person becomes an employee of that
  trust with no role. Unknown, inactive, ambiguous and conflicting identities are refused with a message on the
  login page that says why; an inactive person is never created again.
- **HelseID's client authentication**: a signed client assertion (``private_key_jwt``) instead of a secret when
  ``OIDC_RP_CLIENT_PRIVATE_KEY_FILE`` is set, and pushed authorization requests when ``OIDC_OP_PAR_ENDPOINT`` is.
- **The ID token's issuer and audience** are checked (mozilla-django-oidc checks signature, expiry and nonce).
- **Failures end on the login page** with a message, never as an error page.
"""

import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from fagnett.accounts.models import User
from fagnett.accounts.services import employee_create, unique_username, user_update_from_provider
from fagnett.organisations.selectors import trust_recognised

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("django.security.oidc")

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: HelseID accepts client assertions that live at most 60 seconds.
CLIENT_ASSERTION_LIFETIME = 60
CALLBACK_URL_NAME = "oidc_authentication_callback"

# Why a login was refused, recorded on the request by the backend and turned into a message by the callback view.
_REFUSAL_ATTR = "_fagnett_oidc_refusal"
UNKNOWN = "unknown"
INACTIVE = "inactive"
AMBIGUOUS = "ambiguous"
CONFLICT = "conflict"
UNVERIFIED = "unverified"
CLAIM_MISSING = "claim_missing"
FAILED = "failed"
CANCELLED = "cancelled"
UNAVAILABLE = "unavailable"


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def provider_name() -> str:
    return str(settings.OIDC_PROVIDER_NAME)


def is_oidc_callback(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> bool:
    """django-axes' whitelist: the OpenID Connect callback carries no password, so axes neither counts nor blocks it."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == CALLBACK_URL_NAME


def _refuse(request: HttpRequest | None, reason: str, **details: str) -> None:
    if request is not None:
        setattr(request, _REFUSAL_ATTR, (reason, details))


def refusal_message(reason: str, details: dict[str, str]) -> str:
    values = {"provider": provider_name(), **details}
    texts = {
        UNKNOWN: _(
            "You are not registered in Fagnett (%(provider)s identified you as %(identity)s). Employees of the "
            "health trusts the region has registered get an account at their first login, and others when they are "
            "appointed to a network or given a role: ask the regional coordinator if you should have access."
        ),
        INACTIVE: _("Your access to Fagnett has been closed. Ask the regional coordinator if you need it again."),
        AMBIGUOUS: _(
            "More than one person in Fagnett matches your login (%(identity)s), so you cannot be logged in. "
            "Ask the administrator to correct it."
        ),
        CONFLICT: _(
            "Fagnett knows the person with %(identity)s by another login at %(provider)s, so you cannot be logged "
            "in with this one. Ask the administrator to check which login is right."
        ),
        UNVERIFIED: _(
            "%(provider)s has not verified your e-mail address (%(identity)s), so Fagnett cannot recognise you by "
            "it. Ask the administrator to check your account at %(provider)s."
        ),
        CLAIM_MISSING: _(
            "%(provider)s did not send what Fagnett recognises you by (%(claim)s). Ask the administrator to check "
            "the single sign-on settings."
        ),
        CANCELLED: _("The login with %(provider)s was cancelled or refused."),
        UNAVAILABLE: _("%(provider)s did not answer. Try again in a few minutes, or contact the administrator."),
        FAILED: _("The login with %(provider)s could not be completed. Please try again."),
    }
    return texts.get(reason, texts[FAILED]) % values


# --- Client authentication -----------------------------------------------------------------------------------


def load_private_key(path: str) -> tuple[Any, str]:
    """The client's private key and key id from a PEM file or a JWK (as HelseID's self-service portal gives it)."""
    data = Path(path).read_bytes()
    key_id = settings.OIDC_RP_CLIENT_KEY_ID
    if data.lstrip().startswith(b"{"):
        jwk = json.loads(data)
        return jwt.PyJWK(jwk).key, key_id or jwk.get("kid", "")
    return serialization.load_pem_private_key(data, password=None), key_id


def client_assertion(*, audience: str) -> str:
    """A signed JWT proving the client's identity (RFC 7523, OpenID Connect ``private_key_jwt``)."""
    key, key_id = load_private_key(settings.OIDC_RP_CLIENT_PRIVATE_KEY_FILE)
    now = int(time.time())
    claims = {
        "iss": settings.OIDC_RP_CLIENT_ID,
        "sub": settings.OIDC_RP_CLIENT_ID,
        "aud": audience,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + CLIENT_ASSERTION_LIFETIME,
    }
    headers = {"typ": "JWT", **({"kid": key_id} if key_id else {})}
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)


def client_credentials(*, endpoint: str) -> dict[str, str]:
    """The form fields that authenticate Fagnett at the provider's token or PAR endpoint."""
    if settings.OIDC_RP_CLIENT_PRIVATE_KEY_FILE:
        # RFC 9126 asks the provider to accept its issuer as the audience at every endpoint; HelseID expects it.
        audience = settings.OIDC_RP_CLIENT_ASSERTION_AUDIENCE or settings.OIDC_OP_ISSUER or endpoint
        return {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": client_assertion(audience=audience),
        }
    return {"client_id": settings.OIDC_RP_CLIENT_ID, "client_secret": settings.OIDC_RP_CLIENT_SECRET}


# --- The backend ---------------------------------------------------------------------------------------------


class OIDCBackend(OIDCAuthenticationBackend):
    """Logs in the active person the provider identified, or creates an employee of a trust the region recognises."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback view passes a nonce; a password login never reaches the token exchange.
        if not oidc_enabled() or "nonce" not in kwargs or kwargs.get("username") is not None:
            return None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        if settings.OIDC_RP_CLIENT_PRIVATE_KEY_FILE:
            payload.pop("client_secret", None)
            payload.update(client_credentials(endpoint=self.OIDC_OP_TOKEN_ENDPOINT))
        return super().get_token(payload)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token, not a signed userinfo response
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if settings.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token was issued to another client.")
            if payload.get("iss") != settings.OIDC_OP_ISSUER:
                raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims, completed by the userinfo endpoint when there is one.

        Entra ID puts ``preferred_username`` and ``oid`` only in the ID token; HelseID puts everything there.
        """
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo response is about another person than the ID token.")
            claims.update(userinfo)
        return claims

    def get_user(self, user_id: Any) -> User | None:
        """The person of a session, while their access is open: a person deactivated since logging in is logged out
        at their next request (mozilla-django-oidc's own ``get_user`` does not look at ``is_active``)."""
        person: User | None = super().get_user(user_id)
        return person if person is not None and self.user_can_authenticate(person) else None

    # --- What the claims say

    @staticmethod
    def _claim(claims: dict[str, Any], name: str) -> str:
        value = claims.get(name) if name else None
        return str(value).strip() if value not in (None, "") else ""

    def identifier_value(self, claims: dict[str, Any]) -> str:
        return self._claim(claims, settings.OIDC_IDENTIFIER_CLAIM)

    def email_value(self, claims: dict[str, Any]) -> str:
        return self._claim(claims, settings.OIDC_EMAIL_CLAIM)

    @staticmethod
    def email_verified(claims: dict[str, Any]) -> bool | None:
        """True or False when the provider says whether the address is verified, None when it does not say."""
        value = claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM) if settings.OIDC_EMAIL_VERIFIED_CLAIM else None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        return None

    def usable_email(self, claims: dict[str, Any]) -> str:
        """The address to match and keep: never one the provider says is unverified."""
        email = self.email_value(claims)
        return email if email and self.email_verified(claims) is not False else ""

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return self.email_value(claims) or self.identifier_value(claims)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        identifier, email = self.identifier_value(claims), self.email_value(claims)
        if not identifier and not email:
            names = ", ".join(n for n in (settings.OIDC_IDENTIFIER_CLAIM, settings.OIDC_EMAIL_CLAIM) if n)
            _refuse(self.request, CLAIM_MISSING, claim=names)
            return False
        if not identifier and not self.usable_email(claims):
            _refuse(self.request, UNVERIFIED, identity=email)
            return False
        return True

    # --- Who it is

    def filter_users_by_claims(self, claims: dict[str, Any]) -> list[User]:
        """The person the claims identify: by identifier, else by a usable e-mail. Two people with the address,
        or one who has another identifier, is a refusal recorded on the request (an empty or two-person list)."""
        identifier = self.identifier_value(claims)
        if identifier:
            by_identifier = list(User.objects.filter(sso_identifier=identifier)[:1])
            if by_identifier:
                return by_identifier
        email = self.usable_email(claims)
        if not email:
            return []
        users = list(User.objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            _refuse(self.request, AMBIGUOUS, identity=email)
        elif users and identifier and users[0].sso_identifier and users[0].sso_identifier != identifier:
            # The address is someone's who logs in as another identity: a second login for one person, or a
            # reused address. Neither may take over the account.
            logger.warning("OIDC login refused: %s belongs to a person with another identifier", email)
            _refuse(self.request, CONFLICT, identity=email)
            return []
        return users

    def _refused(self) -> bool:
        return hasattr(self.request, _REFUSAL_ATTR)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            return None
        users = self.filter_users_by_claims(claims)
        if self._refused():
            return None
        if users:
            return self.update_user(users[0], claims)
        return self.create_user(claims)

    @staticmethod
    def names(claims: dict[str, Any]) -> tuple[str, str]:
        given = str(claims.get("given_name") or "").strip()
        family = str(claims.get("family_name") or "").strip()
        if not (given or family):
            given, _space, family = str(claims.get("name") or "").strip().rpartition(" ")
        return given, family

    def create_user(self, claims: dict[str, Any]) -> User | None:
        """An employee of the trust the region recognises the identity as belonging to; nobody otherwise."""
        identity = self.describe_user_by_claims(claims)
        verified = self.email_verified(claims) is True
        recognised = trust_recognised(
            # The domain decides the employer, so only an address the provider positively vouches for counts.
            email=self.email_value(claims) if verified else "",
            tenant=self._claim(claims, settings.OIDC_TENANT_CLAIM),
            organisation_number=self._claim(claims, settings.OIDC_ORGANISATION_NUMBER_CLAIM),
        )
        if recognised is None:
            logger.info("OIDC login refused: nobody in Fagnett is %s, and no trust recognises it", identity)
            _refuse(self.request, UNKNOWN, identity=identity)
            return None
        identifier, email = self.identifier_value(claims), self.usable_email(claims)
        given, family = self.names(claims)
        try:
            person = employee_create(
                reason=f"First login with single sign-on ({provider_name()}): employee of {recognised.trust} "
                f"by {recognised.describe()}",
                username=unique_username(email or identifier),
                email=email,
                first_name=given,
                last_name=family,
                trust=recognised.trust,
                sso_identifier=identifier,
            )
        except ValidationError as exc:
            logger.warning("OIDC first login of %s could not create the person: %s", identity, exc.messages)
            _refuse(self.request, FAILED)
            return None
        logger.info("OIDC first login: person %s created in %s", person.pk, recognised.trust)
        return person

    def update_user(self, user: User, claims: dict[str, Any]) -> User | None:
        """Log in an active person, with the name, e-mail and identifier the provider now gives (never roles)."""
        if not self.user_can_authenticate(user):
            logger.info("OIDC login refused: %s is inactive", user.username)
            _refuse(self.request, INACTIVE)
            return None
        changes: dict[str, Any] = {}
        given, family = self.names(claims)
        if given:
            changes["first_name"] = given[:150]
        if family:
            changes["last_name"] = family[:150]
        identifier, email = self.identifier_value(claims), self.usable_email(claims)
        if identifier and not user.sso_identifier:
            changes["sso_identifier"] = identifier
        # A person recognised by their identifier may have a new address (a new employer, a changed name); take it
        # unless someone else has it, which would make logging in by e-mail ambiguous.
        if (
            email
            and identifier
            and user.sso_identifier == identifier
            and email.lower() != user.email.lower()
            and not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        ):
            changes["email"] = email
        try:
            changed = user_update_from_provider(
                user, changes, reason=f"Updated from single sign-on ({provider_name()}) at login"
            )
        except ValidationError as exc:
            # What Fagnett has stays; the person is still who the provider says.
            logger.warning("OIDC login of %s: the provider's details were refused: %s", user.pk, exc.messages)
        else:
            if changed:
                logger.info("OIDC login of %s updated %s from the provider", user.pk, ", ".join(changed))
        return user


# --- Views ---------------------------------------------------------------------------------------------------


def _to_login_page(request: HttpRequest, reason: str, details: dict[str, str] | None = None) -> HttpResponse:
    messages.error(request, refusal_message(reason, details or {}))
    return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))


class OIDCAuthenticationRequestView(oidc_views.OIDCAuthenticationRequestView):
    """Sends the browser to the provider; with a PAR endpoint, pushes the request there first (HelseID)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        # The parent stores state, nonce and the PKCE verifier in the session and builds the full request.
        response: HttpResponseRedirect = super().get(request)
        if not settings.OIDC_OP_PAR_ENDPOINT:
            return response
        params = dict(parse_qsl(urlsplit(response.url).query))
        params.update(client_credentials(endpoint=settings.OIDC_OP_PAR_ENDPOINT))
        try:
            pushed = requests.post(
                settings.OIDC_OP_PAR_ENDPOINT, data=params, timeout=settings.OIDC_TIMEOUT, verify=True
            )
            pushed.raise_for_status()
            request_uri = pushed.json()["request_uri"]
        except (requests.RequestException, ValueError, KeyError):
            logger.exception("OIDC pushed authorization request failed")
            return _to_login_page(request, UNAVAILABLE)
        query = urlencode({"client_id": settings.OIDC_RP_CLIENT_ID, "request_uri": request_uri})
        return HttpResponseRedirect(f"{self.OIDC_OP_AUTH_ENDPOINT}?{query}")


class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Completes the login, or returns to the login page with a message that says why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # An unknown or replayed state, a token for another client, a bad signature: tell no details.
            security_logger.warning("OIDC callback refused: %s", exc)
            return _to_login_page(request, FAILED)
        except requests.RequestException:
            logger.exception("OIDC token exchange with the provider failed")
            return _to_login_page(request, UNAVAILABLE)

    def login_failure(self) -> HttpResponse:
        reason, details = getattr(self.request, _REFUSAL_ATTR, (FAILED, {}))
        if self.request.GET.get("error"):
            reason, details = CANCELLED, {}
            logger.info("OIDC login not completed at the provider: %s", self.request.GET.get("error"))
        return _to_login_page(self.request, reason, details)


def provider_logout_url(request: HttpRequest) -> str:
    """Where to go after Fagnett's session ends: the provider's end-session endpoint if it has one."""
    login_url = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not (oidc_enabled() and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token):
        return login_url
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(login_url),
        }
    )
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"
