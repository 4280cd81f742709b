"""Keys issued before the three kinds became ``core.models.HashedKey``s keep working; revoked ones stay revoked.

One test for the three apps, because moving the database back and forth is the slow part: capacity keys had no type,
no prefix and an ``active`` flag; open-data keys had ``active`` beside ``revoked_at``; calendar addresses kept their
hash in ``token_hash``.
"""

import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from fagnett.capacity.models import ApiToken
from fagnett.meetings.models import CalendarFeed
from fagnett.meetings.tests.factories import make_meeting
from fagnett.opendata.models import RegionApiKey
from tests.factories import Migrator, make_world


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _get(path: str, secret: str = "") -> int:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return Client().get(path, headers=headers).status_code


@pytest.mark.migrations
def test_keys_issued_before_the_shared_key_model_keep_working(migrator: Migrator) -> None:
    old = migrator.to(
        ("capacity", "0002_entry_lock_version"),
        ("opendata", "0001_initial"),
        ("meetings", "0004_calendarfeed_token_hash"),
    )
    world = make_world()
    make_meeting(world.network)
    trust, region, member = world.trusts_a[0].pk, world.region_a.pk, world["member"].pk

    capacity_in_use, capacity_withdrawn = "OldCapacityKey-in-use-0123456789", "OldCapacityKey-withdrawn-01234567"
    OldToken = old.get_model("capacity", "ApiToken")
    OldToken.objects.create(trust_id=trust, name="I bruk", key_hash=_digest(capacity_in_use), active=True)
    OldToken.objects.create(trust_id=trust, name="Trukket", key_hash=_digest(capacity_withdrawn), active=False)

    open_in_use, open_revoked = "fnod_OldKeyInUse0123456789abcdef", "fnod_OldKeyRevoked0123456789abcd"
    OldKey = old.get_model("opendata", "RegionApiKey")
    OldKey.objects.create(region_id=region, name="I bruk", prefix=open_in_use[:13], key_hash=_digest(open_in_use))
    OldKey.objects.create(
        region_id=region,
        name="Trukket",
        prefix=open_revoked[:13],
        key_hash=_digest(open_revoked),
        active=False,
        revoked_at=timezone.now(),
    )

    feed_secret = "HashedAddress-made-under-0004-0123456789abc"
    OldFeed = old.get_model("meetings", "CalendarFeed")
    OldFeed.objects.create(user_id=member, prefix=feed_secret[:8], token_hash=_digest(feed_secret))

    migrator.to_latest()

    assert _get("/api/capacity/units", capacity_in_use) == 200
    assert _get("/api/capacity/units", capacity_withdrawn) == 401
    assert _get("/api/open/v1/networks", open_in_use) == 200
    assert _get("/api/open/v1/networks", open_revoked) == 401
    assert _get(f"/calendar/{feed_secret}.ics") == 200

    tokens = {token.name: token for token in ApiToken.objects.all()}
    assert tokens["I bruk"].prefix == "" and tokens["I bruk"].last_used_at is not None
    assert tokens["Trukket"].revoked_at is not None  # withdrawn before: revoked at the migration
    assert RegionApiKey.objects.get(name="I bruk").last_used_at is not None
    assert CalendarFeed.objects.get().last_used_at is not None
