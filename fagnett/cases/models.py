"""Cases (saker): submitted by anyone, routed to a network, followed from receipt to outcome.

A case is numbered per network and year from a counter row that is locked while the number is taken; its
reference, the number people say and write, starts with the network's code (``ANI-2026/014``), is stored when
the number is given (so it stays if the code is changed later) and is unique in the region.

Every step is a ``CaseEvent`` on the case's timeline; a common case (felles sak) is one question the region
sends to many networks, each network answering through a case of its own.
"""

import datetime
import os
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Region
from fagnett.topics.models import Topic


class EscalationTarget(models.TextChoices):
    MEDICAL_DIRECTOR = "medical_director", _("The medical director")
    HEADS_MEETING = "heads_meeting", _("The trusts' heads' meeting (fagsjefmøtet)")


class CommonCase(models.Model):
    """One question the region sends to all or chosen networks; each network answers in its own case."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="common_cases", verbose_name=_("region"))
    title = FreeCharField(_("title"), max_length=200)
    description = FreeTextField(_("description"))
    wanted = FreeTextField(_("what is wanted"), blank=True)
    due_date = models.DateField(_("answer wanted by"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("common case")
        verbose_name_plural = _("common cases")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:common_detail", args=[self.pk])


def case_reference(code: str, year: int, number: int) -> str:
    """The case number as people say and write it: the network's code, the year and the number, ``ANI-2026/014``."""
    return f"{code}-{year}/{number:03d}"


class CaseCounter(models.Model):
    """The last case number given in a network in a year; locked while the next number is taken."""

    network = models.ForeignKey(Network, models.CASCADE, related_name="+", verbose_name=_("network"))
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case counter")
        verbose_name_plural = _("case counters")
        constraints = [models.UniqueConstraint(fields=["network", "year"], name="casecounter_unique_network_year")]

    def __str__(self) -> str:
        return f"{self.network} {self.year}: {self.last_number}"


