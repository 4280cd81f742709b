"""Single sign-on end to end: Fagnett (live server) and a real OpenID provider, both on 127.0.0.1.

A ``requests.Session`` plays the browser: it starts at Fagnett's login page, is sent to the provider, logs in
there, and comes back through the callback, where Fagnett exchanges the code with the provider server to server.
"""

import html
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from fagnett.accounts.models import User
from fagnett.accounts.tests.conftest import PROVIDER_PASSWORD, Provider
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def new_browser() -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "en"
    return session


def form_field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} field in the page"
    return html.unescape(match.group(1))


def log_in_at_provider(
    browser: requests.Session, provider: Provider, login_page: requests.Response, username: str, **kwargs: Any
) -> requests.Response:
    """Fill in the provider's login form shown in ``login_page``; the browser then follows the redirects."""
    assert login_page.url.startswith(f"{provider.origin}/login/"), login_page.url
    data = {
        "csrfmiddlewaretoken": form_field(login_page.text, "csrfmiddlewaretoken"),
        "next": form_field(login_page.text, "next"),
        "username": username,
        "password": PROVIDER_PASSWORD,
    }
    return browser.post(f"{provider.origin}/login/", data=data, timeout=30, **kwargs)


def single_sign_on(browser: requests.Session, live_server: Any, provider: Provider, username: str) -> requests.Response:
    login_page = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=30)
    return log_in_at_provider(browser, provider, login_page, username)


def is_logged_in(browser: requests.Session, live_server: Any) -> bool:
    response = browser.get(f"{live_server.url}/", timeout=30)
    return not response.url.startswith(f"{live_server.url}/accounts/login/")


def kari(**kwargs: Any) -> User:
    return make_user("kari.fagnett", first_name="Kari", last_name="Nordmann", **kwargs)


def test_a_known_person_logs_in_with_the_button_on_the_login_page(live_server: Any, oidc: Provider) -> None:
    person = kari(email="kari.nordmann@example.no")  # the provider says Kari.Nordmann@Example.no
    browser = new_browser()

    login_page = browser.get(f"{live_server.url}/accounts/login/?next=/networks/", timeout=30)
    button = re.search(r'<a class="ds-button"[^>]*href="([^"]+)">Log in with Testleverandør</a>', login_page.text)
    assert button, login_page.text
    provider_page = browser.get(live_server.url + html.unescape(button.group(1)), timeout=30)
    assert "Test identity provider" in provider_page.text
    response = log_in_at_provider(browser, oidc, provider_page, "kari")

    assert response.status_code == 200
    assert response.url == f"{live_server.url}/networks/"
    assert '<span class="site-user">Kari Nordmann</span>' in response.text
    person.refresh_from_db()
    assert person.last_login is not None
    assert User.objects.count() == 1


def test_a_person_unknown_to_fagnett_is_refused_with_a_message(live_server: Any, oidc: Provider) -> None:
    kari(email="kari.nordmann@example.no")
    browser = new_browser()

    response = single_sign_on(browser, live_server, oidc, "ukjent")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert "You are not registered in Fagnett" in response.text
    assert "ola.ukjent@example.no" in response.text
    assert not is_logged_in(browser, live_server)
    assert not User.objects.filter(email__iexact="ola.ukjent@example.no").exists()


def test_an_inactive_person_is_refused(live_server: Any, oidc: Provider) -> None:
    kari(email="kari.nordmann@example.no", is_active=False)
    browser = new_browser()

    response = single_sign_on(browser, live_server, oidc, "kari")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert "Your access to Fagnett has been closed" in response.text
    assert not is_logged_in(browser, live_server)


def test_a_provider_that_sends_no_e_mail_address_is_refused(live_server: Any, oidc: Provider) -> None:
    make_user("per", email="")  # an empty e-mail must never match an empty claim
    browser = new_browser()

    response = single_sign_on(browser, live_server, oidc, "uten-epost")

    assert "did not send what Fagnett recognises you by (email)" in response.text
    assert not is_logged_in(browser, live_server)


def test_a_forged_or_foreign_state_is_refused(live_server: Any, oidc: Provider) -> None:
    kari(email="kari.nordmann@example.no")
    browser = new_browser()
    login_page = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=30)
    to_authorize = log_in_at_provider(browser, oidc, login_page, "kari", allow_redirects=False)
    to_callback = browser.get(urljoin(oidc.origin, to_authorize.headers["Location"]), allow_redirects=False, timeout=30)
    callback = to_callback.headers["Location"]
    assert callback.startswith(f"{live_server.url}/oidc/callback/?")
    parts = urlsplit(callback)
    forged = urlunsplit(parts._replace(query=urlencode({**parse_qs(parts.query), "state": "forged"}, doseq=True)))

    response = browser.get(forged, timeout=30)
    assert response.url == f"{live_server.url}/accounts/login/"
    assert "could not be completed" in response.text
    assert not is_logged_in(browser, live_server)

    # Someone else's genuine callback (login CSRF): this browser never started that login.
    stranger = new_browser()
    response = stranger.get(callback, timeout=30)
    assert "could not be completed" in response.text
    assert not is_logged_in(stranger, live_server)

    # The browser that started the login still completes it: only the state was wrong above.
    response = browser.get(callback, timeout=30)
    assert '<span class="site-user">Kari Nordmann</span>' in response.text


