"""Calendar addresses: the secret is shown once, stored only as a hash, and can be replaced or revoked."""

import hashlib
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from fagnett.meetings.models import CalendarFeed
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import Migrator, World, make_world

LoginAs = Callable[[str], Client]
FEED_URL = re.compile(r"http://testserver/calendar/([A-Za-z0-9_-]{43})\.ics")


def _uids(response: object) -> list[str]:
    assert response.status_code == 200  # type: ignore[attr-defined]
    return [str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]  # type: ignore[attr-defined]


def _token_of(response: object) -> str:
    """The secret from the page, where it is shown this once."""
    match = FEED_URL.search(response.content.decode())  # type: ignore[attr-defined]
    assert match, "the new address is on the page"
    return match.group(1)


@pytest.mark.django_db
class TestTheSecret:
    def test_it_is_shown_once_and_only_its_hash_is_stored(self, world: World, login_as: LoginAs) -> None:
        client = login_as("member")
        response = client.post(reverse("meetings:calendar_feeds"), {"network": world.network.pk})
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        token = _token_of(response)

        feed = CalendarFeed.objects.get()
        assert (feed.user, feed.network) == (world["member"], world.network)
        assert feed.key_hash == hashlib.sha256(token.encode()).hexdigest()
        assert feed.prefix == token[:8]
        stored = [str(value) for row in CalendarFeed.objects.values_list() for value in row]
        assert not any(token in value for value in stored)
        assert not any(token[8:16] in value for value in stored)  # not even the part after the shown prefix

        # Shown once: the list afterwards names the address by its first characters only.
        again = client.get(reverse("meetings:calendar_feeds")).content.decode()
        assert token not in again
        assert f"/calendar/{token[:8]}…" in again

    def test_the_address_works_without_a_login(self, world: World, login_as: LoginAs) -> None:
        meeting = make_meeting(world.network)
        token = _token_of(login_as("member").post(reverse("meetings:calendar_feeds"), {}))
        assert _uids(Client().get(f"/calendar/{token}.ics")) == [f"{meeting.uid}@fagnett"]
        assert Client().get(f"/calendar/{token[:-1]}.ics").status_code == 404
        assert Client().get(f"/calendar/{CalendarFeed.objects.get().key_hash}.ics").status_code == 404

    def test_replacing_the_address_ends_the_old_one(self, world: World, login_as: LoginAs) -> None:
        meeting = make_meeting(world.network)
        client = login_as("member")
        old = _token_of(client.post(reverse("meetings:calendar_feeds"), {"network": world.network.pk}))
        feed = CalendarFeed.objects.get()

        response = client.post(reverse("meetings:calendar_feed_regenerate", args=[feed.pk]))
        assert response.status_code == 200
        new = _token_of(response)
        assert new != old
        assert "Den gamle adressen virker ikke lenger." in response.content.decode()
        assert Client().get(f"/calendar/{old}.ics").status_code == 404
        assert _uids(Client().get(f"/calendar/{new}.ics")) == [f"{meeting.uid}@fagnett"]
        # The same subscription, at a new address.
        assert list(CalendarFeed.objects.values_list("pk", "network", "revoked_at")) == [
            (feed.pk, world.network.pk, None)
        ]

    def test_the_page_says_when_a_calendar_last_read_the_address(self, world: World, login_as: LoginAs) -> None:
        client = login_as("member")
        token = _token_of(client.post(reverse("meetings:calendar_feeds"), {}))
        assert "Ikke lest av noen kalender ennå." in client.get(reverse("meetings:calendar_feeds")).content.decode()

        _uids(Client().get(f"/calendar/{token}.ics"))
        feed = CalendarFeed.objects.get()
        assert feed.last_used_at is not None
        page = client.get(reverse("meetings:calendar_feeds")).content.decode()
        assert "Sist lest av en kalender" in page and "Ikke lest" not in page

        # A replaced address has not been read by anyone yet.
        client.post(reverse("meetings:calendar_feed_regenerate", args=[feed.pk]))
        feed.refresh_from_db()
        assert feed.last_used_at is None

    def test_nobody_else_can_replace_or_revoke_an_address(self, world: World, login_as: LoginAs) -> None:
        token = _token_of(login_as("member").post(reverse("meetings:calendar_feeds"), {}))
        feed = CalendarFeed.objects.get()
        other = login_as("leader")
        assert other.post(reverse("meetings:calendar_feed_regenerate", args=[feed.pk])).status_code == 404
        assert other.post(reverse("meetings:calendar_feed_revoke", args=[feed.pk])).status_code == 404
        assert Client().get(f"/calendar/{token}.ics").status_code == 200

    def test_a_revoked_address_cannot_be_replaced(self, world: World, login_as: LoginAs) -> None:
        client = login_as("member")
        token = _token_of(client.post(reverse("meetings:calendar_feeds"), {}))
        feed = CalendarFeed.objects.get()
        assert client.post(reverse("meetings:calendar_feed_revoke", args=[feed.pk])).status_code == 302
        assert client.post(reverse("meetings:calendar_feed_regenerate", args=[feed.pk])).status_code == 404
        assert Client().get(f"/calendar/{token}.ics").status_code == 404


@pytest.mark.migrations
def test_addresses_made_before_hashing_keep_working(migrator: Migrator) -> None:
    old_apps = migrator.to(("meetings", "0003_document_name_guard"))
    world = make_world()
    meeting = make_meeting(world.network)
    OldFeed = old_apps.get_model("meetings", "CalendarFeed")
    legacy = "LegacyAddress-made-before-hashing-0123456789"
    OldFeed.objects.create(user_id=world["member"].pk, network_id=None, token=legacy)
    OldFeed.objects.create(user_id=world["member"].pk, network_id=None, token="revoked-one", revoked_at=timezone.now())

    migrator.to_latest()

    feeds = CalendarFeed.objects.order_by("pk")
    assert [(f.prefix, f.key_hash) for f in feeds] == [
        (legacy[:8], hashlib.sha256(legacy.encode()).hexdigest()),
        ("revoked-", hashlib.sha256(b"revoked-one").hexdigest()),
    ]
    assert _uids(Client().get(f"/calendar/{legacy}.ics")) == [f"{meeting.uid}@fagnett"]
    assert Client().get("/calendar/revoked-one.ics").status_code == 404
