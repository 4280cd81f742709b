"""Closing a person's access: their sessions end at once, whichever way ``is_active`` is turned off."""

import pytest
from django.conf import settings
from django.test import Client

from fagnett.accounts import services
from fagnett.accounts.models import User
from fagnett.accounts.services import on_access_end, user_deactivate, user_reactivate
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def logged_in(person: User) -> Client:
    browser = Client()
    browser.force_login(person)
    assert browser.get("/").status_code == 200
    return browser


def test_deactivating_ends_the_person_s_sessions_runs_the_hooks_and_keeps_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "_access_end_hooks", list(services._access_end_hooks))  # registered for this test
    kari, ola = make_user("kari"), make_user("ola")
    kari_browser, kari_phone, ola_browser = logged_in(kari), logged_in(kari), logged_in(ola)
    copied = kari_phone.cookies[settings.SESSION_COOKIE_NAME].value  # a copy of her session cookie, taken now
    closed: list[User] = []
    on_access_end(closed.append)

    assert user_deactivate(person=kari, reason="Left the trust")
    assert not user_deactivate(person=kari, reason="again")  # already closed: nothing happens twice

    assert kari_browser.get("/").status_code == 302 and kari_phone.get("/").status_code == 302
    assert ola_browser.get("/").status_code == 200
    assert closed == [kari]
    assert [h.history_change_reason for h in kari.history.all()[:1]] == ["Left the trust"]

    assert user_reactivate(person=kari, reason="Back")
    kari.refresh_from_db()
    assert kari.is_active
    # The sessions are signed cookies: one copied before the deactivation stays dead when the access opens again.
    phone_copy = Client()
    phone_copy.cookies[settings.SESSION_COOKIE_NAME] = copied
    assert kari_phone.get("/").status_code == 302 and phone_copy.get("/").status_code == 302
    assert logged_in(kari).get("/").status_code == 200  # a new login works


def test_unticking_active_in_the_admin_ends_the_sessions_too() -> None:
    admin = make_user("admin", is_staff=True, is_superuser=True)
    kari = make_user("kari", first_name="Kari", last_name="Nordmann")
    kari_browser = logged_in(kari)
    staff = logged_in(admin)
    assert staff.get(f"/admin/accounts/user/{kari.pk}/history/").status_code == 200

    data = {
        "username": "kari",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "email": kari.email,
        "language": "nb",
        "date_joined_0": kari.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": kari.date_joined.strftime("%H:%M:%S"),
        **{f"{prefix}-{name}": value for prefix in ("region_roles", "trust_roles")
           for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))},
    }  # fmt: skip
    response = staff.post(f"/admin/accounts/user/{kari.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    kari.refresh_from_db()
    assert not kari.is_active
    assert kari_browser.get("/").status_code == 302
