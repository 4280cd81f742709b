"""Progress on the tasks the region assigns (oppdrag): a reporting schedule and the leader's reports.

The ICU leaders' mandate (seed 004, 2.2.2) makes the network's leader report to the medical director on
activity and goal attainment for each task. The schedule is set when the task is assigned; each report says
where the work stands, with its risks and next steps. The next report is due one interval after the last one.
"""

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from fagnett.cases.models import Case
from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeTextField


class ReportingSchedule(VersionedModel):
    """How often the network reports progress on a task, and when the first report is due."""

    class Unit(models.TextChoices):
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")

    #: the longest interval of each unit: reporting less than once a year is no schedule
    MAX_INTERVAL = {Unit.WEEKS: 52, Unit.MONTHS: 12}

    case = models.OneToOneField(Case, models.CASCADE, related_name="reporting_schedule", verbose_name=_("task"))
    interval = models.PositiveSmallIntegerField(_("report every"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.MONTHS)
    first_due = models.DateField(_("first report due"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")
        constraints = [
            models.CheckConstraint(condition=models.Q(interval__gte=1), name="reportingschedule_interval_positive")
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.interval_text}"

    @property
    def interval_text(self) -> str:
        """How often, in words: "every month", "every 3 months", "every 2 weeks"."""
        if self.unit == self.Unit.WEEKS:
            return ngettext("every week", "every %(count)s weeks", self.interval) % {"count": self.interval}
        return ngettext("every month", "every %(count)s months", self.interval) % {"count": self.interval}


class ProgressReport(models.Model):
    """The leader's report to the medical director on one task: status, progress, risks and next steps."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        DELAYED = "delayed", _("Delayed")
        DONE = "done", _("Done")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.ON_TRACK: "success",
        Status.AT_RISK: "warning",
        Status.DELAYED: "danger",
        Status.DONE: "info",
    }

    case = models.ForeignKey(Case, models.CASCADE, related_name="progress_reports", verbose_name=_("task"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    progress = FreeTextField(_("progress"), help_text=_("What has been done since the last report."))
    risks = FreeTextField(_("risks"), blank=True, help_text=_("What may stop the network reaching the goal."))
    next_steps = FreeTextField(_("next steps"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("reported"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        indexes = [models.Index(fields=["case", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_status_display()}"
