"""ICU capacity: unit profiles, report rounds, capacity entries (versioned after close), assessments, API tokens."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField, NamedKey
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit


class Category(models.TextChoices):
    """The national bed categories of 2022."""

    K1 = "K1", _("K1 reinforced observation bed")
    K2 = "K2", _("K2 monitoring bed (intermediate)")
    K3 = "K3", _("K3 intensive care bed")


class Scenario(models.TextChoices):
    NORMAL = "normal", _("Normal operation")
    LOW_ACTIVITY = "low_activity", _("Low-activity period")
    SURGE_7_DAYS = "surge_7d", _("Surge within 7 days")
    MAX_SURGE = "max_surge", _("Maximum surge")


#: the values, in order, as constants (``Category.values`` builds a new list on every call)
CATEGORIES = tuple(Category.values)
SCENARIOS = tuple(Scenario.values)


class UnitProfile(models.Model):
    """What an ICU unit can do; kept beside the shared ``organisations.Unit``."""

    unit = models.OneToOneField(Unit, models.CASCADE, related_name="capacity_profile", verbose_name=_("unit"))
    non_invasive_ventilation = models.BooleanField(_("non-invasive ventilation"), default=False)
    invasive_ventilation = models.BooleanField(_("invasive ventilation"), default=False)
    ecmo = models.BooleanField(_("ECMO"), default=False)
    renal_replacement = models.BooleanField(_("renal replacement therapy"), default=False)
    isolation_rooms = models.PositiveSmallIntegerField(_("isolation rooms"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit capabilities")
        verbose_name_plural = _("unit capabilities")

    def __str__(self) -> str:
        return str(self.unit)


class ReportRound(models.Model):
    """A round in which every trust of the region reports its ICU capacity by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {Status.OPEN: "info", Status.CLOSED: "neutral"}

    region = models.ForeignKey(Region, models.PROTECT, related_name="capacity_rounds", verbose_name=_("region"))
    network = models.ForeignKey(
        Network,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="capacity_rounds",
        verbose_name=_("assessing network"),
        help_text=_("The network that assesses the round and gives the recommendation."),
    )
    name = FreeCharField(_("name"), max_length=100)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    low_activity_name = FreeCharField(
        _("low-activity period"), max_length=100, blank=True, help_text=_("For example: summer weeks 28–31.")
    )
    low_activity_start = models.DateField(_("low-activity period starts"), null=True, blank=True)
    low_activity_end = models.DateField(_("low-activity period ends"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "-period_start"]
        verbose_name = _("report round")
        verbose_name_plural = _("report rounds")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="capacity_round_unique_name"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="capacity_round_period_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(low_activity_start__isnull=True)
                | models.Q(low_activity_end__isnull=True)
                | models.Q(low_activity_end__gte=models.F("low_activity_start")),
                name="capacity_round_low_activity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("capacity:round_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class RestrictionReason(models.TextChoices):
    STAFF = "staff", _("Staff")
    ROOMS = "rooms", _("Rooms")
    EQUIPMENT = "equipment", _("Equipment")
    CONSUMABLES = "consumables", _("Consumables")


#: The numbers of an entry, in the order of forms, the Excel template and the API.
NUMBER_FIELDS = (
    "physical_beds",
    "staffed_beds",
    "ventilated_beds",
    "ventilators",
    "ecmo_devices",
    "nurses_fte",
    "nurses_day",
    "nurses_night",
    "vacancies_fte",
    "hours_to_activate",
    "occupancy_mean",
    "occupancy_p90",
    "admissions",
    "mean_length_of_stay",
    "refused",
    "transferred_out",
)
DECIMAL_FIELDS = frozenset({"nurses_fte", "vacancies_fte", "occupancy_mean", "occupancy_p90", "mean_length_of_stay"})
#: Fields a reporter fills: the numbers, the status and its reasons, the comment.
ENTRY_FIELDS = (*NUMBER_FIELDS, "status", "restrictions", "comment")


def _count(label: Any, help_text: Any = "") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True, help_text=help_text)


