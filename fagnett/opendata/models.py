"""Keys for the region's read-only open-data API (``/api/open/v1/``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.models import NamedKey
from fagnett.organisations.models import Region


class RegionApiKey(NamedKey):
    """A region's key for the open-data API (``core.models.HashedKey``: only its hash is kept; the key is shown once).

    A key reads the data of its own region and nothing else.
    """

    key_type = "fnod_"

    region = models.ForeignKey(Region, models.CASCADE, related_name="open_data_keys", verbose_name=_("region"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )

    # Use is recorded with a queryset update (no history row per request); creation and revoking are kept.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("open-data API key")
        verbose_name_plural = _("open-data API keys")

    def __str__(self) -> str:
        return f"{self.region} – {self.name} ({self.prefix}…)"
