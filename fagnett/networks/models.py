"""Networks, their versioned mandates, and the appointments of people to them."""

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField
from fagnett.core.tracked import TrackedQuerySet
from fagnett.networks.codes import CODE_PATTERN, derive_code
from fagnett.organisations.models import HealthTrust, Region


class MeetingForm(models.TextChoices):
    DIGITAL = "digital", _("Digital")
    PHYSICAL = "physical", _("Physical")
    HYBRID = "hybrid", _("Hybrid")
    MAINLY_DIGITAL = "mainly_digital", _("Mainly digital, some physical meetings")


class Network(VersionedModel):
    class Kind(models.TextChoices):
        NETWORK = "network", _("Network")
        COUNCIL = "council", _("Professional council (fagråd)")
        WORKING_GROUP = "working_group", _("Working group")
        FORUM = "forum", _("Forum (for example the secretaries' forum)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        NOT_STARTED = "not_started", _("Established, not started")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged into another network")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.PLANNED: "info",
        Status.NOT_STARTED: "warning",
        Status.ACTIVE: "success",
        Status.PAUSED: "warning",
        Status.CLOSED: "neutral",
        Status.MERGED: "neutral",
    }

    region = models.ForeignKey(Region, models.PROTECT, related_name="networks", verbose_name=_("region"))
    name = FreeCharField(_("name"), max_length=200)
    code = FreeCharField(
        _("code"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(CODE_PATTERN, _("Use 2 to 6 capital letters or digits, for example ANI."))],
        help_text=_(
            "Starts the network's case numbers, for example ANI-2026/014: 2 to 6 capital letters or digits, unique "
            "in the region. Made from the name when left empty. Case numbers already given keep their code."
        ),
    )
    field = FreeCharField(_("professional field"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NETWORK)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="subgroups",
        verbose_name=_("parent network"),
        help_text=_("Councils and working groups belong to a network."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    established_on = models.DateField(_("established"), null=True, blank=True)
    description = FreeTextField(_("description"), blank=True)
    minutes_visible_to_region = models.BooleanField(
        _("approved minutes visible to everyone in the region"),
        default=False,
        help_text=_("Otherwise only the network's members, the coordinator and the medical directors read them."),
    )

    history = HistoricalRecords()
    # Bulk writes tell fagnett.access, which keeps the access version of the people concerned (core.tracked).
    objects = TrackedQuerySet.as_manager()

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="network_unique_name_per_region"),
            models.UniqueConstraint(
                fields=["region", "code"], condition=~models.Q(code=""), name="network_unique_code_per_region"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="network_merged_needs_target",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["network", "forum"]) | models.Q(parent__isnull=False),
                name="network_subgroup_needs_parent",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        for name in ("parent", "merged_into"):
            other = getattr(self, name)
            if other is not None and (other.pk == self.pk or other.region_id != self.region_id):
                errors[name] = _("Choose another network in the same region.")
        if self.status == self.Status.MERGED and self.merged_into is None:
            errors["merged_into"] = _("Choose the network this one was merged into.")
        if self.kind in (self.Kind.COUNCIL, self.Kind.WORKING_GROUP) and self.parent is None:
            errors["parent"] = _("A council or working group belongs to a network: choose it.")
        if self.code and self.region_id and self.code_is_taken(self.code):
            errors["code"] = _("Another network of the region has this code, or had it in its case numbers.")
        if errors:
            raise ValidationError(errors)

    def code_is_taken(self, code: str) -> bool:
        """Whether another network of the region has ``code``, or its cases were numbered with it (a number once
        given stays, so a code is not reused for another network's series)."""
        others = Network.objects.filter(region_id=self.region_id, code=code)
        if self.pk:
            others = others.exclude(pk=self.pk)
        # The region's cases through the reverse relation (``cases.Case.region``): cases are a layer above networks.
        numbered = Region.objects.get(pk=self.region_id).cases.filter(reference__startswith=f"{code}-")
        if self.pk:
            numbered = numbered.exclude(network_id=self.pk)
        return others.exists() or numbered.exists()

    def ensure_code(self) -> str:
        """The network's code, made from its name (and saved, for a saved network) if it has none yet."""
        if not self.code:
            self.code = derive_code(self.name, self.code_is_taken)
            if self.pk:
                Network.objects.filter(pk=self.pk).update(code=self.code)
        return self.code

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.code and self.region_id:
            self.code = derive_code(self.name, self.code_is_taken)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "code"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class TaskListItem(models.Model):
    """One entry of the region's standard list of network tasks, used in mandates and for ranking."""

    region = models.ForeignKey(Region, models.CASCADE, related_name="task_list", verbose_name=_("region"))
    code = FreeCharField(_("code"), max_length=20)
    title = FreeCharField(_("task"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["region", "order", "code"]
        verbose_name = _("standard task")
        verbose_name_plural = _("standard task list")
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="tasklistitem_unique_code")]

    def __str__(self) -> str:
        return self.title


def default_period_end(start: datetime.date, years: int = 3) -> datetime.date:
    """The last day of a period of ``years`` years starting on ``start`` (29 February safe)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:
        end = start.replace(year=start.year + years, day=28)
    return end - datetime.timedelta(days=1)


class Mandate(models.Model):
    """One version of a network's mandate. Versions are never changed; a change is a new version."""

    network = models.ForeignKey(Network, models.PROTECT, related_name="mandates", verbose_name=_("network"))
    version = models.PositiveIntegerField(_("version"))
    purpose = FreeTextField(_("purpose"))
    tasks = models.ManyToManyField(TaskListItem, blank=True, related_name="mandates", verbose_name=_("tasks"))
    specific_tasks = FreeTextField(
        _("assignments and other tasks"),
        blank=True,
        help_text=_("Tasks given to this network beyond the region's standard list."),
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    min_meetings_per_year = models.PositiveSmallIntegerField(_("minimum meetings per year"), default=4)
    meeting_form = models.CharField(
        _("meeting form"), max_length=20, choices=MeetingForm.choices, default=MeetingForm.DIGITAL
    )
    secretariat_trust = models.ForeignKey(
        HealthTrust,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("secretariat provided by"),
    )
    archive_trust = models.ForeignKey(
        HealthTrust,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible for archiving"),
    )
    budget_amount = models.DecimalField(_("budget (NOK)"), max_digits=12, decimal_places=0, null=True, blank=True)
    budget_note = FreeTextField(_("budget notes"), blank=True)
    approved_by = FreeCharField(_("approved by"), max_length=200, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    change_reason = FreeTextField(_("reason for this version"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[tasks])

    class Meta:
        ordering = ["network", "-version"]
        get_latest_by = "version"
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.UniqueConstraint(fields=["network", "version"], name="mandate_unique_version"),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")), name="mandate_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network} – {_('mandate')} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("networks:mandate_detail", args=[self.network_id, self.version])

    def expires_within(self, today: datetime.date, months: int) -> bool:
        return self.period_ends_within(self.period_end, today, months)

    @staticmethod
    def period_ends_within(period_end: datetime.date, today: datetime.date, months: int) -> bool:
        """A period ending on ``period_end`` ends between ``today`` and ``months`` months from it."""
        limit = today + datetime.timedelta(days=round(months * 30.44))
        return today <= period_end <= limit

    def has_expired(self, today: datetime.date) -> bool:
        return self.period_end < today


class AppointmentRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")
    DEPUTY = "deputy", _("Deputy")
    RHF_REPRESENTATIVE = "rhf_representative", _("RHF representative")
    USER_REPRESENTATIVE = "user_representative", _("User representative")


class Appointment(models.Model):
    """A person's place in a network in one role: nominated by a trust, appointed by the region."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        APPOINTED = "appointed", _("Appointed")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.NOMINATED: "warning",
        Status.APPOINTED: "success",
        Status.DECLINED: "danger",
        Status.ENDED: "neutral",
    }

    network = models.ForeignKey(Network, models.PROTECT, related_name="appointments", verbose_name=_("network"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="appointments", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=30, choices=AppointmentRole.choices)
    trust = models.ForeignKey(
        HealthTrust,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("represents"),
        help_text=_("Empty for the RHF's own representative."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOMINATED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations_made",
        verbose_name=_("nominated by"),
    )
    nominated_at = models.DateTimeField(_("nominated"), null=True, blank=True)
    nomination_note = FreeTextField(_("why this person"), blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("to"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment_decisions",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = FreeTextField(_("reason"), blank=True)

    history = HistoricalRecords()
    # Bulk writes tell fagnett.access, which keeps the access version of the people concerned (core.tracked).
    objects = TrackedQuerySet.as_manager()

    class Meta:
        ordering = ["network", "role", "person__first_name"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "person", "role"],
                condition=models.Q(status__in=["nominated", "appointed"]),
                name="appointment_one_open_per_role",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decision_reason=""),
                name="appointment_decline_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="appointment_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["network", "status"]), models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} – {self.network}"


class NetworkChange(models.Model):
    """One write to a table the region panel's kept network counts are read from (``networks.freshness``).

    A row is inserted in the same transaction as the write, so it becomes visible exactly when the write does; the
    sum of ``weight`` is the freshness key the counts a worker keeps are compared with (``core.freshness``). Inserts
    take no lock that other writers wait for. Rows are folded into one now and then, keeping the sum."""

    # Bookkeeping no one reads (not in the admin, no form): Django's default names, no texts to translate.
    weight = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"+{self.weight}"
