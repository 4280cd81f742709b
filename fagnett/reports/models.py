"""Annual reports: each network's report for a year, and the region's report compiled from them.

The numbers a record knows (meetings, cases, procedures, …) are never typed: they are computed by
``statistics`` while a report is a draft and frozen into ``facts`` / ``statistics`` when it is submitted or
approved, so an approved report says the same thing forever even when the records change afterwards.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField
from fagnett.networks.models import Network, TaskListItem
from fagnett.organisations.models import Region
from fagnett.topics.models import Topic

#: How many of the mandate's tasks a network ranks as its most central of the year.
RANKED_TASKS = 3


class ReflectionPoint(models.Model):
    """A standard answer to "what worked well" or "what should improve", counted across the region's reports."""

    class Kind(models.TextChoices):
        WORKED_WELL = "worked_well", _("Worked well")
        IMPROVE = "improve", _("To improve")

    region = models.ForeignKey(Region, models.CASCADE, related_name="reflection_points", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = FreeCharField(_("text"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["region", "kind", "order", "title"]
        verbose_name = _("standard answer")
        verbose_name_plural = _("standard answers")
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "title"], name="reflectionpoint_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class NetworkReport(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.DRAFT: "warning",
        Status.SUBMITTED: "info",
        Status.ACCEPTED: "success",
    }

    network = models.ForeignKey(Network, models.PROTECT, related_name="annual_reports", verbose_name=_("network"))
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    registry_data_reviewed = models.BooleanField(
        _("quality-registry, health-atlas or other data reviewed"),
        null=True,
        help_text=_(
            "Were results from medical quality registries, the health atlas or other data sources in the field "
            "reviewed in the network as a basis for quality improvement?"
        ),
    )
    registry_data_note = FreeTextField(_("which data, and what came of it"), blank=True)
    central_work = FreeTextField(
        _("the year's central work"),
        blank=True,
        help_text=_("A few sentences on the cases and tasks that took most of the network's time."),
    )
    worked_well_points = models.ManyToManyField(
        ReflectionPoint, blank=True, related_name="+", verbose_name=_("what worked well")
    )
    worked_well = FreeTextField(_("what worked well, in your own words"), blank=True)
    improve_points = models.ManyToManyField(ReflectionPoint, blank=True, related_name="+", verbose_name=_("to improve"))
    improve = FreeTextField(_("what should improve, in your own words"), blank=True)
    priorities = FreeTextField(_("priorities for next year"), blank=True)
    # The table was made when the relation was declared on Topic; kept, so no data moves.
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="network_reports",
        verbose_name=_("topics"),
        db_table="topics_topic_network_reports",
    )
    #: what the records said when the report was submitted (``statistics.network_facts``); empty while a draft
    facts = models.JSONField(_("figures from the records"), default=dict, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("accepted by")
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    returned_reason = FreeTextField(_("why it was sent back"), blank=True)

    history = HistoricalRecords(m2m_fields=[worked_well_points, improve_points])

    class Meta:
        ordering = ["network__name", "-year"]
        verbose_name = _("network annual report")
        verbose_name_plural = _("network annual reports")
        constraints = [models.UniqueConstraint(fields=["network", "year"], name="networkreport_one_per_year")]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.network} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("reports:network_report", args=[self.network_id, self.year])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


#: the network reports that count in the regional report and its figures: submitted, or accepted after that
COUNTED_REPORT_STATUSES = (NetworkReport.Status.SUBMITTED, NetworkReport.Status.ACCEPTED)


class TaskRanking(models.Model):
    """One of the network's most central tasks of the year: rank 1 is the most central."""

    report = models.ForeignKey(NetworkReport, models.CASCADE, related_name="rankings", verbose_name=_("report"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    task = models.ForeignKey(TaskListItem, models.PROTECT, related_name="+", verbose_name=_("task"))

    class Meta:
        ordering = ["report", "rank"]
        verbose_name = _("ranked task")
        verbose_name_plural = _("ranked tasks")
        constraints = [
            models.UniqueConstraint(fields=["report", "rank"], name="taskranking_unique_rank"),
            models.UniqueConstraint(fields=["report", "task"], name="taskranking_unique_task"),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1, rank__lte=RANKED_TASKS), name="taskranking_rank_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.task}"


def approved_file_path(instance: object, filename: str) -> str:
    """The storage names of the approved files before they moved to core.kept (migration 0005 refers to it)."""
    return f"reports/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class RegionalReport(VersionedModel):
    """The region's annual report for a year. An approved version is locked; changes go into a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {Status.DRAFT: "warning", Status.APPROVED: "success"}

    region = models.ForeignKey(Region, models.PROTECT, related_name="annual_reports", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    introduction = FreeTextField(_("introduction"), blank=True)
    status_text = FreeTextField(
        _("status of the networks"),
        blank=True,
        help_text=_("Changes to the networks this year, and anything the table of networks does not say."),
    )
    activities = FreeTextField(_("meetings and activities"), blank=True)
    central_work = FreeTextField(_("central cases and tasks"), blank=True)
    priorities = FreeTextField(_("priorities for next year"), blank=True)
    support = FreeTextField(_("support from the regional health authority"), blank=True)
    summary = FreeTextField(_("summary"), blank=True)
    approved_by_body = FreeCharField(
        _("approved by"),
        max_length=200,
        blank=True,
        help_text=_("For example the regional medical directors' network."),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval recorded by"),
    )
    #: the figures, tables and appendices as they stood when the version was approved; empty while a draft
    statistics = models.JSONField(_("statistics"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The PDF and DOCX made at approval are kept by core.kept (KeptFile), with their checksums.

    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "-year", "-version"]
        verbose_name = _("regional annual report")
        verbose_name_plural = _("regional annual reports")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "version"], name="regionalreport_unique_version"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_on__isnull=False),
                name="regionalreport_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reports:regional_report", args=[self.region_id, self.year]) + f"?version={self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


NARRATIVE_FIELDS = ("introduction", "status_text", "activities", "central_work", "priorities", "support", "summary")


class StatisticsChange(models.Model):
    """One write to a table the annual report's statistics are computed from (``reports.freshness``).

    A row is inserted in the same transaction as the write, so it becomes visible exactly when the write does; the
    sum of ``weight`` is the freshness key a cached ``StatisticsSnapshot`` is compared with. Inserts take no lock
    that other writers wait for (a counter row updated by every writer would serialise them until commit). Rows are
    folded into one now and then, keeping the sum."""

    weight = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("statistics change")
        verbose_name_plural = _("statistics changes")

    def __str__(self) -> str:
        return f"+{self.weight}"


class StatisticsSnapshot(models.Model):
    """A draft annual report's statistics for (region, year), computed once and kept while the key says nothing
    they are computed from has changed since (``reports.freshness``)."""

    region = models.ForeignKey(Region, models.CASCADE, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    #: the freshness key (the sum of ``StatisticsChange.weight``) read before the statistics were computed
    version = models.BigIntegerField(_("version"))
    #: names this computation, for the workers' own copies in memory (a random value never comes back, even when a
    #: transaction is rolled back and the key takes an earlier value again)
    token = models.CharField(max_length=32)
    statistics = models.JSONField(_("statistics"), default=dict)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("cached report statistics")
        verbose_name_plural = _("cached report statistics")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="statisticssnapshot_one_per_year")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} @{self.version}"
