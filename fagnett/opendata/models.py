"""Keys for the region's read-only open-data API (``/api/open/v1/``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.models import FreeCharField
from fagnett.organisations.models import Region


class RegionApiKey(models.Model):
    """A region's key for the open-data API. Only the SHA-256 hash is kept; the key is shown once.

    A key reads the data of its own region and nothing else. Revoking sets ``active`` off and
    ``revoked_at``; the pair is held together by a constraint so one cannot be true without the other.
    """

    region = models.ForeignKey(Region, models.CASCADE, related_name="open_data_keys", verbose_name=_("region"))
    name = FreeCharField(_("what the key is for"), max_length=100)
    prefix = models.CharField(
        _("key begins with"),
        max_length=16,
        editable=False,
        help_text=_("The first characters of the key, to recognise it; the rest is never stored."),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    # Use is recorded with a queryset update (no history row per request); creation and revoking are kept.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("open-data API key")
        verbose_name_plural = _("open-data API keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active=True, revoked_at__isnull=True)
                | models.Q(active=False, revoked_at__isnull=False),
                name="regionapikey_revoked_iff_inactive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} – {self.name} ({self.prefix}…)"
