"""Events across networks: a regional seminar, a dialogue meeting for all secretaries, a course.

One event has one invitation (a calendar entry with a stable UID) to everyone appointed in the chosen
networks in the chosen roles, and one registration per person. When the capacity is reached new
registrations go on a waiting list, and the first on it moves up when someone cancels.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField, FreeURLField
from fagnett.networks.models import AppointmentRole, Network
from fagnett.organisations.models import HealthTrust, Region


class Audience(models.TextChoices):
    """Who in the chosen networks is invited."""

    EVERYONE = "everyone", _("Everyone appointed")
    LEADERS = "leaders", _("Leaders only")
    SECRETARIES = "secretaries", _("Secretaries only")
    LEADERS_AND_SECRETARIES = "leaders_and_secretaries", _("Leaders and secretaries")


#: the appointment roles each audience invites
AUDIENCE_ROLES: dict[str, frozenset[str]] = {
    Audience.EVERYONE: frozenset(AppointmentRole.values),
    Audience.LEADERS: frozenset({AppointmentRole.LEADER}),
    Audience.SECRETARIES: frozenset({AppointmentRole.SECRETARY}),
    Audience.LEADERS_AND_SECRETARIES: frozenset({AppointmentRole.LEADER, AppointmentRole.SECRETARY}),
}


class Event(VersionedModel):
    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("Seminar")
        DIALOGUE_MEETING = "dialogue_meeting", _("Dialogue meeting")
        COURSE = "course", _("Course")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        INVITED = "invited", _("Invitations sent")
        CANCELLED = "cancelled", _("Cancelled")

    #: The colour of each phase's tag (components/status_tag.html): the statuses, and "held" once past.
    PHASE_COLORS: ClassVar[dict[str, str]] = {
        Status.PLANNED: "info",
        Status.INVITED: "success",
        Status.CANCELLED: "danger",
        "held": "neutral",
    }

    region = models.ForeignKey(Region, models.PROTECT, related_name="events", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SEMINAR)
    title = FreeCharField(_("title"), max_length=200)
    description = FreeTextField(_("description"), blank=True, help_text=_("The programme and practical information."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = FreeCharField(_("place"), max_length=300, blank=True)
    video_link = FreeURLField(_("video link"), max_length=500, blank=True)
    registration_deadline = models.DateField(
        _("registration deadline"), help_text=_("The last day to register or cancel a registration.")
    )
    capacity = models.PositiveIntegerField(
        _("places"),
        validators=[MinValueValidator(1)],
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit. When full, a waiting list opens."),
    )
    networks = models.ManyToManyField(
        Network,
        related_name="events",
        verbose_name=_("networks invited"),
        help_text=_("Councils and working groups too."),
    )
    audience = models.CharField(
        _("who is invited"), max_length=30, choices=Audience.choices, default=Audience.LEADERS_AND_SECRETARIES
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    uid = models.UUIDField(_("calendar id"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    invitation_sent_at = models.DateTimeField(_("invitations sent"), null=True, blank=True, editable=False)
    changed_since_invitation = models.BooleanField(
        _("changed since the invitations were sent"), default=False, editable=False
    )
    cancel_reason = FreeTextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[networks])

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start")
        ]
        indexes = [models.Index(fields=["region", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if (
            self.starts_at
            and self.registration_deadline
            and self.registration_deadline > timezone.localtime(self.starts_at).date()
        ):
            errors["registration_deadline"] = _("The registration deadline must be on or before the first day.")
        if not self.place and not self.video_link:
            errors["place"] = _("Give the place, a video link, or both.")
        if errors:
            raise ValidationError(errors)

    @property
    def roles(self) -> frozenset[str]:
        """The appointment roles invited."""
        return AUDIENCE_ROLES[self.audience]

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def registration_open(self) -> bool:
        return (
            self.status == self.Status.INVITED
            and timezone.localdate() <= self.registration_deadline
            and self.starts_at > timezone.now()
        )

    @property
    def phase(self) -> str:
        """The status as people see it: a past event that was not cancelled has been held."""
        if self.is_cancelled:
            return "cancelled"
        if self.is_past:
            return "held"
        return self.status

    @property
    def phase_label(self) -> str:
        if self.phase == "held":
            return str(_("Held"))
        return str(self.get_status_display())


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, models.CASCADE, related_name="registrations", verbose_name=_("event"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="event_registrations", verbose_name=_("person")
    )
    network = models.ForeignKey(
        Network,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comes from network"),
    )
    trust = models.ForeignKey(
        HealthTrust, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("health trust")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    comment = FreeTextField(_("comment"), blank=True, help_text=_("For example dietary needs."))
    #: when the person last registered: the order of the waiting list
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "registered_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="registration_once_per_person")]
        indexes = [models.Index(fields=["event", "status", "registered_at"])]

    def __str__(self) -> str:
        return f"{self.person} – {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED
