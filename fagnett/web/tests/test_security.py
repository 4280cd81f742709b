import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client

from config.settings import base
from fagnett.accounts.hashers import Argon2idPasswordHasher

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_check_deploy() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-deploy-check-0123456789",
        "DJANGO_ALLOWED_HOSTS": "fagnett.example",
        "FAGNETT_SITE_URL": "https://fagnett.example",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests; check --deploy rightly refuses it
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("site_url", "message"),
    [
        ("", "FAGNETT_SITE_URL must be set in production"),
        ("fagnett.helse-nord.no", "FAGNETT_SITE_URL must be the site's address"),
        ("https://fagnett.helse-nord.no/login/", "FAGNETT_SITE_URL must be the site's address"),
    ],
)
def test_production_refuses_to_start_without_the_sites_address(site_url: str, message: str) -> None:
    """Links in e-mails are built from FAGNETT_SITE_URL; a missing or wrong one would send people elsewhere."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-deploy-check-0123456789",
        "FAGNETT_SITE_URL": site_url,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_passwords_are_hashed_with_argon2id_outside_tests() -> None:
    assert base.PASSWORD_HASHERS[0] == "fagnett.accounts.hashers.Argon2idPasswordHasher"
    hasher = Argon2idPasswordHasher()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    encoded = make_password("korrekt hest batteri", hasher=hasher)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")  # OWASP's minimum for Argon2id
    assert grown_mb < 40  # Django's default parameters take 100 MiB per hash
    assert hasher.verify("korrekt hest batteri", encoded) and not hasher.verify("feil", encoded)
    # A hash made with Django's defaults still verifies and is made again with these parameters.
    from django.contrib.auth.hashers import Argon2PasswordHasher

    old = make_password("korrekt hest batteri", hasher=Argon2PasswordHasher())
    assert hasher.verify("korrekt hest batteri", old) and hasher.must_update(old) and not hasher.must_update(encoded)


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "<style" not in html
    assert " style=" not in html
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith("src="), chunk[:80]


@pytest.mark.django_db
def test_forms_require_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_time_zone_and_language_defaults() -> None:
    assert settings.TIME_ZONE == "Europe/Oslo"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "nb"
