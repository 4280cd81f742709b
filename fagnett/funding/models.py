"""Yearly regional funding: the region's call, the applications to it with their budget lines, and each
application's timeline.

An application goes draft → submitted → endorsed (by the management of the applicant's trust) → granted or
declined (by the region's coordinator); the trust's management may send it back to draft with a reason. A
granted application becomes the network's grant in the budget.
"""

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.budget.models import Expense, Grant
from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Region


class FundingCall(VersionedModel):
    """The region's yearly call for applications, with the deadline the region sets."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    region = models.ForeignKey(Region, models.PROTECT, related_name="funding_calls", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text=_("The year funded.")
    )
    title = FreeCharField(_("title"), max_length=200, help_text=_("For example Regionale fagmidler 2026."))
    deadline = models.DateField(
        _("deadline"), help_text=_("The last day an application can be submitted, endorsed by the trust's management.")
    )
    description = FreeTextField(
        _("description"), blank=True, help_text=_("What the region funds, what it expects, how it decides.")
    )
    amount_available = models.PositiveIntegerField(
        _("amount available (NOK)"), null=True, blank=True, help_text=_("Whole kroner. Leave empty if not set.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["region__name", "-year"]
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="fundingcall_one_per_region_and_year")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:call_detail", args=[self.pk])

    def deadline_passed(self, today: datetime.date) -> bool:
        return today > self.deadline

    def accepts_applications(self, today: datetime.date) -> bool:
        """Open, and the deadline (a whole day, Norwegian time) has not passed."""
        return self.status == self.Status.OPEN and not self.deadline_passed(today)


class Application(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ENDORSED = "endorsed", _("Endorsed")
        GRANTED = "granted", _("Granted")
        DECLINED = "declined", _("Declined")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.DRAFT: "neutral",
        Status.SUBMITTED: "info",
        Status.ENDORSED: "warning",
        Status.GRANTED: "success",
        Status.DECLINED: "danger",
    }

    call = models.ForeignKey(FundingCall, models.PROTECT, related_name="applications", verbose_name=_("call"))
    network = models.ForeignKey(
        Network,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_applications",
        verbose_name=_("network"),
        help_text=_("Empty for a group that wants to become a network."),
    )
    proposed_name = FreeCharField(_("name of the proposed network"), max_length=200, blank=True)
    proposed_field = FreeCharField(_("professional field of the proposed network"), max_length=200, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="funding_applications", verbose_name=_("applicant")
    )
    trust = models.ForeignKey(
        HealthTrust,
        models.PROTECT,
        related_name="funding_applications",
        verbose_name=_("health trust"),
        help_text=_("The applicant's trust, whose management endorses the application."),
    )
    purpose = FreeTextField(_("purpose"), help_text=_("What the network wants to achieve with the funding."))
    activities = FreeTextField(_("planned activities"), help_text=_("Meetings, gatherings, projects and products."))
    programme = FreeTextField(
        _("programme"), blank=True, help_text=_("The programme of gatherings and meetings, as far as it is known.")
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    returned_reason = FreeTextField(
        _("reason for sending back"), blank=True, help_text=_("Why the trust's management sent the application back.")
    )
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endorsed by"),
    )
    endorsed_at = models.DateTimeField(_("endorsed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    amount_granted = models.PositiveIntegerField(_("amount granted (NOK)"), null=True, blank=True)
    decision_reference = FreeCharField(_("decision reference"), max_length=200, blank=True)
    decision_reason = FreeTextField(_("reason for the decision"), blank=True)
    grant = models.OneToOneField(
        Grant,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_application",
        verbose_name=_("grant in the budget"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["call", "pk"]
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(network__isnull=False) | ~models.Q(proposed_name=""),
                name="application_network_or_proposed_name",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="application_period_ordered"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decision_reason=""),
                name="application_decline_needs_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="granted")
                | models.Q(amount_granted__gt=0, network__isnull=False, grant__isnull=False),
                name="application_granted_has_amount_network_and_grant",
            ),
            models.UniqueConstraint(
                fields=["call", "network"],
                condition=models.Q(network__isnull=False),
                name="application_one_per_network_and_call",
            ),
        ]
        indexes = [models.Index(fields=["call", "status"]), models.Index(fields=["trust", "status"])]

    def __str__(self) -> str:
        return f"{self.call.title}: {self.applies_for}"

    def get_absolute_url(self) -> str:
        return reverse("funding:application_detail", args=[self.pk])

    @property
    def applies_for(self) -> str:
        """The network's name, or the name the group proposes for itself."""
        return self.network.name if self.network_id and self.network else self.proposed_name

    @property
    def is_proposal(self) -> bool:
        return self.network_id is None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.network_id is None and not self.proposed_name.strip():
            errors["proposed_name"] = _("Give the name of the network the group wants to become.")
        if self.network_id is None and not self.proposed_field.strip():
            errors["proposed_field"] = _("Give the professional field of the proposed network.")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The period cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


class BudgetLine(models.Model):
    """One line of an application's budget; the amount applied for is the sum of the lines."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="lines", verbose_name=_("application"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Expense.Kind.choices)
    description = FreeCharField(_("description"), max_length=300)
    amount = models.PositiveIntegerField(_("amount (NOK)"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "order", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="budgetline_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


class ApplicationEvent(models.Model):
    """One step on an application's timeline: who did what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft created")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Sent back by the trust's management")
        ENDORSED = "endorsed", _("Endorsed by the trust's management")
        GRANTED = "granted", _("Granted")
        DECLINED = "declined", _("Declined")

    application = models.ForeignKey(Application, models.CASCADE, related_name="events", verbose_name=_("application"))
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("who"))
    at = models.DateTimeField(_("when"))
    text = FreeTextField(_("comment"), blank=True)

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind} {self.at:%Y-%m-%d}"
