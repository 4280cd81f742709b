"""The approved versions' PDF and DOCX move to core.kept: a KeptFile for each stored file, with the SHA-256 and size
computed from the bytes in the storage now, the approval's history row, who recorded it and when; then the two file
columns go. The files themselves stay where they are (only their names move). A file already missing from the
storage gets no row: it was never checked, and the download makes it by a job, as it did."""

import hashlib
import logging

from django.db import migrations
from django.utils import timezone

from fagnett.core.storage import stored_file_chunks

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _checksum(storage, name):
    stored = stored_file_chunks(storage, name)
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in stored.chunks:
            digest.update(chunk)
            size += len(chunk)
    finally:
        stored.close()
    return digest.hexdigest(), size


def forwards(apps, schema_editor):
    RegionalReport = apps.get_model("reports", "RegionalReport")
    Historical = apps.get_model("reports", "HistoricalRegionalReport")
    KeptFile = apps.get_model("core", "KeptFile")
    ContentType = apps.get_model("contenttypes", "ContentType")
    reports = RegionalReport.objects.select_related("region").exclude(approved_pdf="", approved_docx="")
    if not reports.exists():
        return
    owner_type, _created = ContentType.objects.get_or_create(app_label="reports", model="regionalreport")
    now = timezone.now()
    for report in reports:
        approval = (
            Historical.objects.filter(id=report.pk, status="approved").order_by("history_date", "history_id").first()
        )
        approved_at = approval.history_date if approval is not None else now
        for kind in ("pdf", "docx"):
            field = getattr(report, f"approved_{kind}")
            if not field.name:
                continue
            try:
                sha256, size = _checksum(field.storage, field.name)
            except (FileNotFoundError, OSError):
                logger.warning("The kept %s of regional report %s is missing (%s)", kind, report.pk, field.name)
                continue
            KeptFile.objects.create(
                owner_type=owner_type,
                owner_id=report.pk,
                round=1,
                kind=kind,
                state="kept",
                file=field.name,
                filename=f"arsrapport-{report.region.short_name.lower()}-{report.year}-v{report.version}.{kind}",
                content_type=CONTENT_TYPES[kind],
                size=size,
                sha256=sha256,
                history_id=approval.history_id if approval is not None else None,
                approved_by_id=report.approval_recorded_by_id,
                approved_at=approved_at,
                kept_at=now,
            )


def backwards(apps, schema_editor):
    RegionalReport = apps.get_model("reports", "RegionalReport")
    KeptFile = apps.get_model("core", "KeptFile")
    ContentType = apps.get_model("contenttypes", "ContentType")
    owner_type = ContentType.objects.filter(app_label="reports", model="regionalreport").first()
    if owner_type is None:
        return
    kept = KeptFile.objects.filter(owner_type=owner_type, state="kept").order_by("owner_id", "-round")
    for row in kept:
        RegionalReport.objects.filter(pk=row.owner_id, **{f"approved_{row.kind}": ""}).update(
            **{f"approved_{row.kind}": row.file}
        )
    KeptFile.objects.filter(owner_type=owner_type).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_kept_file"),
        ("reports", "0005_approved_files"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="historicalregionalreport", name="approved_docx"),
        migrations.RemoveField(model_name="historicalregionalreport", name="approved_pdf"),
        migrations.RemoveField(model_name="regionalreport", name="approved_docx"),
        migrations.RemoveField(model_name="regionalreport", name="approved_pdf"),
    ]
