"""The regional annual report's PDF and DOCX as background jobs (``core.downloads``), and the files kept for an
approved version.

The builders are registered in ``ReportsConfig.ready()``. Each reads the report again *as its owner*
(``selectors.regional_report_for``), so a person who lost the right since asking gets a failed job, not the file.
The version is fixed when the person asks: a version made meanwhile does not change what they get.
"""

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from fagnett.accounts.models import User
from fagnett.core.downloads import Built, DownloadRefused, Progress
from fagnett.reports import document, exports, statistics
from fagnett.reports.models import NetworkReport, RegionalReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"pdf": "application/pdf", "docx": DOCX}
KINDS = {"pdf": "reports.regional_pdf", "docx": "reports.regional_docx"}
NETWORK_KINDS = {"pdf": "reports.network_pdf", "docx": "reports.network_docx"}

logger = logging.getLogger(__name__)


def filename(report: RegionalReport, suffix: str) -> str:
    return f"arsrapport-{report.region.short_name.lower()}-{report.year}-v{report.version}.{suffix}"


def regional_stats(report: RegionalReport) -> dict[str, Any]:
    """An approved version's frozen statistics; a draft's counted now."""
    if report.is_locked:
        return report.statistics
    return statistics.region_statistics(region=report.region, year=report.year)


def render(report: RegionalReport, fmt: str, progress: Progress | None = None) -> bytes:
    stats = regional_stats(report)
    if progress:
        progress(30)
    built = document.build(report, stats)
    if progress:
        progress(50)
    return exports.report_pdf(built) if fmt == "pdf" else exports.report_docx(built)


def _builder(fmt: str) -> Any:
    def build(owner: User, params: dict[str, Any], progress: Progress) -> Built:
        from fagnett.reports import selectors

        _region, _versions, report = selectors.regional_report_for(
            user=owner, region_id=params["region_id"], year=params["year"], version=params.get("version")
        )
        if params.get("version") is None and report.pk is not None:
            # Asked for as an unsaved preview, but a version has been saved since: that one is not what was asked.
            raise DownloadRefused(_("The report has been saved since you asked; ask for the file again."))
        progress(10)
        content = render(report, fmt, progress)
        return Built(content, filename(report, fmt), CONTENT_TYPES[fmt])

    return build


def network_filename(report: NetworkReport, suffix: str) -> str:
    return f"arsrapport-{slugify(report.network.name)}-{report.year}.{suffix}"


def render_network(report: NetworkReport, fmt: str) -> bytes:
    built = document.build_network(report)
    return exports.report_pdf(built) if fmt == "pdf" else exports.report_docx(built)


def _network_builder(fmt: str) -> Any:
    def build(owner: User, params: dict[str, Any], progress: Progress) -> Built:
        from fagnett.reports import selectors

        # Read again as the person who asked: one who lost the right since gets a failed job, not the file.
        network = selectors.report_network_get(user=owner, network_id=params["network_id"])
        report = selectors.network_report_find(network=network, year=params["year"])
        if report is None:
            raise DownloadRefused(_("The network has not started this report."))
        progress(20)
        return Built(render_network(report, fmt), network_filename(report, fmt), CONTENT_TYPES[fmt])

    return build


def register() -> None:
    from fagnett.core import downloads

    for fmt, kind in KINDS.items():
        downloads.register(kind, _builder(fmt))
    for fmt, kind in NETWORK_KINDS.items():
        downloads.register(kind, _network_builder(fmt))


def stored_file(report: RegionalReport, fmt: str) -> Any:
    """The kept file of an approved version, opened for reading; None for a draft, before the job has made it, or
    if the storage has lost it (then the person's button makes it again by an ordinary job, instead of an error)."""
    if not report.is_locked:
        return None
    field = report.approved_pdf if fmt == "pdf" else report.approved_docx
    if not field:
        return None
    try:
        return field.open("rb")
    except OSError:
        logger.warning("The kept %s of %s is missing from the storage (%s)", fmt, report, field.name)
        return None


@task()
def regional_report_store_files(report_id: int) -> None:
    """Make and keep an approved version's PDF and DOCX (enqueued when the approval is committed). Until they are
    kept, asking for the file starts an ordinary job, so a job lost here costs time, not the file."""
    report = RegionalReport.objects.select_related("region").filter(pk=report_id).first()
    if report is None or not report.is_locked:
        return
    for fmt in ("pdf", "docx"):
        field = report.approved_pdf if fmt == "pdf" else report.approved_docx
        kept = field.name or ""
        if kept and field.storage.exists(kept):
            continue
        field.save(filename(report, fmt), ContentFile(render(report, fmt)), save=False)
        # Only this column: the report itself is locked and its lock_version must not move.
        updated = RegionalReport.objects.filter(pk=report.pk, **{f"approved_{fmt}": kept}).update(
            **{f"approved_{fmt}": field.name}
        )
        if not updated and field.name:  # another job kept one first
            field.storage.delete(field.name)


def store_files_on_commit(report: RegionalReport) -> None:
    report_id = report.pk
    transaction.on_commit(lambda: regional_report_store_files.enqueue(report_id))