def _decimal(label: Any, help_text: Any = "", digits: int = 6) -> models.DecimalField:
    return models.DecimalField(label, max_digits=digits, decimal_places=1, null=True, blank=True, help_text=help_text)


class CapacityEntry(VersionedModel):
    """One unit's capacity in one bed category and scenario in a round.

    While the round is open the entry is changed in place (history records each change). After the
    round is closed a correction is a new version with a reason; the earlier version is kept.
    A blank number means "not reported", never zero.
    """

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        LIMITED = "limited", _("Limited")
        FULL = "full", _("Full")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.AVAILABLE: "success",
        Status.LIMITED: "warning",
        Status.FULL: "danger",
    }

    round = models.ForeignKey(ReportRound, models.PROTECT, related_name="entries", verbose_name=_("report round"))
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="capacity_entries", verbose_name=_("unit"))
    category = models.CharField(_("bed category"), max_length=2, choices=Category.choices)
    scenario = models.CharField(_("scenario"), max_length=20, choices=Scenario.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)

    physical_beds = _count(_("physical beds"))
    staffed_beds = _count(_("staffed beds"), _("Beds with staff on the roster."))
    ventilated_beds = _count(_("beds with invasive ventilation"), _("Only K3 beds; at most the staffed K3 beds."))
    ventilators = _count(_("ventilators"))
    ecmo_devices = _count(_("ECMO devices"))
    nurses_fte = _decimal(_("ICU nurses (FTE)"))
    nurses_day = _count(_("ICU nurses per day shift"))
    nurses_night = _count(_("ICU nurses per night shift"))
    vacancies_fte = _decimal(_("vacant ICU nurse positions (FTE)"))
    hours_to_activate = _count(_("hours to activate"), _("Hours until the beds of this scenario are open."))
    occupancy_mean = _decimal(_("mean occupancy (%)"), digits=4)
    occupancy_p90 = _decimal(_("90th percentile occupancy (%)"), digits=4)
    admissions = _count(_("admissions in the period"))
    mean_length_of_stay = _decimal(_("mean length of stay (days)"), digits=5)
    refused = _count(_("patients refused for lack of capacity"))
    transferred_out = _count(_("patients transferred out for lack of capacity"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    restrictions = models.JSONField(_("restriction reasons"), default=list, blank=True)
    comment = FreeTextField(_("comment"), blank=True)
    correction_reason = FreeTextField(_("reason for the correction"), blank=True)
    source = models.CharField(_("source"), max_length=10, default="web")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reported by")
    )
    api_token = models.ForeignKey(
        "ApiToken", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reported through API key")
    )
    reported_at = models.DateTimeField(_("reported"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        ordering = ["round", "unit", "category", "scenario", "-version"]
        verbose_name = _("capacity entry")
        verbose_name_plural = _("capacity entries")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "category", "scenario", "version"], name="capacity_entry_unique_version"
            ),
            models.UniqueConstraint(
                fields=["round", "unit", "category", "scenario"],
                condition=models.Q(is_current=True),
                name="capacity_entry_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(staffed_beds__isnull=True)
                | models.Q(physical_beds__isnull=True)
                | models.Q(staffed_beds__lte=models.F("physical_beds")),
                name="capacity_entry_staffed_le_physical",
            ),
            models.CheckConstraint(
                condition=models.Q(ventilated_beds__isnull=True)
                | models.Q(ventilated_beds=0)
                | (models.Q(category="K3") & models.Q(ventilated_beds__lte=models.F("staffed_beds"))),
                name="capacity_entry_ventilated_le_k3_staffed",
            ),
            models.CheckConstraint(
                condition=models.Q(version=1) | ~models.Q(correction_reason=""),
                name="capacity_entry_correction_needs_reason",
            ),
        ]
        indexes = [models.Index(fields=["round", "is_current"])]

    def __str__(self) -> str:
        return f"{self.unit} – {self.category} – {self.get_scenario_display()}"

    @property
    def token(self) -> str:
        """What a form remembers of the entry it was opened on: another version or another save in place (which
        raises ``lock_version``) changes it."""
        return f"{self.pk}.{self.lock_version}"


