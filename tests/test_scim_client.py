"""scripts/scim_client.py — what Entra ID does — against the live endpoint, and the person it deactivates refused
at every door: the session they hold, their calendar address, single sign-on through the real OpenID provider, and
the password login. Every answer in the client's transcript is checked against RFC 7643/7644.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from fagnett.accounts.models import RegionRole, User
from fagnett.accounts.tests.conftest import Provider
from fagnett.accounts.tests.test_oidc_login import is_logged_in, new_browser, single_sign_on
from fagnett.meetings.services import calendar_feed_create
from fagnett.organisations.models import TrustIdentity
from fagnett.provisioning.models import ProvisionedPerson, ScimGroup
from fagnett.provisioning.services import scim_token_create
from fagnett.provisioning.tests.scim_schema import list_problems, resource_problems
from tests.factories import PASSWORD, make_region, make_trust, make_user

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]
CLIENT = ROOT / "scripts" / "scim_client.py"

#: Nina as Entra ID's directory has her (the provider of the tests knows her as "nina", object id oid-nina).
NINA = {
    "userPrincipalName": "Nina.Ny@stolav.no",
    "objectId": "oid-nina",
    "givenName": "Nina",
    "surname": "Ny",
    "displayName": "Nina Ny",
    "mail": "Nina.Ny@stolav.no",
    "jobTitle": "Intensivsykepleier",
    "department": "Intensivavdelingen",
    "accountEnabled": True,
}


def run_client(base: str, token: str, tmp_path: Path, *args: Any) -> dict[str, Any]:
    arguments = []
    for arg in args:
        if isinstance(arg, dict):
            source = tmp_path / f"source-{len(list(tmp_path.iterdir()))}.json"
            source.write_text(json.dumps(arg), encoding="utf-8")
            arg = source
        arguments.append(str(arg))
    result = subprocess.run(
        [sys.executable, str(CLIENT), base, *arguments],
        env={**os.environ, "SCIM_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    transcript: dict[str, Any] = json.loads(result.stdout)
    assert result.returncode == 0 and transcript["ok"], transcript
    return transcript


def schema_problems(transcript: dict[str, Any], base: str) -> list[str]:
    """Every answer of the transcript checked against RFC 7643/7644 by its kind."""
    problems = []
    for exchange in transcript["exchanges"]:
        answer, path = exchange["answer"], exchange["path"]
        kind = "Group" if path.startswith("/Groups") else "User"
        assert exchange["content_type"].startswith("application/scim+json"), exchange
        if exchange["method"] == "GET" and path in ("/Users", "/Groups"):
            found = list_problems(answer, kind, base_url=base)
        else:
            found = resource_problems(answer, kind, base_url=base)
            if exchange["location"] != answer["meta"]["location"]:
                found.append(f"Location {exchange['location']} is not meta.location")
        problems += [f"{exchange['method']} {path}: {problem}" for problem in found]
    return problems


def test_entra_id_s_provisioning_cycle_against_the_live_endpoint(
    live_server: Any, oidc_entra_like: Provider, tmp_path: Path, settings: Any
) -> None:
    settings.FAGNETT_SITE_URL = live_server.url  # so meta.location is an address of this server
    settings.SCIM_EXTERNAL_ID_IS_SSO_IDENTIFIER = True  # Entra ID both provisions and logs people in
    region = make_region(name="Helse Midt-Norge RHF", short_name="HMN")
    st_olav = make_trust(region, name="St. Olavs hospital HF", short_name="St. Olav")
    TrustIdentity.objects.create(trust=st_olav, kind=TrustIdentity.Kind.EMAIL_DOMAIN, value="stolav.no")
    coordinator = make_user("koordinator", region_employer=region)
    RegionRole.objects.create(user=coordinator, region=region, role=RegionRole.Role.COORDINATOR)
    _key, token = scim_token_create(user=coordinator, region=region, name="Entra ID")
    base = f"{live_server.url}/scim/v2"

    # Test connection, then the first cycle creates Nina.
    run_client(base, token, tmp_path, "check")
    created = run_client(base, token, tmp_path, "sync", NINA)
    assert [e["method"] for e in created["exchanges"]] == ["GET", "POST"]
    assert not schema_problems(created, base)
    nina = User.objects.get(pk=created["result"]["id"])
    assert (nina.username, nina.trust, nina.title) == ("Nina.Ny@stolav.no", st_olav, "Intensivsykepleier")
    assert nina.sso_identifier == "oid-nina"

    # Her first login finds the provisioned person: one account.
    browser = new_browser()
    assert (
        '<span class="site-user">Nina Ny</span>' in single_sign_on(browser, live_server, oidc_entra_like, "nina").text
    )
    assert User.objects.filter(email__iexact="nina.ny@stolav.no").count() == 1
    _feed, feed_token = calendar_feed_create(user=nina, network=None)
    feed_url = f"{live_server.url}/calendar/{feed_token}.ics"
    assert requests.get(feed_url, timeout=30).status_code == 200
    nina.set_password(PASSWORD)  # a break-glass password too, to show it is refused as well
    nina.save(update_fields=["password"])

    # The directory changes: a new title and given name are patched, nothing else is sent.
    renamed = {**NINA, "givenName": "Nina Marie", "displayName": "Nina Marie Ny", "jobTitle": "Fagsykepleier"}
    changed = run_client(base, token, tmp_path, "sync", renamed)
    assert [e["method"] for e in changed["exchanges"]] == ["GET", "PATCH"]
    operations = changed["exchanges"][1]["sent"]["Operations"]
    assert {op["path"] for op in operations} == {"name.givenName", "displayName", "title"}
    assert not schema_problems(changed, base)
    nina.refresh_from_db()
    assert (nina.first_name, nina.title) == ("Nina Marie", "Fagsykepleier")
    again = run_client(base, token, tmp_path, "sync", renamed)
    assert [e["method"] for e in again["exchanges"]] == ["GET"]  # nothing differs: nothing is sent

    # A group with her in it.
    group = run_client(
        base,
        token,
        tmp_path,
        "sync-group",
        {"displayName": "Intensiv", "objectId": "grp-1", "members": ["Nina.Ny@stolav.no"]},
    )
    assert not schema_problems(group, base)
    assert list(ScimGroup.objects.get(region=region).members.all()) == [nina]

    # She leaves: deactivated, and every door closes the same moment.
    gone = run_client(base, token, tmp_path, "deactivate", "Nina.Ny@stolav.no")
    assert not schema_problems(gone, base)
    nina.refresh_from_db()
    assert not nina.is_active
    assert not is_logged_in(browser, live_server)  # the session she held
    assert requests.get(feed_url, timeout=30).status_code == 404  # her calendar address
    refused = single_sign_on(new_browser(), live_server, oidc_entra_like, "nina")
    assert "Your access to Fagnett has been closed" in refused.text  # single sign-on
    login_page = requests.Session()
    page = login_page.get(f"{live_server.url}/accounts/login/", timeout=30)
    csrf = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    password = login_page.post(
        f"{live_server.url}/accounts/login/",
        data={"csrfmiddlewaretoken": csrf, "username": "Nina.Ny@stolav.no", "password": PASSWORD},
        timeout=30,
    )
    assert password.url == f"{live_server.url}/accounts/login/" and not is_logged_in(login_page, live_server)

    # The provider lists her with a filter, deactivated; her records stay.
    found = run_client(base, token, tmp_path, "find", 'externalId eq "oid-nina"')
    assert [(r["id"], r["active"]) for r in found["result"]] == [(str(nina.pk), False)]
    assert not schema_problems(found, base)
    assert ProvisionedPerson.objects.filter(person=nina).exists()
    assert User.objects.filter(email__iexact="nina.ny@stolav.no").count() == 1
    last_change = nina.history.first()
    assert last_change is not None and last_change.history_user is None
    assert last_change.history_change_reason.startswith("Provisioned by SCIM key “Entra ID” (fnscim_")
