"""Changes to open-data API keys. Each is one transaction that checks the person is the region's coordinator.

History (who, when, what) is written by django-simple-history on every save.
"""

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fagnett.access import access_for
from fagnett.core.tokens import hash_token
from fagnett.opendata.models import RegionApiKey
from fagnett.organisations.models import Region

#: Every key starts with this, so secret scanners and people can tell what it is.
KEY_TYPE = "fnod_"
#: How much of the key is kept in clear to recognise it in the list (the type and 8 random characters).
PREFIX_LENGTH = len(KEY_TYPE) + 8
#: Use is recorded at most this often per key, so reading the API does not write on every request.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


def _require_coordinator(user: Any, region_id: int) -> None:
    if not access_for(user).is_coordinator(region_id):
        raise PermissionDenied


@transaction.atomic
def region_api_key_create(*, user: Any, region: Region, name: str) -> tuple[RegionApiKey, str]:
    """A new key for the region; the key itself is returned here once and only its hash is kept."""
    _require_coordinator(user, region.pk)
    raw = KEY_TYPE + secrets.token_urlsafe(32)
    key = RegionApiKey(
        region=region,
        name=name.strip()[:100],
        prefix=raw[:PREFIX_LENGTH],
        key_hash=hash_token(raw),
        created_by=user,
    )
    key.full_clean(exclude=["region", "created_by", "revoked_by"])
    key.save()
    return key, raw


@transaction.atomic
def region_api_key_revoke(*, user: Any, key: RegionApiKey) -> RegionApiKey:
    """The key stops working at once; revoking a revoked key changes nothing."""
    _require_coordinator(user, key.region_id)
    if key.active:
        key.active = False
        key.revoked_at = timezone.now()
        key.revoked_by = user
        key.save(update_fields=["active", "revoked_at", "revoked_by"])
    return key


def region_api_key_authenticate(*, raw: str) -> RegionApiKey | None:
    """The active key matching ``raw``, its use recorded if it was not recorded in the last minute."""
    if not raw or len(raw) > 200:
        return None
    key = (
        RegionApiKey.objects.filter(key_hash=hash_token(raw), active=True, revoked_at__isnull=True)
        .only("pk", "region_id", "last_used_at")
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_INTERVAL:
        # The filter repeats the condition so two requests at once write only once.
        RegionApiKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_INTERVAL), pk=key.pk
        ).update(last_used_at=now)
        key.last_used_at = now
    return key
