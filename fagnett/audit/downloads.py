"""The region's audit log as CSV or Excel, made by a background job (``core.downloads``): 50 000 rows take longer
than a request should. Registered in ``AuditConfig.ready()``; the builder reads the log again as its owner, with
the filters of the page the export was asked from."""

from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.audit import exports, selectors
from fagnett.audit.forms import LogFilterForm
from fagnett.core.downloads import Built, DownloadRefused, Progress
from fagnett.core.spreadsheet import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, TooManyRows, check_rows
from fagnett.organisations.models import Region

KINDS = {"csv": "audit.log_csv", "xlsx": "audit.log_xlsx"}


def filter_form(region: Region, query: str) -> LogFilterForm:
    return LogFilterForm(
        QueryDict(query) or None,
        people=selectors.log_people(region=region),
        networks=selectors.log_networks(region=region),
    )


def narrow_hint() -> str:
    return _("Choose a shorter period, one person or one network.")


def filename(region: Region, fmt: str) -> str:
    stem = slugify(f"{_('audit-log')}-{region.short_name}-{timezone.localdate():%Y-%m-%d}")
    return f"{stem}.{fmt}"


def _builder(fmt: str) -> Any:
    def build(owner: User, params: dict[str, Any], progress: Progress) -> Built:
        region = selectors.audit_region_get(user=owner, region_id=params["region_id"])
        form = filter_form(region, params.get("query", ""))
        filters = selectors.LogFilters() if not form.is_bound else form.filters() if form.is_valid() else None
        if filters is None:
            raise DownloadRefused(_("The filters of the audit log no longer hold; export again from the log."))
        try:
            check_rows(selectors.region_log(region=region, filters=filters).count(), exports.MAX_ROWS)
        except TooManyRows as refused:
            raise DownloadRefused(f"{refused.message} {narrow_hint()}") from None
        progress(5)
        entries = selectors.region_log_entries(user=owner, region=region, filters=filters)
        if fmt == "csv":
            return Built(exports.log_csv(entries).encode("utf-8"), filename(region, fmt), CSV_CONTENT_TYPE)
        title = _("Audit log, %(region)s") % {"region": region.name}
        return Built(exports.log_xlsx(entries, title=title), filename(region, fmt), XLSX_CONTENT_TYPE)

    return build


def register() -> None:
    from fagnett.core import downloads

    for fmt, kind in KINDS.items():
        downloads.register(kind, _builder(fmt))
