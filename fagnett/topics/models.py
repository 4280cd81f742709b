"""Topics: the region's list of subjects that cases, agenda items and annual reports are tagged with.

A vocabulary below the apps that use it: the relations are declared on the tagged models (``Case.topics``,
``AgendaItem.topics``, ``NetworkReport.topics``), so topics imports none of them. The tables are still the ones
first made here (``topics_topic_cases``, ``topics_topic_agenda_items``, ``topics_topic_network_reports``); the
reverse names are ``topic.cases``, ``topic.agenda_items`` and ``topic.network_reports``.
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

    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        ordering = ["region", "order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="topic_unique_name_per_region")]

    def __str__(self) -> str:
        return self.name
