"""Provisioning from the identity provider: a region's SCIM keys, the people and groups its provider pushes.

Microsoft Entra ID (or any SCIM 2.0 client) creates, updates and deactivates the region's people through
``/scim/v2/`` with a key of the region (``ScimToken``); the key reaches only the people of the region's trusts and
of the RHF itself. ``ProvisionedPerson`` remembers which people the provider manages and by which ``externalId``;
``ScimGroup`` keeps the groups it pushes for the coordinator to see. Groups give no role (see ``scim.py``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.models import FreeCharField, NamedKey
from fagnett.organisations.models import Region


class ScimToken(NamedKey):
    """A region's key for provisioning (``core.models.HashedKey``: only its hash is kept; the key is shown once)."""

    key_type = "fnscim_"

    region = models.ForeignKey(Region, models.CASCADE, related_name="scim_tokens", verbose_name=_("region"))
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
        verbose_name = _("provisioning key")
        verbose_name_plural = _("provisioning keys")

    def __str__(self) -> str:
        return f"{self.region} – {self.name} ({self.prefix}…)"

    def describe(self) -> str:
        """How history names the key: changes made through it have no person behind them."""
        return f"SCIM key “{self.name}” ({self.prefix}…)"


class ProvisionedPerson(models.Model):
    """A person the region's identity provider manages, and the provider's own id for them (``externalId``)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="provisioning", verbose_name=_("person")
    )
    region = models.ForeignKey(Region, models.CASCADE, related_name="+", verbose_name=_("region"))
    external_id = FreeCharField(_("identity provider's id"), max_length=255, blank=True, db_index=True)
    # The department as the provider has it (a clinical department, say): shown back to it, so it sees no change.
    department = FreeCharField(_("department"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("provisioned"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("provisioned person")
        verbose_name_plural = _("provisioned people")

    def __str__(self) -> str:
        return f"{self.person} ({self.external_id})"


class ScimGroup(models.Model):
    """A group the identity provider pushes, kept as it sends it: its members get no role from it."""

    region = models.ForeignKey(Region, models.CASCADE, related_name="scim_groups", verbose_name=_("region"))
    display_name = FreeCharField(_("name"), max_length=255)
    external_id = FreeCharField(_("identity provider's id"), max_length=255, blank=True, db_index=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="scim_groups", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[members], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["display_name", "pk"]
        verbose_name = _("group from the identity provider")
        verbose_name_plural = _("groups from the identity provider")

    def __str__(self) -> str:
        return self.display_name
