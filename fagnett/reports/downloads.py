"""The regional annual report's PDF and DOCX as background jobs (``core.downloads``), and the files kept for an
approved version (``core.kept``: made by its job once the approval is committed, served from then on).

The builders are registered in ``ReportsConfig.ready()``. Each reads the report again *as its owner*
(``selectors.regional_report_for``), so a person who lost the right since asking gets a failed job, not the file.
The version is fixed when the person asks: a version made meanwhile does not change what they get.
"""

from typing import Any

from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.downloads import Built, DownloadRefused, Progress
from fagnett.reports import document, exports, statistics
from fagnett.reports.models import NetworkReport, RegionalReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"pdf": "application/pdf", "docx": DOCX}
KINDS = {"pdf": "reports.regional_pdf", "docx": "reports.regional_docx"}
NETWORK_KINDS = {"pdf": "reports.network_pdf", "docx": "reports.network_docx"}


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
    from fagnett.core import downloads, kept

    for fmt, kind in KINDS.items():
        downloads.register(kind, _builder(fmt))
    for fmt, kind in NETWORK_KINDS.items():
        downloads.register(kind, _network_builder(fmt))
    # An approved version's PDF and DOCX are kept as they were made at approval (core.kept).
    kept.register(RegionalReport, kinds=tuple(KINDS), render=render_kept, url=kept_url)


def render_kept(report: RegionalReport, kind: str) -> Built:
    """The file of an approved version that ``core.kept`` keeps (made by its job, in the site's language)."""
    return Built(render(report, kind), filename(report, kind), CONTENT_TYPES[kind])


def kept_url(report: RegionalReport, kind: str) -> str:
    return reverse(f"reports:{kind}", args=[report.region_id, report.year]) + f"?version={report.version}"
