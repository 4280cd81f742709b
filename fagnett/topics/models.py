"""Topics: the region's list of subjects that cases, agenda items and annual reports are tagged with.

The relations are declared here, on the topic, so the tagged apps keep their own tables and migrations; a
case's topics are ``case.topics``, an agenda item's ``item.topics``, a network report's ``report.topics``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField
from fagnett.organisations.models import Region


class Topic(VersionedModel):
    region = models.ForeignKey(Region, models.CASCADE, related_name="topics", verbose_name=_("region"))
    name = FreeCharField(_("name"), max_length=100)
    description = FreeCharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Topics no longer in use stay on what they were put on.")
    )
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="topics", verbose_name=_("cases"))
    agenda_items = models.ManyToManyField(
        "meetings.AgendaItem", blank=True, related_name="topics", verbose_name=_("agenda items")
    )
    network_reports = models.ManyToManyField(
        "reports.NetworkReport", blank=True, related_name="topics", verbose_name=_("annual reports")
    )

    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        ordering = ["region", "order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="topic_unique_name_per_region")]

    def __str__(self) -> str:
        return self.name
