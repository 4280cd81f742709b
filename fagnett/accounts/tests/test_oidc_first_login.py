"""Accounts made at the first login, and the merge cases, through the real OpenID provider (issue 18, item 1).

The provider (``tests/oidc_provider``) knows St. Olavs people the way Entra ID does: an object id (``oid``), the
tenant (``tid``) and an e-mail address it says is verified, unverified, or says nothing about.
"""

from typing import Any

import pytest

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.accounts.services import user_deactivate
from fagnett.accounts.tests.conftest import TENANT, Provider
from fagnett.accounts.tests.test_oidc_login import is_logged_in, kari, new_browser, single_sign_on
from fagnett.organisations.models import HealthTrust, TrustIdentity
from tests.factories import make_region, make_trust, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def st_olav() -> HealthTrust:
    region = make_region(name="Helse Midt-Norge RHF", short_name="HMN")
    make_trust(region, name="Helse Møre og Romsdal HF", short_name="HMR")
    return make_trust(region, name="St. Olavs hospital HF", short_name="St. Olav")


def recognise(trust: HealthTrust, kind: str, value: str) -> TrustIdentity:
    identity = TrustIdentity(trust=trust, kind=kind, value=value)
    identity.full_clean()
    identity.save()
    return identity


def test_a_person_of_a_mapped_e_mail_domain_gets_an_employee_account_at_first_login(
    live_server: Any, oidc_entra_like: Provider, st_olav: HealthTrust
) -> None:
    recognise(st_olav, TrustIdentity.Kind.EMAIL_DOMAIN, "stolav.no")
    browser = new_browser()

    response = single_sign_on(browser, live_server, oidc_entra_like, "nina")

    assert '<span class="site-user">Nina Ny</span>' in response.text
    nina = User.objects.get(sso_identifier="oid-nina")
    assert (nina.first_name, nina.last_name, nina.email) == ("Nina", "Ny", "Nina.Ny@stolav.no")
    assert nina.trust == st_olav and nina.region_employer is None
    assert nina.is_active and not nina.has_usable_password()
    assert not RegionRole.objects.filter(user=nina).exists() and not TrustRole.objects.filter(user=nina).exists()
    assert not nina.is_staff and not nina.is_superuser
    created = nina.history.get()
    assert created.history_type == "+"
    assert created.history_change_reason == (
        "First login with single sign-on (Testleverandør): employee of St. Olavs hospital HF by E-mail domain stolav.no"
    )

    # The next login finds the same person: never a second account.
    again = new_browser()
    assert '<span class="site-user">Nina Ny</span>' in single_sign_on(again, live_server, oidc_entra_like, "nina").text
    assert User.objects.filter(email__iexact="nina.ny@stolav.no").count() == 1


def test_the_tenant_recognises_a_person_whose_address_the_provider_does_not_vouch_for(
    live_server: Any, oidc_entra_like: Provider, st_olav: HealthTrust
) -> None:
    # Entra ID sends no email_verified: the domain alone does not make an account...
    recognise(st_olav, TrustIdentity.Kind.EMAIL_DOMAIN, "stolav.no")
    refused = single_sign_on(new_browser(), live_server, oidc_entra_like, "uten-bekreftelse")
    assert "You are not registered in Fagnett" in refused.text
    assert not User.objects.filter(sso_identifier="oid-tor").exists()

    # ...but the tenant the provider's signed token names does.
    recognise(st_olav, TrustIdentity.Kind.TENANT, TENANT.upper())
    response = single_sign_on(new_browser(), live_server, oidc_entra_like, "uten-bekreftelse")

    assert '<span class="site-user">Tor Tenant</span>' in response.text
    tor = User.objects.get(sso_identifier="oid-tor")
    assert tor.trust == st_olav
    assert tor.email == "Tor.Tenant@stolav.no"  # not said to be unverified: kept, so mail reaches the person
    assert "by Entra ID tenant ID " + TENANT in tor.history.get().history_change_reason


def test_an_unmapped_domain_is_refused_with_the_message_as_before(
    live_server: Any, oidc_entra_like: Provider, st_olav: HealthTrust
) -> None:
    recognise(st_olav, TrustIdentity.Kind.EMAIL_DOMAIN, "stolav.no")
    count = User.objects.count()
    browser = new_browser()

    response = single_sign_on(browser, live_server, oidc_entra_like, "ukjent")  # ola.ukjent@example.no

    assert response.url == f"{live_server.url}/accounts/login/"
    assert "You are not registered in Fagnett (Testleverandør identified you as ola.ukjent@example.no)." in (
        response.text
    )
    assert not is_logged_in(browser, live_server)
    assert User.objects.count() == count


def test_a_deactivated_person_is_refused_and_not_created_again(
    live_server: Any, oidc_entra_like: Provider, st_olav: HealthTrust
) -> None:
    recognise(st_olav, TrustIdentity.Kind.EMAIL_DOMAIN, "stolav.no")
    recognise(st_olav, TrustIdentity.Kind.TENANT, TENANT)
    gone = make_user("nina.gone", email="nina.ny@stolav.no", sso_identifier="oid-nina", trust=st_olav, is_active=False)
    by_email = kari(email="kari.nordmann@example.no", is_active=False)
    recognise(st_olav, TrustIdentity.Kind.EMAIL_DOMAIN, "example.no")
    count = User.objects.count()

    for login in ("nina", "kari"):  # matched by identifier, and by e-mail
        browser = new_browser()
        response = single_sign_on(browser, live_server, oidc_entra_like, login)
        assert "Your access to Fagnett has been closed" in response.text, login
        assert not is_logged_in(browser, live_server)

    assert User.objects.count() == count
    gone.refresh_from_db()
    by_email.refresh_from_db()
    assert not gone.is_active and not by_email.is_active


