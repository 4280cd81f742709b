"""Calendar addresses: a person's secret feed addresses, made, replaced and revoked (stored hashed)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fagnett.accounts.models import User
from fagnett.core.permissions import require_perm
from fagnett.meetings.models import CalendarFeed
from fagnett.networks.models import Network


def _require_own_feed(user: User, feed: CalendarFeed) -> None:
    if feed.user_id != user.pk or feed.revoked_at is not None:
        raise PermissionDenied


@transaction.atomic
def calendar_feed_create(*, user: User, network: Network | None) -> tuple[CalendarFeed, str]:
    """A private address for the person's meetings (or one network's). The secret in it is returned here, once;
    only its hash is stored."""
    if network is not None:
        require_perm(user, "meetings.view_meeting", network)
    feed = CalendarFeed(user=user, network=network)
    token = feed.issue()
    feed.save()
    return feed, token


@transaction.atomic
def calendar_feed_regenerate(*, user: User, feed: CalendarFeed) -> tuple[CalendarFeed, str]:
    """The same subscription at a new address: the old address stops working at once, the new secret is returned
    here, once."""
    _require_own_feed(user, feed)
    token = feed.issue()
    feed.save(update_fields=CalendarFeed.SECRET_FIELDS)
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, user: User, feed: CalendarFeed) -> CalendarFeed:
    """The address stops working; calendars subscribed to it get no more updates."""
    _require_own_feed(user, feed)
    feed.revoke()
    return feed


def calendar_feeds_revoke_all(person: Any) -> int:
    """Every calendar address of the person stops working: their access to Fagnett closed
    (``accounts.services.on_access_end``). Returns how many were working."""
    return sum(1 for feed in CalendarFeed.objects.filter(user=person, revoked_at=None) if feed.revoke())