class Assessment(models.Model):
    """The network's verdict for one bed category and scenario, for one trust or the whole region."""

    class Verdict(models.TextChoices):
        ADEQUATE = "adequate", _("Adequate")
        MARGINAL = "marginal", _("Marginal")
        INADEQUATE = "inadequate", _("Inadequate")

    #: The colour of each verdict's tag (components/status_tag.html).
    VERDICT_COLORS: ClassVar[dict[str, str]] = {
        Verdict.ADEQUATE: "success",
        Verdict.MARGINAL: "warning",
        Verdict.INADEQUATE: "danger",
    }

    round = models.ForeignKey(ReportRound, models.PROTECT, related_name="assessments", verbose_name=_("report round"))
    trust = models.ForeignKey(
        HealthTrust,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("health trust"),
        help_text=_("Leave empty for the whole region."),
    )
    # A verdict for one hospital also names its trust, so the trust's and the hospital's verdicts sort together.
    hospital = models.ForeignKey(
        Hospital,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hospital"),
        help_text=_("Leave empty for the whole trust or region."),
    )
    category = models.CharField(_("bed category"), max_length=2, choices=Category.choices)
    scenario = models.CharField(_("scenario"), max_length=20, choices=Scenario.choices)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    reasons = FreeTextField(_("reasons"))
    actions = FreeTextField(_("proposed actions"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("assessed by")
    )
    assessed_at = models.DateTimeField(_("assessed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "trust__name", "category", "scenario"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "trust", "category", "scenario"],
                condition=models.Q(trust__isnull=False, hospital__isnull=True),
                name="capacity_assessment_unique_trust",
            ),
            models.UniqueConstraint(
                fields=["round", "hospital", "category", "scenario"],
                condition=models.Q(hospital__isnull=False),
                name="capacity_assessment_unique_hospital",
            ),
            models.CheckConstraint(
                condition=models.Q(hospital__isnull=True) | models.Q(trust__isnull=False),
                name="capacity_assessment_hospital_has_trust",
            ),
            models.UniqueConstraint(
                fields=["round", "category", "scenario"],
                condition=models.Q(trust__isnull=True),
                name="capacity_assessment_unique_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} – {self.category} – {self.get_scenario_display()} – {self.get_verdict_display()}"

    @property
    def level(self) -> str:
        """Whom the verdict is for, in words: a hospital (with its trust), a trust, or the region."""
        if self.hospital_id is not None:
            return f"{self.hospital} ({self.trust})"
        return str(self.trust) if self.trust_id is not None else str(self.round.region)


class Recommendation(VersionedModel):
    """The network's recommendation to the medical director for one report round (the ICU mandate, section 3).

    The network writes it (the leader or secretary), structured by the mandate's criteria — access to competence,
    preparedness, sustainable operation — and the patients' travel, says whether it was agreed in consensus and,
    if not, who disagrees and why. It is decided in a meeting: an agenda item for decision (``agenda_item``), and
    when the approved minutes record the decision it is kept here with the minutes it stands in
    (``decided_in``). Once decided the leader sends it to the medical director as a case (``case``), which follows
    the cases' escalation and decision flow; the director's decision is read from that case.

    Meetings and cases are not imported here (docs/ARCHITECTURE.md, "Layers"): the relations are declared by
    name, and the steps that touch them are the cases app's (``cases.recommendations``), which sits above both.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ON_AGENDA = "on_agenda", _("On a meeting's agenda")
        DECIDED = "decided", _("Decided by the network")
        SENT = "sent", _("Sent to the medical director")

    #: The colour of each status's tag (components/status_tag.html).
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.DRAFT: "warning",
        Status.ON_AGENDA: "info",
        Status.DECIDED: "success",
        Status.SENT: "success",
    }
    #: The network may still change the text while it is in one of these.
    EDITABLE: ClassVar[frozenset[str]] = frozenset({Status.DRAFT, Status.ON_AGENDA})

    round = models.OneToOneField(
        ReportRound, models.PROTECT, related_name="recommendation", verbose_name=_("report round")
    )
    summary = FreeTextField(
        _("the recommendation"),
        help_text=_("What the network recommends to the medical director; put to the meeting as the resolution."),
    )
    competence = FreeTextField(
        _("access to competence"),
        blank=True,
        help_text=_("Where the competence for each bed category is, and what it takes to keep it (kompetansetilgang)."),
    )
    preparedness = FreeTextField(
        _("preparedness"),
        blank=True,
        help_text=_("Surge within 7 days and maximum surge: can the region scale up, and where (beredskap)."),
    )
    sustainability = FreeTextField(
        _("sustainable operation"),
        blank=True,
        help_text=_(
            "Normal operation and low-activity periods: staffing, recruitment, shared tasks (bærekraftig drift)."
        ),
    )
    travel = FreeTextField(
        _("the patients' travel"),
        blank=True,
        help_text=_("Distances and transport: what the distribution of beds means for patients and relatives."),
    )
    consensus = models.BooleanField(_("agreed in consensus"), null=True, blank=True)
    dissent_by = FreeCharField(
        _("who disagrees"), max_length=300, blank=True, help_text=_("Names or trusts; required without consensus.")
    )
    dissent = FreeTextField(
        _("the dissenting view"),
        blank=True,
        help_text=_("What they disagree with and why; required without consensus."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("last changed by")
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agenda item"),
    )
    decided_in = models.ForeignKey(
        "meetings.Minutes", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided in")
    )
    meeting_decision = FreeTextField(_("the network's decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sent by")
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(consensus=False) | (~models.Q(dissent_by="") & ~models.Q(dissent="")),
                name="capacity_recommendation_dissent_without_consensus",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=True) | models.Q(status="sent"),
                name="capacity_recommendation_case_when_sent",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Recommendation, %(round)s") % {"round": self.round})

    def get_absolute_url(self) -> str:
        return reverse("capacity:recommendation_detail", args=[self.round_id])

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def criteria(self) -> list[tuple[str, str]]:
        """The mandate's criteria with what the network wrote on each, in the mandate's order."""
        return [
            (str(field.verbose_name), getattr(self, field.name))
            for field in (
                self._meta.get_field(name) for name in ("competence", "preparedness", "sustainability", "travel")
            )
            if isinstance(field, models.Field)
        ]


class ApiToken(NamedKey):
    """A trust's key for the capacity API (``core.models.HashedKey``: only its hash is stored).

    Keys issued before the key type was added have no ``prefix``; they work as before.
    """

    key_type = "fncap_"

    trust = models.ForeignKey(HealthTrust, models.CASCADE, related_name="capacity_tokens", verbose_name=_("trust"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.trust} – {self.name}"


class CapacityChange(models.Model):
    """One write to a table the capacity pages' kept figures are read from (``capacity.freshness``).

    A row is inserted in the same transaction as the write, so it becomes visible exactly when the write does; the
    sum of ``weight`` is the freshness key the figures a worker keeps are compared with (``core.freshness``).
    Inserts take no lock that other writers wait for (a counter row updated by every writer would serialise them
    until commit). Rows are folded into one now and then, keeping the sum."""

    # Bookkeeping no one reads (not in the admin, no form): Django's default names, no texts to translate.
    weight = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"+{self.weight}"


def entry_field(name: str) -> "models.Field[Any, Any]":
    """A field of ``CapacityEntry`` by name (for its label and help text)."""
    field = CapacityEntry._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise LookupError(name)
    return field


# Situation reports live in their own module; imported here so Django registers them with the app.
from fagnett.capacity.situation_models import SituationLine as SituationLine  # noqa: E402
from fagnett.capacity.situation_models import SituationReport as SituationReport  # noqa: E402