def test_helseid_style_client_assertion_par_and_matching_by_hpr_number(
    live_server: Any, oidc_helseid_like: Provider
) -> None:
    # Fagnett's e-mail differs from the provider's: the HPR number is what matches.
    kari(email="kari@trust.example", sso_identifier="565505933")
    browser = new_browser()

    to_provider = browser.get(f"{live_server.url}/oidc/authenticate/", allow_redirects=False, timeout=30)
    query = parse_qs(urlsplit(to_provider.headers["Location"]).query)
    assert set(query) == {"client_id", "request_uri"}  # everything else was pushed (PAR), signed for
    login_page = browser.get(to_provider.headers["Location"], timeout=30)
    response = log_in_at_provider(browser, oidc_helseid_like, login_page, "kari")

    assert response.url == f"{live_server.url}/"
    assert '<span class="site-user">Kari Nordmann</span>' in response.text


def test_helseid_style_unknown_hpr_number_is_refused(live_server: Any, oidc_helseid_like: Provider) -> None:
    kari(email="ola.ukjent@example.no", sso_identifier="565505933")  # same e-mail, but e-mail does not count
    browser = new_browser()

    response = single_sign_on(browser, live_server, oidc_helseid_like, "ukjent")

    assert "You are not registered in Fagnett" in response.text
    assert "100200300" in response.text
    assert not is_logged_in(browser, live_server)


def test_logging_out_ends_the_session_here_and_at_the_provider(live_server: Any, oidc: Provider) -> None:
    kari(email="kari.nordmann@example.no")
    browser = new_browser()
    home = single_sign_on(browser, live_server, oidc, "kari")
    token = form_field(home.text, "csrfmiddlewaretoken")

    to_provider = browser.post(
        f"{live_server.url}/oidc/logout/", data={"csrfmiddlewaretoken": token}, allow_redirects=False, timeout=30
    )
    assert to_provider.headers["Location"].startswith(f"{oidc.issuer}/logout/?")
    assert "id_token_hint" in parse_qs(urlsplit(to_provider.headers["Location"]).query)
    response = browser.get(to_provider.headers["Location"], timeout=30)

    assert response.url == f"{live_server.url}/accounts/login/"
    assert not is_logged_in(browser, live_server)
    # The provider forgot the person too: a new login asks for the password again.
    again = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=30)
    assert again.url.startswith(f"{oidc.origin}/login/")


def test_a_password_lock_out_does_not_block_single_sign_on(
    live_server: Any, oidc: Provider, settings: SettingsWrapper
) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    kari(email="kari.nordmann@example.no")
    browser = new_browser()
    for _ in range(3):
        page = browser.get(f"{live_server.url}/accounts/login/", timeout=30)
        data = {"csrfmiddlewaretoken": form_field(page.text, "csrfmiddlewaretoken"), "password": "wrong"}
        browser.post(f"{live_server.url}/accounts/login/", data={**data, "username": "kari.fagnett"}, timeout=30)
    page = browser.get(f"{live_server.url}/accounts/login/", timeout=30)
    data = {"csrfmiddlewaretoken": form_field(page.text, "csrfmiddlewaretoken"), "password": PASSWORD}
    locked = browser.post(f"{live_server.url}/accounts/login/", data={**data, "username": "kari.fagnett"}, timeout=30)
    assert locked.status_code == 429
    attempts = AccessAttempt.objects.count()

    refused = single_sign_on(new_browser(), live_server, oidc, "ukjent")
    assert "You are not registered in Fagnett" in refused.text
    assert AccessAttempt.objects.count() == attempts  # the refusal was not counted as a password failure
    response = single_sign_on(browser, live_server, oidc, "kari")

    assert '<span class="site-user">Kari Nordmann</span>' in response.text


def test_oidc_discover_prints_the_provider_s_endpoints(oidc_provider: Provider) -> None:
    out = io.StringIO()
    call_command("oidc_discover", oidc_provider.issuer, stdout=out)

    printed = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    expected = oidc_provider.fagnett_settings()
    assert printed == {name: expected[name] for name in printed}
    assert set(printed) == {
        "OIDC_OP_ISSUER",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_LOGOUT_ENDPOINT",
    }
    with pytest.raises(CommandError, match="names another issuer"):
        call_command("oidc_discover", oidc_provider.issuer.replace("127.0.0.1", "localhost"))
