"""Grants to networks and what the networks spend them on, in whole kroner."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.models import FreeCharField
from fagnett.networks.models import Network


class Grant(models.Model):
    network = models.ForeignKey(Network, models.PROTECT, related_name="grants", verbose_name=_("network"))
    amount = models.PositiveIntegerField(_("amount (NOK)"), validators=[MinValueValidator(1)])
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    source = FreeCharField(_("source"), max_length=200, help_text=_("For example Helse Nords fagmidler."))
    decision_reference = FreeCharField(
        _("decision reference"), max_length=200, blank=True, help_text=_("Case number or the decision's date.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["network", "period_start", "pk"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="grant_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.period_start:%Y}–{self.period_end:%Y}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


class Expense(models.Model):
    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("Leader and secretariat time")
        GATHERING = "gathering", _("Physical gathering")
        CATERING = "catering", _("Catering")
        SPEAKER = "speaker", _("Speaker")
        DOCUMENTATION = "documentation", _("Documentation")
        OTHER = "other", _("Other")

    network = models.ForeignKey(Network, models.PROTECT, related_name="expenses", verbose_name=_("network"))
    grant = models.ForeignKey(
        Grant,
        models.PROTECT,
        related_name="expenses",
        verbose_name=_("grant"),
        help_text=_("The grant whose period covers the date."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    spent_on = models.DateField(_("date"))
    amount = models.PositiveIntegerField(_("amount (NOK)"), validators=[MinValueValidator(1)])
    description = FreeCharField(_("description"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["network", "spent_on", "pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive")]
        indexes = [models.Index(fields=["network", "spent_on"])]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.get_kind_display()} {self.amount}"
