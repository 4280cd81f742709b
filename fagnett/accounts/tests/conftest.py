"""A real OpenID Connect provider (tests/oidc_provider) on 127.0.0.1 for the single sign-on tests."""

import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_django.fixtures import Settings as SettingsWrapper

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 60

PROVIDER_PASSWORD = "provider-password-1"
SECRET_CLIENT = "fagnett"
SECRET = "fagnett-client-secret-0123456789"
KEY_CLIENT = "fagnett-helseid"
HPR_CLAIM = "helseid://claims/hpr/hpr_number"
#: The Entra ID tenant the provider's St. Olavs people log in from (``tid``)
TENANT = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
#: The people the provider knows. Fagnett knows only those a test creates.
PROVIDER_USERS = [
    {"username": "kari", "email": "Kari.Nordmann@Example.no", "first_name": "Kari", "last_name": "Nordmann",
     "claims": {HPR_CLAIM: "565505933"}},
    {"username": "ukjent", "email": "ola.ukjent@example.no", "first_name": "Ola", "last_name": "Ukjent",
     "claims": {HPR_CLAIM: "100200300"}},
    {"username": "uten-epost", "email": "", "first_name": "Per", "last_name": "Utenepost"},
    # Entra ID-like people of St. Olavs hospital's tenant (first login, merge cases)
    {"username": "nina", "email": "Nina.Ny@stolav.no", "first_name": "Nina", "last_name": "Ny",
     "claims": {"oid": "oid-nina", "tid": TENANT}},
    {"username": "kari-berg", "email": "Kari.Berg@stolav.no", "first_name": "Kari", "last_name": "Berg",
     "claims": {"oid": "oid-kari", "tid": TENANT}},
    {"username": "ulf", "email": "ulf.uverifisert@stolav.no", "first_name": "Ulf", "last_name": "Uverifisert",
     "claims": {"oid": "oid-ulf", "email_verified": False}},
    {"username": "uten-bekreftelse", "email": "Tor.Tenant@stolav.no", "first_name": "Tor", "last_name": "Tenant",
     "claims": {"oid": "oid-tor", "tid": TENANT, "email_verified": None}},
]  # fmt: skip


@dataclass
class Provider:
    origin: str
    issuer: str
    key_file: Path
    log_file: Path

    def fagnett_settings(self) -> dict[str, Any]:
        """Fagnett's OIDC settings for the client with a secret (e-mail matching, userinfo, logout)."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_PROVIDER_NAME": "Testleverandør",
            "OIDC_RP_CLIENT_ID": SECRET_CLIENT,
            "OIDC_RP_CLIENT_SECRET": SECRET,
            "OIDC_RP_CLIENT_PRIVATE_KEY_FILE": "",
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize/",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token/",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/.well-known/jwks.json",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo/",
            "OIDC_OP_PAR_ENDPOINT": "",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.issuer}/logout/",
            "OIDC_STORE_ID_TOKEN": True,
            "OIDC_RP_SCOPES": "openid email profile",
            "OIDC_IDENTIFIER_CLAIM": "",
            "OIDC_EMAIL_CLAIM": "email",
            "OIDC_EMAIL_VERIFIED_CLAIM": "email_verified",
            "OIDC_TENANT_CLAIM": "tid",
            "OIDC_ORGANISATION_NUMBER_CLAIM": "",
        }

    def entra_like_settings(self) -> dict[str, Any]:
        """As for Entra ID: matched by object id (``oid``) first, then by e-mail; the tenant in ``tid``."""
        return {**self.fagnett_settings(), "OIDC_IDENTIFIER_CLAIM": "oid"}

    def helseid_like_settings(self) -> dict[str, Any]:
        """As HelseID wants it: private_key_jwt, PAR, no userinfo, a person matched by HPR number."""
        return {
            **self.fagnett_settings(),
            "OIDC_RP_CLIENT_ID": KEY_CLIENT,
            "OIDC_RP_CLIENT_SECRET": "",
            "OIDC_RP_CLIENT_PRIVATE_KEY_FILE": str(self.key_file),
            "OIDC_OP_USER_ENDPOINT": "",
            "OIDC_OP_PAR_ENDPOINT": f"{self.issuer}/par/",
            "OIDC_RP_SCOPES": "openid profile hpr",
            "OIDC_IDENTIFIER_CLAIM": HPR_CLAIM,
            "OIDC_EMAIL_CLAIM": "",
        }


def _rp_key_pair(folder: Path) -> tuple[Path, str]:
    """Fagnett's key for the key client: the private key as a JWK file (as HelseID hands it out), the public PEM."""
    import jwt

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    jwk["kid"] = "fagnett-test-key"
    key_file = folder / "fagnett-key.json"
    key_file.write_text(json.dumps(jwk))
    key_file.chmod(0o600)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key_file, public_pem


@pytest.fixture(scope="session")
def oidc_provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    folder = tmp_path_factory.mktemp("oidc-provider")
    key_file, public_pem = _rp_key_pair(folder)
    callback = f"{live_server.url}/oidc/callback/"
    after_logout = f"{live_server.url}/accounts/login/"
    config = {
        "data_dir": str(folder),
        "users": [{**user, "password": PROVIDER_PASSWORD} for user in PROVIDER_USERS],
        "clients": [
            {"client_id": SECRET_CLIENT, "client_secret": SECRET, "redirect_uris": [callback],
             "post_logout_redirect_uris": [after_logout]},
            {"client_id": KEY_CLIENT, "public_key_pem": public_pem, "redirect_uris": [callback],
             "post_logout_redirect_uris": [after_logout]},
        ],
    }  # fmt: skip
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config))
    log_file = folder / "provider.log"
    # The provider's own settings and database: nothing of Fagnett's environment leaks in.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    with log_file.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(config_file)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        port = _wait_until_ready(process, log_file)
        origin = f"http://127.0.0.1:{port}"
        yield Provider(origin=origin, issuer=f"{origin}/o", key_file=key_file, log_file=log_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _wait_until_ready(process: subprocess.Popen[str], log_file: Path) -> int:
    """The provider prints exactly one line, "READY <port>", once it serves; or it dies, or it hangs."""
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    line = process.stdout.readline() if readable else ""
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"The test OpenID provider did not start:\n{log_file.read_text()}")
    return int(line.split()[1])


@pytest.fixture
def oidc(settings: SettingsWrapper, oidc_provider: Provider) -> Provider:
    """Fagnett configured for the provider's client with a secret."""
    for name, value in oidc_provider.fagnett_settings().items():
        setattr(settings, name, value)
    return oidc_provider


@pytest.fixture
def oidc_entra_like(settings: SettingsWrapper, oidc_provider: Provider) -> Provider:
    """Fagnett configured as for Entra ID: the object id, then the e-mail address; the tenant for first logins."""
    for name, value in oidc_provider.entra_like_settings().items():
        setattr(settings, name, value)
    return oidc_provider


@pytest.fixture
def oidc_helseid_like(settings: SettingsWrapper, oidc_provider: Provider) -> Provider:
    """Fagnett configured as for HelseID: signed client assertions, PAR, matching by HPR number."""
    for name, value in oidc_provider.helseid_like_settings().items():
        setattr(settings, name, value)
    return oidc_provider