class Case(VersionedModel):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_AGENDA = "on_agenda", _("On an agenda")
        RECOMMENDATION_GIVEN = "recommendation_given", _("Recommendation given")
        ESCALATED = "escalated", _("Escalated")
        DECISION_RECORDED = "decision_recorded", _("Decision recorded")
        CLOSED = "closed", _("Closed")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.RECEIVED: "info",
        Status.ACCEPTED: "info",
        Status.IN_PROGRESS: "warning",
        Status.ON_AGENDA: "warning",
        Status.RECOMMENDATION_GIVEN: "success",
        Status.ESCALATED: "danger",
        Status.DECISION_RECORDED: "success",
        Status.DECLINED: "neutral",
        Status.CLOSED: "neutral",
    }

    class Source(models.TextChoices):
        EMPLOYEE = "employee", _("Submitted by an employee")
        TRUST = "trust", _("Proposed by a health trust")
        RHF_TASK = "rhf_task", _("Task from the region (oppdrag)")
        NETWORK = "network", _("The network's own case")
        COMMON = "common", _("Common case")

    region = models.ForeignKey(Region, models.PROTECT, related_name="cases", verbose_name=_("region"))
    network = models.ForeignKey(
        Network,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("network"),
        help_text=_("Empty until the regional coordinator routes the case."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    reference = models.CharField(_("case number"), max_length=20, blank=True, editable=False)
    title = FreeCharField(_("title"), max_length=200)
    description = FreeTextField(_("description"))
    wanted = FreeTextField(_("what is wanted"))
    due_date = models.DateField(_("answer wanted by"), null=True, blank=True)
    trust = models.ForeignKey(
        HealthTrust,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("health trust"),
        help_text=_("The health trust the case comes from."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.EMPLOYEE)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.RECEIVED)
    common_case = models.ForeignKey(
        CommonCase,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("common case"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="cases_submitted", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_responsible",
        verbose_name=_("responsible"),
        help_text=_("The person in the network who follows the case up."),
    )
    decline_reason = FreeTextField(_("reason for declining"), blank=True)
    routing_note = FreeTextField(
        _("note to the network"),
        blank=True,
        help_text=_("The regional coordinator's note to the network the case was routed to."),
    )
    # The table was made when the relation was declared on Topic; kept, so no data moves.
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="cases", verbose_name=_("topics"), db_table="topics_topic_cases"
    )
    recommendation = FreeTextField(_("recommendation"), blank=True)
    consensus = models.BooleanField(_("consensus"), null=True, blank=True)
    other_view = FreeTextField(
        _("other view"), blank=True, help_text=_("The view of those who disagree, when there is no consensus.")
    )
    escalated_to = models.CharField(_("escalated to"), max_length=30, choices=EscalationTarget.choices, blank=True)
    decision = FreeTextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="case_decisions",
        verbose_name=_("decision recorded by"),
    )
    decided_at = models.DateTimeField(_("decision recorded"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "year", "number"],
                condition=models.Q(number__isnull=False),
                name="case_unique_number_per_network_year",
            ),
            models.UniqueConstraint(
                fields=["region", "reference"],
                condition=~models.Q(reference=""),
                name="case_unique_reference_per_region",
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True, reference="")
                | (models.Q(number__isnull=False) & ~models.Q(reference="")),
                name="case_reference_with_number",
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(network__isnull=False),
                name="case_number_needs_network",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="case_decline_needs_reason",
            ),
        ]
        indexes = [
            # The start page's counts (issue 23): a region's open cases past their due date, and the person's own
            # open cases, each read from the index alone (before, the heap rows of all of a region's open cases, or
            # of all the person's cases, were read to count a few of them).
            models.Index(fields=["region", "status", "due_date"], name="case_region_status_due"),
            models.Index(fields=["network", "status"]),
            models.Index(fields=["submitted_by", "status"], name="case_submitter_status"),
            # The case lists (issue 23): newest first by (submitted_at, id), read backwards from a keyset cursor; the
            # same within a year (the year filter); and the count and the years of a region's cases.
            models.Index(fields=["submitted_at", "id"], name="case_submitted_keyset"),
            models.Index(fields=["year", "submitted_at", "id"], name="case_year_keyset"),
            models.Index(fields=["region", "year", "status"], name="case_region_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    def save(self, *args: object, **kwargs: object) -> None:
        if self.number and not self.reference and self.network is not None:
            self.reference = case_reference(self.network.ensure_code(), self.year, self.number)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "reference"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def is_overdue(self, today: datetime.date) -> bool:
        return self.due_date is not None and self.due_date < today and self.status in OPEN_STATUSES


#: The network still owes an answer while a case is in one of these.
OPEN_STATUSES = frozenset({Case.Status.RECEIVED, Case.Status.ACCEPTED, Case.Status.IN_PROGRESS, Case.Status.ON_AGENDA})
#: A network's answer exists once a case has reached one of these.
ANSWERED_STATUSES = frozenset(
    {
        Case.Status.RECOMMENDATION_GIVEN,
        Case.Status.ESCALATED,
        Case.Status.DECISION_RECORDED,
        Case.Status.CLOSED,
    }
)


class CaseEvent(models.Model):
    """One step on a case's timeline: who did what, when."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ROUTED = "routed", _("Routed to a network")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        STARTED = "started", _("Work started")
        ON_AGENDA = "on_agenda", _("Put on an agenda")
        RECOMMENDED = "recommended", _("Recommendation given")
        ESCALATED = "escalated", _("Escalated")
        DECIDED = "decided", _("Decision recorded")
        CLOSED = "closed", _("Closed")
        COMMENTED = "commented", _("Comment")
        ATTACHED = "attached", _("Attachment added")
        RESPONSIBLE = "responsible", _("Responsible person set")
        CONSULTATION = "consultation", _("Consultation recorded")
        SCHEDULE = "schedule", _("Reporting schedule set")
        PROGRESS = "progress", _("Progress reported")

    case = models.ForeignKey(Case, models.CASCADE, related_name="events", verbose_name=_("case"))
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("who"))
    at = models.DateTimeField(_("when"))
    text = FreeTextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()}"


def attachment_path(instance: "CaseAttachment", filename: str) -> str:
    """A random name that reveals nothing of the original, keeping only a known extension."""
    extension = os.path.splitext(filename)[1].lower()
    return f"cases/{uuid.uuid4().hex}{extension}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments", verbose_name=_("case"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = FreeCharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Consultation(VersionedModel):
    """Whether user involvement was considered and the safety service and union representatives consulted.

    The ICU leaders' mandate (seed 004, 2.2.1) asks for user involvement to be considered in cases that matter
    for patients and relatives, and for the safety service (verneombud) and the union representatives
    (tillitsvalgte) to be consulted in cases that matter for employees. One row per case and kind; a case gets
    no recommendation while a kind is required and open, or not yet assessed.
    """

    class Kind(models.TextChoices):
        USER_INVOLVEMENT = "user_involvement", _("User involvement")
        SAFETY_SERVICE = "safety_service", _("Safety service (verneombud)")
        UNION_REPRESENTATIVES = "union_representatives", _("Union representatives (tillitsvalgte)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    case = models.ForeignKey(Case, models.CASCADE, related_name="consultations", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    required = models.BooleanField(_("required"))
    not_required_reason = FreeTextField(
        _("why it is not required"), blank=True, help_text=_("Required when the consultation is not required.")
    )
    # A consultation assessed as not required needs nothing more, so the service stores it as done.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    consulted_on = models.DateField(_("date"), null=True, blank=True)
    consulted = FreeCharField(_("who was consulted"), max_length=300, blank=True)
    outcome = FreeTextField(_("what came of it"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "kind"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="consultation_unique_case_kind"),
            models.CheckConstraint(
                condition=models.Q(required=True) | ~models.Q(not_required_reason=""),
                name="consultation_not_required_needs_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(required=True, status="done")
                | (models.Q(consulted_on__isnull=False) & ~models.Q(consulted="")),
                name="consultation_done_needs_date_and_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        """Required and not yet done: the case cannot get its recommendation."""
        return self.required and self.status == self.Status.OPEN