def test_same_person_with_a_new_e_mail_is_matched_by_identifier_and_the_address_updated(
    live_server: Any, oidc_entra_like: Provider, st_olav: HealthTrust
) -> None:
    person = make_user(
        "kari.nordmann",
        first_name="Kari",
        last_name="Berg",
        email="kari@old-employer.example",
        sso_identifier="oid-kari",
    )
    recognise(st_olav, TrustIdentity.Kind.EMAIL_DOMAIN, "stolav.no")
    count = User.objects.count()

    response = single_sign_on(new_browser(), live_server, oidc_entra_like, "kari-berg")

    assert '<span class="site-user">Kari Berg</span>' in response.text
    assert User.objects.count() == count
    person.refresh_from_db()
    assert person.email == "Kari.Berg@stolav.no"
    assert person.username == "kari.nordmann"  # the local login name stays
    change = person.history.first()
    assert change is not None and change.history_change_reason == (
        "Updated from single sign-on (Testleverandør) at login"
    )
    assert change.prev_record is not None and change.diff_against(change.prev_record).changed_fields == ["email"]


def test_a_changed_name_is_taken_from_the_provider_and_the_identifier_linked(
    live_server: Any, oidc_entra_like: Provider
) -> None:
    # Registered by e-mail before single sign-on, under her maiden name; no identifier yet.
    person = make_user("kari.n", first_name="Kari", last_name="Nordmann", email="kari.berg@stolav.no")
    count = User.objects.count()

    response = single_sign_on(new_browser(), live_server, oidc_entra_like, "kari-berg")

    assert '<span class="site-user">Kari Berg</span>' in response.text
    assert User.objects.count() == count
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.sso_identifier) == ("Kari", "Berg", "oid-kari")
    assert person.email == "kari.berg@stolav.no"  # the same address in other letters is not a change


def test_an_address_that_belongs_to_someone_with_another_identifier_is_refused(
    live_server: Any, oidc_entra_like: Provider
) -> None:
    owner = make_user("kari.berg", email="kari.berg@stolav.no", sso_identifier="oid-somebody-else")
    browser = new_browser()

    response = single_sign_on(browser, live_server, oidc_entra_like, "kari-berg")

    assert "Fagnett knows the person with Kari.Berg@stolav.no by another login at Testleverandør" in response.text
    assert not is_logged_in(browser, live_server)
    owner.refresh_from_db()
    assert owner.sso_identifier == "oid-somebody-else"


def test_an_unverified_e_mail_never_creates_or_matches(
    live_server: Any, oidc_entra_like: Provider, st_olav: HealthTrust, settings: Any
) -> None:
    recognise(st_olav, TrustIdentity.Kind.EMAIL_DOMAIN, "stolav.no")
    holder = make_user("ulf", email="ulf.uverifisert@stolav.no", trust=st_olav)  # the address, but not the login
    count = User.objects.count()

    # Matched by identifier first: unknown; the unverified address is not tried, nor used to create anyone.
    settings.OIDC_IDENTIFIER_CLAIM = "oid"
    browser = new_browser()
    response = single_sign_on(browser, live_server, oidc_entra_like, "ulf")
    assert "You are not registered in Fagnett (Testleverandør identified you as ulf.uverifisert@stolav.no)" in (
        response.text
    )
    assert not is_logged_in(browser, live_server)

    # Matched by e-mail only: the provider's "not verified" is said.
    settings.OIDC_IDENTIFIER_CLAIM = ""
    response = single_sign_on(new_browser(), live_server, oidc_entra_like, "ulf")
    assert "Testleverandør has not verified your e-mail address (ulf.uverifisert@stolav.no)" in response.text

    assert User.objects.count() == count
    holder.refresh_from_db()
    assert holder.sso_identifier == "" and holder.last_login is None


def test_a_person_deactivated_while_logged_in_is_logged_out_at_the_next_request(
    live_server: Any, oidc_entra_like: Provider
) -> None:
    person = make_user("nina", email="nina.ny@stolav.no")
    browser = new_browser()
    single_sign_on(browser, live_server, oidc_entra_like, "nina")
    assert is_logged_in(browser, live_server)

    # Even a change that ends no session (an UPDATE in the database) closes it: the session's backend refuses.
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert not is_logged_in(browser, live_server)


def test_deactivating_ends_the_person_s_sessions(live_server: Any, oidc_entra_like: Provider) -> None:
    person = make_user("nina", email="nina.ny@stolav.no")
    other = make_user("ola", email="ola.ukjent@example.no")
    browser, colleague = new_browser(), new_browser()
    single_sign_on(browser, live_server, oidc_entra_like, "nina")
    single_sign_on(colleague, live_server, oidc_entra_like, "ukjent")
    assert is_logged_in(browser, live_server) and is_logged_in(colleague, live_server)

    assert user_deactivate(person=person, reason="Left the trust")

    assert not is_logged_in(browser, live_server)  # hers is gone, her colleague's stays
    assert is_logged_in(colleague, live_server)
    other.refresh_from_db()
    assert other.is_active
    assert person.history.first().history_change_reason == "Left the trust"  # type: ignore[union-attr]
