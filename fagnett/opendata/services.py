"""Changes to open-data API keys. Each is one transaction that checks the person is the region's coordinator.

History (who, when, what) is written by django-simple-history on every save.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.opendata.models import RegionApiKey
from fagnett.organisations.models import Region


def _require_coordinator(user: User, region_id: int) -> None:
    if not access_for(user).is_coordinator(region_id):
        raise PermissionDenied


@transaction.atomic
def region_api_key_create(*, user: User, region: Region, name: str) -> tuple[RegionApiKey, str]:
    """A new key for the region; the key itself is returned here once and only its hash is kept."""
    _require_coordinator(user, region.pk)
    key = RegionApiKey(region=region, name=name.strip()[:100], created_by=user)
    raw = key.issue()
    key.full_clean(exclude=["region", "created_by", "revoked_by"])
    key.save()
    return key, raw


@transaction.atomic
def region_api_key_revoke(*, user: User, key: RegionApiKey) -> RegionApiKey:
    """The key stops working at once; revoking a revoked key changes nothing."""
    _require_coordinator(user, key.region_id)
    key.revoke(revoked_by=user)
    return key


def region_api_key_authenticate(*, raw: str) -> RegionApiKey | None:
    """The working key matching ``raw``, its use recorded if it was not recorded in the last minute."""
    return RegionApiKey.authenticate(raw, RegionApiKey.objects.only("pk", "region_id", "last_used_at"))
