"""The record of a merge: two records of one person became one (``people.merge``).

The record merged away stays, deactivated, so that history and the rows that were not moved still name someone;
this row marks it merged and says into which record, by whom, when and what moved.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.organisations.models import Region


class PersonMerge(models.Model):
    kept = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="merged_records", verbose_name=_("kept record")
    )
    merged = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="merge", verbose_name=_("merged record")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("merged by")
    )
    merged_at = models.DateTimeField(_("merged"), default=timezone.now)
    #: "app_label.Model.field" → {"moved": n, "dropped": n}: what moved to the kept record, and which rows the kept
    #: record already had (dropped as duplicates).
    moved = models.JSONField(_("what moved"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of two records")
        constraints = [
            models.CheckConstraint(condition=~models.Q(kept=models.F("merged")), name="personmerge_not_into_itself")
        ]

    def __str__(self) -> str:
        return f"{self.merged} → {self.kept}"
