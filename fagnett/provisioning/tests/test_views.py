"""The coordinator's pages: which trusts are recognised at sign-in, and the region's provisioning keys."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from fagnett.organisations.models import TrustIdentity
from fagnett.provisioning.models import ScimToken
from fagnett.provisioning.services import scim_token_authenticate
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
EN = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def coordinator_reads_english(world: World) -> None:
    """Pages follow the person's own language: the coordinator here reads English."""
    world["coordinator"].language = "en"
    world["coordinator"].save(update_fields=["language"])


def identities_url(world: World) -> str:
    return reverse("provisioning:identities", args=[world.region_a.pk])


def test_only_the_region_s_coordinator_opens_the_pages(world: World, login_as: LoginAs, client: Client) -> None:
    identity = TrustIdentity.objects.create(trust=world.trusts_a[0], kind="email_domain", value="a1.example")
    key = ScimToken(region=world.region_a, name="Entra ID")
    key.issue()
    key.save()
    urls = [
        identities_url(world),
        reverse("provisioning:scim_keys", args=[world.region_a.pk]),
    ]
    posts = [
        reverse("provisioning:identity_delete", args=[world.region_a.pk, identity.pk]),
        reverse("provisioning:scim_key_revoke", args=[world.region_a.pk, key.pk]),
    ]
    assert client.get(urls[0]).status_code == 302  # anonymous: to the login page
    for role, expected in [("employee", 403), ("fagsjef", 403), ("director", 403), ("coordinator_b", 404)]:
        browser = login_as(role)
        for url in urls:
            assert browser.get(url).status_code == expected, (role, url)
        for url in posts:
            assert browser.post(url).status_code == expected, (role, url)
    assert TrustIdentity.objects.filter(pk=identity.pk).exists()
    key.refresh_from_db()
    assert key.is_active

    coordinator = login_as("coordinator")
    for url in urls:
        assert coordinator.get(url).status_code == 200
    assert coordinator.get(reverse("provisioning:home")).url == identities_url(world)
    assert "Sign-in and provisioning" in coordinator.get(reverse("region"), headers=EN).content.decode()


def test_the_coordinator_adds_and_removes_how_a_trust_is_recognised(world: World, login_as: LoginAs) -> None:
    browser = login_as("coordinator")
    a1 = world.trusts_a[0]

    response = browser.post(
        identities_url(world), {"trust": a1.pk, "kind": "email_domain", "value": "@StOlav.no"}, headers=EN
    )
    assert response.status_code == 302
    identity = TrustIdentity.objects.get()
    assert (identity.trust, identity.value) == (a1, "stolav.no")
    assert identity.history.get().history_user == world["coordinator"]  # type: ignore[attr-defined]
    page = browser.get(identities_url(world), headers=EN).content.decode()
    assert "Trust A1 HF is recognised by stolav.no." in page and "<code>stolav.no</code>" in page

    # Bad input gets a message and saves nothing.
    for data, message in [
        ({"trust": a1.pk, "kind": "email_domain", "value": "kari@stolav.no"}, "Write the domain only"),
        ({"trust": a1.pk, "kind": "tenant", "value": "stolav"}, "A tenant ID is a GUID"),
        ({"trust": world.trusts_a[1].pk, "kind": "email_domain", "value": "STOLAV.NO"}, "already points to"),
        ({"trust": world.trust_b.pk, "kind": "email_domain", "value": "b1.example"}, "Select a valid choice"),
        ({"trust": a1.pk, "kind": "organisation_name", "value": "Avd. 13097248022"}, "identity number"),
    ]:
        response = browser.post(identities_url(world), data, headers=EN)
        assert response.status_code == 200, data
        assert message in response.content.decode(), data
    assert TrustIdentity.objects.count() == 1

    delete = reverse("provisioning:identity_delete", args=[world.region_a.pk, identity.pk])
    assert browser.get(delete).status_code == 405
    assert browser.post(delete).status_code == 302
    assert not TrustIdentity.objects.exists()
    # Another region's identity cannot be reached from region A's address.
    other = TrustIdentity.objects.create(trust=world.trust_b, kind="email_domain", value="b1.example")
    assert browser.post(reverse("provisioning:identity_delete", args=[world.region_a.pk, other.pk])).status_code == 404
    assert TrustIdentity.objects.filter(pk=other.pk).exists()


def test_a_provisioning_key_is_shown_once_stored_hashed_and_revoked(world: World, login_as: LoginAs) -> None:
    browser = login_as("coordinator")
    url = reverse("provisioning:scim_keys", args=[world.region_a.pk])

    response = browser.post(url, {"name": "Entra ID"}, headers=EN)

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    raw = page.split('<code id="new-key">')[1].split("</code>")[0]
    assert raw.startswith("fnscim_")
    assert "https://fagnett.example.no/scim/v2/" in page  # the tenant URL for Entra ID
    key = ScimToken.objects.get()
    assert raw not in (key.key_hash, key.prefix) and raw.startswith(key.prefix)
    assert (key.region, key.created_by) == (world.region_a, world["coordinator"])
    assert scim_token_authenticate(raw=raw) == key
    assert raw not in browser.get(url).content.decode()  # never again

    revoke = reverse("provisioning:scim_key_revoke", args=[world.region_a.pk, key.pk])
    assert browser.post(revoke).status_code == 302
    key.refresh_from_db()
    assert not key.is_active and key.revoked_by == world["coordinator"]
    assert scim_token_authenticate(raw=raw) is None
    assert "Revoked" in browser.get(url, headers=EN).content.decode()

    empty = browser.post(url, {"name": ""}, headers=EN)
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    assert ScimToken.objects.count() == 1
