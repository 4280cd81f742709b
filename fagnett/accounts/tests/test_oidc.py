"""Single sign-on without the provider: the login page, matching rules, client assertions, checks and settings."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper

from fagnett.accounts import oidc
from fagnett.accounts.checks import oidc_endpoints_use_https, oidc_private_key_readable
from fagnett.accounts.models import User
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[3]

ISSUER = "https://idp.example/tenant/v2.0"
ENABLED = {
    "OIDC_ENABLED": True,
    "OIDC_PROVIDER_NAME": "HelseID",
    "OIDC_RP_CLIENT_ID": "fagnett",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_RP_CLIENT_PRIVATE_KEY_FILE": "",
    "OIDC_OP_ISSUER": ISSUER,
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/token",
    "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/keys",
    "OIDC_IDENTIFIER_CLAIM": "",
    "OIDC_EMAIL_CLAIM": "email",
    "OIDC_EMAIL_VERIFIED_CLAIM": "email_verified",
    "OIDC_TENANT_CLAIM": "tid",
    "OIDC_ORGANISATION_NUMBER_CLAIM": "",
}


@pytest.fixture
def enabled(settings: SettingsWrapper) -> SettingsWrapper:
    for name, value in ENABLED.items():
        setattr(settings, name, value)
    return settings


def backend_for_request() -> oidc.OIDCBackend:
    backend = oidc.OIDCBackend()
    backend.request = RequestFactory().get("/oidc/callback/")
    return backend


def refusal(backend: oidc.OIDCBackend) -> Any:
    return getattr(backend.request, oidc._REFUSAL_ATTR, None)


# --- The login page ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_has_no_single_sign_on_button_when_it_is_not_configured(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "/oidc/authenticate/" not in html
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


@pytest.mark.django_db
def test_login_page_offers_the_provider_and_keeps_the_password_login(enabled: SettingsWrapper, client: Client) -> None:
    make_user("kari")
    html = client.get("/accounts/login/?next=/networks/", headers={"accept-language": "en"}).content.decode()
    assert 'href="/oidc/authenticate/?next=/networks/">Log in with HelseID</a>' in html
    assert 'name="password"' in html

    response = client.post("/accounts/login/", {"username": "kari", "password": PASSWORD})
    assert response.status_code == 302  # break-glass: the local password still works


@pytest.mark.django_db
def test_the_button_sends_the_browser_to_the_provider_with_pkce(enabled: SettingsWrapper, client: Client) -> None:
    response = client.get("/oidc/authenticate/?next=/networks/")
    assert response.status_code == 302
    assert response.url.startswith(f"{ISSUER}/authorize?")
    assert "code_challenge_method=S256" in response.url
    assert "nonce=" in response.url
    assert client.session["oidc_login_next"] == "/networks/"


# --- Matching ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_matching_by_e_mail_ignores_case_and_never_matches_an_empty_address(enabled: SettingsWrapper) -> None:
    kari = make_user("kari", email="kari.nordmann@example.no")
    make_user("nobody", email="")
    backend = backend_for_request()

    assert list(backend.filter_users_by_claims({"email": " Kari.Nordmann@EXAMPLE.no "})) == [kari]
    assert not backend.verify_claims({"email": ""})
    assert refusal(backend) == (oidc.CLAIM_MISSING, {"claim": "email"})


@pytest.mark.django_db
def test_an_e_mail_the_provider_marks_unverified_is_refused(enabled: SettingsWrapper) -> None:
    backend = backend_for_request()
    assert not backend.verify_claims({"email": "kari@example.no", "email_verified": False})
    assert backend.verify_claims({"email": "kari@example.no", "email_verified": True})


@pytest.mark.django_db
def test_matching_by_identifier_is_exact(enabled: SettingsWrapper) -> None:
    enabled.OIDC_IDENTIFIER_CLAIM = "oid"
    enabled.OIDC_EMAIL_CLAIM = ""  # the identifier only, as with HelseID
    kari = make_user("kari", sso_identifier="Ab12-cd")
    backend = backend_for_request()

    assert list(backend.filter_users_by_claims({"oid": "Ab12-cd"})) == [kari]
    assert list(backend.filter_users_by_claims({"oid": "ab12-cd"})) == []
    assert list(backend.filter_users_by_claims({"email": kari.email})) == []


@pytest.mark.django_db
def test_two_people_with_the_same_e_mail_are_refused_as_ambiguous(enabled: SettingsWrapper) -> None:
    make_user("kari1", email="kari@example.no")
    make_user("kari2", email="KARI@example.no")
    backend = backend_for_request()

    assert len(backend.filter_users_by_claims({"email": "kari@example.no"})) == 2
    assert refusal(backend) == (oidc.AMBIGUOUS, {"identity": "kari@example.no"})


@pytest.mark.django_db
def test_nobody_is_created_and_inactive_people_are_refused(enabled: SettingsWrapper) -> None:
    backend = backend_for_request()
    count = User.objects.count()
    assert backend.create_user({"email": "new@example.no"}) is None
    assert User.objects.count() == count
    assert refusal(backend) == (oidc.UNKNOWN, {"identity": "new@example.no"})

    inactive = make_user("gone", is_active=False)
    assert backend.update_user(inactive, {"email": inactive.email}) is None
    assert refusal(backend) == (oidc.INACTIVE, {})


def test_the_refusal_message_names_the_provider_and_the_identity(enabled: SettingsWrapper) -> None:
    with translation.override("en"):
        text = oidc.refusal_message(oidc.UNKNOWN, {"identity": "ola@example.no"})
    assert text.startswith("You are not registered in Fagnett (HelseID identified you as ola@example.no).")


@pytest.mark.django_db
def test_a_password_login_never_reaches_the_provider(enabled: SettingsWrapper) -> None:
    request = RequestFactory().post("/accounts/login/?code=stolen&state=x")
    assert oidc.OIDCBackend().authenticate(request, username="kari", password="x") is None
    assert oidc.OIDCBackend().authenticate(request) is None


@pytest.mark.django_db
@translation.override("en")
def test_the_identifier_is_unique_and_never_a_national_identity_number() -> None:
    make_user("kari", sso_identifier="565505933")
    other = make_user("ola")
    other.sso_identifier = "565505933"
    with pytest.raises(ValidationError) as taken:
        other.full_clean()
    assert taken.value.message_dict["__all__"] == ["Another person already has this single sign-on identifier."]
    other.sso_identifier = "13097248022"  # a valid fødselsnummer (a synthetic test number)
    with pytest.raises(ValidationError) as national_id:
        other.full_clean()
    assert [e.code for e in national_id.value.error_dict["sso_identifier"]] == ["national_id"]
    other.sso_identifier = ""
    other.full_clean()  # many people without an identifier are fine


# --- Client assertions (private_key_jwt) ---------------------------------------------------------------------


def _key_files(folder: Path) -> tuple[rsa.RSAPrivateKey, Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = folder / "key.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key)), "kid": "key-1"}
    jwk_file = folder / "key.json"
    jwk_file.write_text(json.dumps(jwk))
    return key, pem, jwk_file


def test_client_assertions_follow_helseid_s_rules(enabled: SettingsWrapper, tmp_path: Path) -> None:
    key, pem, jwk_file = _key_files(tmp_path)
    for key_file, kid in [(jwk_file, "key-1"), (pem, "")]:
        enabled.OIDC_RP_CLIENT_PRIVATE_KEY_FILE = str(key_file)
        fields = oidc.client_credentials(endpoint=f"{ISSUER}/token")

        assert "client_secret" not in fields
        assert fields["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        assertion = fields["client_assertion"]
        claims = jwt.decode(assertion, key.public_key(), algorithms=["RS256"], audience=ISSUER)
        assert claims["iss"] == claims["sub"] == "fagnett"
        assert claims["exp"] - claims["iat"] == 60
        assert jwt.get_unverified_header(assertion).get("kid", "") == kid
    second = oidc.client_credentials(endpoint=f"{ISSUER}/token")["client_assertion"]
    assert jwt.decode(second, options={"verify_signature": False})["jti"] != claims["jti"]


def test_without_a_key_the_client_authenticates_with_its_secret(enabled: SettingsWrapper) -> None:
    assert oidc.client_credentials(endpoint="x") == {"client_id": "fagnett", "client_secret": "secret"}


# --- System checks -------------------------------------------------------------------------------------------


def test_checks_report_an_unreadable_key_and_plain_http(enabled: SettingsWrapper, tmp_path: Path) -> None:
    assert oidc_private_key_readable(None) == []
    enabled.OIDC_RP_CLIENT_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")
    assert [m.id for m in oidc_private_key_readable(None)] == ["accounts.E001"]
    (tmp_path / "bad.pem").write_text("not a key")
    enabled.OIDC_RP_CLIENT_PRIVATE_KEY_FILE = str(tmp_path / "bad.pem")
    assert [m.id for m in oidc_private_key_readable(None)] == ["accounts.E001"]

    assert oidc_endpoints_use_https(None) == []
    enabled.OIDC_OP_TOKEN_ENDPOINT = "http://idp.example/token"
    assert [m.msg for m in oidc_endpoints_use_https(None)] == [
        "OIDC_OP_TOKEN_ENDPOINT must be an https:// address in production."
    ]


# --- Settings from the environment ---------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-deploy-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "fagnett.example",
    "FAGNETT_SITE_URL": "https://fagnett.example",
    "OIDC_RP_CLIENT_ID": "fagnett",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.microsoftonline.com/tenant/oauth2/v2.0/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.microsoftonline.com/tenant/discovery/v2.0/keys",
    "OIDC_OP_LOGOUT_ENDPOINT": "https://login.microsoftonline.com/tenant/oauth2/v2.0/logout",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_with_single_sign_on_passes_check_deploy_and_allows_the_logout_redirect() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr

    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.OIDC_ENABLED, settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']]))"
    )
    result = run_manage("shell", "--no-imports", "-c", script, **PRODUCTION_ENV)
    assert json.loads(result.stdout) == [True, ["'self'", "https://login.microsoftonline.com"]], result.stderr


def test_half_configured_single_sign_on_refuses_to_start() -> None:
    env = {**PRODUCTION_ENV, "OIDC_OP_TOKEN_ENDPOINT": "", "OIDC_OP_JWKS_ENDPOINT": ""}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "these must be set too: OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_JWKS_ENDPOINT" in result.stderr
