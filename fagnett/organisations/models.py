"""The specialist health service's organisation: Region (RHF) → HealthTrust (HF) → Hospital → Unit."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.models import FreeCharField
from fagnett.organisations.validators import validate_org_number, validate_resh_id


class Region(models.Model):
    name = FreeCharField(_("name"), max_length=100, unique=True)
    short_name = FreeCharField(_("short name"), max_length=20, unique=True)

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
