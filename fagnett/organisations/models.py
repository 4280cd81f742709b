"""The specialist health service's organisation: Region (RHF) → HealthTrust (HF) → Hospital → Unit, and how the
identity provider names a trust (TrustIdentity)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum.no import orgnr

from fagnett.core.models import FreeCharField
from fagnett.core.tracked import TrackedQuerySet
from fagnett.organisations.validators import validate_org_number, validate_resh_id


class Region(models.Model):
    name = FreeCharField(_("name"), max_length=100, unique=True)
    short_name = FreeCharField(_("short name"), max_length=20, unique=True)
    # Switched by the coordinator on the annual reports page; its history is the audit of who allowed it when.
    early_network_reports = models.BooleanField(
        _("early network reports"),
        default=False,
        help_text=_(
            "A network may submit its annual report in December, once its last planned meeting of the year is held."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("regional health authority")
        verbose_name_plural = _("regional health authorities")

    def __str__(self) -> str:
        return self.name


class HealthTrust(models.Model):
    region = models.ForeignKey(Region, models.PROTECT, related_name="trusts", verbose_name=_("region"))
    name = FreeCharField(_("name"), max_length=100, unique=True)
    short_name = FreeCharField(_("short name"), max_length=30)
    org_number = FreeCharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        validators=[validate_org_number],
        help_text=_("The nine digits from the Register of Legal Entities (Brønnøysundregistrene)."),
    )
    population = models.PositiveIntegerField(
        _("population served"), null=True, blank=True, help_text=_("Used for figures per 100 000 inhabitants.")
    )

    history = HistoricalRecords()
    # Bulk writes tell fagnett.access, which keeps the access version of the people concerned (core.tracked).
    objects = TrackedQuerySet.as_manager()

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("health trust")
        verbose_name_plural = _("health trusts")
        constraints = [
            models.UniqueConstraint(
                fields=["org_number"],
                condition=~models.Q(org_number=""),
                name="healthtrust_org_number_unique",
                violation_error_message=_("Another health trust already has this organisation number."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Hospital(models.Model):
    trust = models.ForeignKey(HealthTrust, models.PROTECT, related_name="hospitals", verbose_name=_("health trust"))
    name = FreeCharField(_("name"), max_length=100)
    municipality = FreeCharField(_("municipality"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["trust__name", "name"]
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")
        constraints = [models.UniqueConstraint(fields=["trust", "name"], name="hospital_unique_name_per_trust")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        ICU = "icu", _("Intensive care unit")
        WARD = "ward", _("Ward")
        OUTPATIENT = "outpatient", _("Outpatient clinic")
        OTHER = "other", _("Other")

    class AgeGroup(models.TextChoices):
        ADULT = "adult", _("Adults")
        PAEDIATRIC = "paediatric", _("Children")
        NEONATAL = "neonatal", _("Newborns")
        MIXED = "mixed", _("Mixed (several age groups)")

    hospital = models.ForeignKey(Hospital, models.PROTECT, related_name="units", verbose_name=_("hospital"))
    name = FreeCharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ICU)
    age_group = models.CharField(_("age group"), max_length=20, choices=AgeGroup.choices, default=AgeGroup.ADULT)
    active = models.BooleanField(_("active"), default=True)
    resh_id = FreeCharField(
        _("RESH id"),
        max_length=12,
        blank=True,
        validators=[validate_resh_id],
        help_text=_("The unit's id in the register of health enterprises (RESH), where it is known."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["hospital__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="unit_unique_name_per_hospital"),
            models.UniqueConstraint(
                fields=["resh_id"],
                condition=~models.Q(resh_id=""),
                name="unit_resh_id_unique",
                violation_error_message=_("Another unit already has this RESH id."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hospital})"


class TrustIdentity(models.Model):
    """How the identity provider names a trust: what single sign-on and provisioning recognise its people by.

    A person the provider vouches for at their first login, or whom it provisions, becomes an employee of the trust
    one of these rows points to: by the domain of a verified e-mail address (``stolav.no``), the Entra ID tenant
    that issued the login (``tid``), the organisation number in a claim, or the organisation or department name the
    provider sends (SCIM). The region's coordinator keeps the rows; each value points to one trust only.
    """

    class Kind(models.TextChoices):
        EMAIL_DOMAIN = "email_domain", _("E-mail domain")
        TENANT = "tenant", _("Entra ID tenant ID")
        ORGANISATION_NUMBER = "organisation_number", _("Organisation number")
        ORGANISATION_NAME = "organisation_name", _("Organisation or department name")

    trust = models.ForeignKey(HealthTrust, models.CASCADE, related_name="identities", verbose_name=_("health trust"))
    kind = models.CharField(_("recognised by"), max_length=30, choices=Kind.choices)
    value = FreeCharField(
        _("value"),
        max_length=255,
        help_text=_(
            "An e-mail domain (stolav.no), a tenant ID (a GUID), a nine-digit organisation number, or the name the "
            "identity provider gives the organisation or department."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["trust__name", "kind", "value"]
        verbose_name = _("trust identity")
        verbose_name_plural = _("trust identities")
        constraints = [
            # Values are stored normalised (lower case but names), so a name is compared ignoring case here.
            models.UniqueConstraint(
                Lower("value"),
                "kind",
                name="trustidentity_unique_value",
                violation_error_message=_("This value already points to a health trust."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} → {self.trust}"

    def clean(self) -> None:
        super().clean()
        if self.kind and self.value:
            self.value = normalise_identity(self.kind, self.value, strict=True)


_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def normalise_identity(kind: str, value: str, *, strict: bool = False) -> str:
    """The form a value of ``kind`` is stored and compared in; "" for a value that cannot be one.

    ``strict`` raises ``ValidationError`` with a message saying what is wrong instead (for the coordinator's form).
    """
    value = " ".join(str(value).split())
    problem = ""
    if kind == TrustIdentity.Kind.EMAIL_DOMAIN:
        value = value.lower().removeprefix("@")
        try:
            DomainNameValidator()(value)
            valid = "." in value  # a top-level domain alone is no organisation's
        except ValidationError:
            valid = False
        if not valid:
            problem = gettext("Write the domain only, as in stolav.no (without the name and @).")
    elif kind == TrustIdentity.Kind.TENANT:
        value = value.lower().strip("{}")
        if not _GUID.match(value):
            problem = gettext(
                "A tenant ID is a GUID such as 6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f (Entra ID → Overview → Tenant ID)."
            )
    elif kind == TrustIdentity.Kind.ORGANISATION_NUMBER:
        value = orgnr.compact(value)
        if not orgnr.is_valid(value):
            problem = gettext("An organisation number has nine digits and a valid check digit, as in 974 749 025.")
    elif kind == TrustIdentity.Kind.ORGANISATION_NAME:
        if not value:
            problem = gettext("Write the name as the identity provider sends it.")
    else:
        problem = gettext("Choose what the trust is recognised by.")
    if problem:
        if strict:
            raise ValidationError({"value": problem})
        return ""
    return value
