"""Regional clinical procedures and standardised patient pathways, with their dated lifecycle.

Every change of status is a ``StatusEvent`` with the date it happened, so the work of a year (started,
revised, completed) is counted from the events rather than from the procedures' current state.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField, FreeURLField
from fagnett.networks.models import Network


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    IN_PROGRESS = "in_progress", _("In progress")
    PUBLISHED = "published", _("Published")
    UNDER_REVISION = "under_revision", _("Under revision")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: the statuses a procedure may move to from each status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PROPOSED: (Status.IN_PROGRESS, Status.WITHDRAWN),
    Status.IN_PROGRESS: (Status.PUBLISHED, Status.WITHDRAWN),
    Status.PUBLISHED: (Status.UNDER_REVISION, Status.WITHDRAWN),
    Status.UNDER_REVISION: (Status.PUBLISHED, Status.WITHDRAWN),
    Status.WITHDRAWN: (Status.PROPOSED, Status.IN_PROGRESS),
}

#: The colour of each status's tag (components/status_tag.html), for a procedure and for its dated changes.
STATUS_COLORS: dict[str, str] = {
    Status.PROPOSED: "info",
    Status.IN_PROGRESS: "info",
    Status.PUBLISHED: "success",
    Status.UNDER_REVISION: "warning",
    Status.WITHDRAWN: "neutral",
}


class Procedure(VersionedModel):
    class Kind(models.TextChoices):
        PROCEDURE = "procedure", _("Regional clinical procedure")
        PATHWAY = "pathway", _("Standardised patient pathway")

    STATUS_COLORS: ClassVar[dict[str, str]] = STATUS_COLORS

    network = models.ForeignKey(Network, models.PROTECT, related_name="procedures", verbose_name=_("network"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PROCEDURE)
    title = FreeCharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    url = FreeURLField(
        _("link to the document"),
        max_length=500,
        blank=True,
        help_text=_("Where the document lives, for example in the document system or on the web."),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_procedures",
        verbose_name=_("responsible person"),
    )
    review_date = models.DateField(
        _("review date"),
        null=True,
        blank=True,
        help_text=_("The responsible person is reminded 30 days before and when the date has passed."),
    )
    description = FreeTextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["network", "title"]
        verbose_name = _("procedure or pathway")
        verbose_name_plural = _("procedures and pathways")
        indexes = [models.Index(fields=["network", "kind", "status"]), models.Index(fields=["review_date"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("procedures:detail", args=[self.pk])

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())


class StatusEvent(models.Model):
    """One dated change of a procedure's status; the lifecycle is the list of these."""

    STATUS_COLORS: ClassVar[dict[str, str]] = STATUS_COLORS

    procedure = models.ForeignKey(Procedure, models.CASCADE, related_name="events", verbose_name=_("procedure"))
    from_status = models.CharField(_("previous status"), max_length=20, choices=Status.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    happened_on = models.DateField(_("date"))
    note = FreeCharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["procedure", "happened_on", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["happened_on", "status"])]

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.status} {self.happened_on}"
