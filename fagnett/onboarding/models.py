"""A region's imports: what each one read, what it created and changed, and whether it was undone.

An import is first a preview (``status = preview``): the uploaded files are kept (``StagedFile``) until the
coordinator confirms or discards it, and nothing else is saved. Confirming imports everything in one transaction and
records every object created or changed (``ImportedObject``), so the coordinator sees what came in and can undo it.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fagnett.core.models import FreeCharField
from fagnett.core.uploads import random_upload_path
from fagnett.onboarding.schema import KINDS, SHEETS
from fagnett.organisations.models import Region

#: what an uploaded file is: a template of one of the kinds, or the ZIP of a region's export
FILE_KINDS = [*((code, kind.title) for code, kind in KINDS.items()), ("export", _("Export from Fagnett"))]
SHEET_CHOICES = [(code, sheet.title) for code, sheet in SHEETS.items()]


class RegionImport(models.Model):
    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        #: confirmed and waiting for (or being carried out by) its background job; back to preview if the job fails
        QUEUED = "queued", _("Being imported")
        DONE = "done", _("Imported")
        UNDONE = "undone", _("Undone")

    region = models.ForeignKey(Region, models.PROTECT, related_name="imports", verbose_name=_("region"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    #: the files read: [{"kind", "name", "sha256", "size"}]
    files = models.JSONField(_("files"), default=list, editable=False)
    #: what the preview found: {"counts": {sheet: {created, changed, unchanged}}, "rows": {sheet: [...]}}
    preview = models.JSONField(_("preview"), default=dict, editable=False)
    #: what the import did: {sheet: {"created": n, "changed": n, "unchanged": n}}
    counts = models.JSONField(_("counts"), default=dict, editable=False)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("undone by")
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return _("Import %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("onboarding:import_detail", args=[self.region_id, self.pk])

    @property
    def change_reason(self) -> str:
        """What the history of every row the import writes (and its undoing deletes) says."""
        return str(
            _("Import %(number)s (%(files)s)")
            % {
                "number": self.pk,
                "files": ", ".join(f["name"] for f in self.files),
            }
        )[:100]


class StagedFile(models.Model):
    """An uploaded file between the preview and the confirmation; deleted when the import is confirmed or dropped."""

    region_import = models.ForeignKey(
        RegionImport, models.CASCADE, related_name="staged_files", verbose_name=_("import")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FILE_KINDS)
    name = FreeCharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=random_upload_path, max_length=300)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return self.name


class ImportedObject(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")

    region_import = models.ForeignKey(
        RegionImport, models.CASCADE, related_name="imported_objects", verbose_name=_("import")
    )
    sheet = models.CharField(_("sheet"), max_length=30, choices=SHEET_CHOICES)
    row = models.PositiveIntegerField(_("row"))
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    #: what the object was called when it was imported
    label = FreeCharField(_("name"), max_length=300)
    #: for a change: the fields' values before the import and the values it wrote (attribute name → JSON value)
    before = models.JSONField(default=dict, editable=False)
    after = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["region_import", "pk"]
        verbose_name = _("imported object")
        verbose_name_plural = _("imported objects")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.label

    @property
    def kind_label(self) -> str:
        """What kind of record it is, in words ("health trust", "person")."""
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model is not None else self.content_type.model
