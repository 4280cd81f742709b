"""Situation reports: a unit's occupied and staffed beds per bed category, right now (issue 21, item 7).

A report is never changed: the next one replaces it as "the latest". Both tables keep django-simple-history, so
who filed what and when is in the audit history like every other capacity change.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.capacity.models import Category
from fagnett.organisations.models import Unit

#: A report older than this is marked as stale wherever it is shown.
STALE_AFTER_HOURS = 24


class SituationReport(models.Model):
    """One unit's situation at one moment, filed by a trust's reporter (web) or the trust's system (API)."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="situation_reports", verbose_name=_("unit"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("filed by")
    )
    api_token = models.ForeignKey(
        "capacity.ApiToken",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed through API key"),
    )
    source = models.CharField(_("source"), max_length=10, default="web")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        indexes = [models.Index(fields=["unit", "-filed_at"], name="capacity_situation_latest")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.filed_at:%Y-%m-%d %H:%M}"


class SituationLine(models.Model):
    """Staffed and occupied beds of one bed category in a situation report; available = staffed − occupied."""

    report = models.ForeignKey(SituationReport, models.CASCADE, related_name="lines", verbose_name=_("report"))
    category = models.CharField(_("bed category"), max_length=2, choices=Category.choices)
    staffed_beds = models.PositiveIntegerField(_("staffed beds"))
    occupied_beds = models.PositiveIntegerField(_("occupied beds"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "category"]
        verbose_name = _("situation report line")
        verbose_name_plural = _("situation report lines")
        constraints = [
            models.UniqueConstraint(fields=["report", "category"], name="capacity_situation_line_unique"),
            models.CheckConstraint(
                condition=models.Q(occupied_beds__lte=models.F("staffed_beds")),
                name="capacity_situation_occupied_le_staffed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.occupied_beds}/{self.staffed_beds}"

    @property
    def available_beds(self) -> int:
        return self.staffed_beds - self.occupied_beds
