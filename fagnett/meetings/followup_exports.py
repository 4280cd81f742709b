"""The network's follow-up register as CSV and Excel: one row per action item, with the register's filters."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fagnett.core.spreadsheet import Column, Sheet, write_csv, write_xlsx
from fagnett.meetings.models import ActionItem
from fagnett.networks.models import Network

#: The most rows one file holds. A network gives a few dozen action items a year; a longer register is refused with
#: a message, not written in part.
MAX_ROWS = 20_000


def _headers() -> list[str]:
    return [
        _("Action"),
        _("Owner"),
        _("Due"),
        _("Status"),
        _("From meeting"),
        _("Case"),
        _("Done"),
        _("Closed by"),
        _("What was done"),
    ]


def _status(item: ActionItem) -> str:
    return _("Overdue") if item.is_overdue else str(item.get_status_display())


def _rows(items: Iterable[ActionItem]) -> Iterator[list[Any]]:
    """Items marked for the person (``selectors.followup_mark``): an item of a case they may not read shows its
    number and nothing written on it, as on the page."""
    for item in items:
        withheld = item.withholds_case
        yield [
            item.display_title,
            str(item.owner),
            item.due_date,
            _status(item),
            timezone.localtime(item.meeting.starts_at).date() if item.meeting else None,
            item.case.reference if item.case else "",
            timezone.localtime(item.done_at).date() if item.done_at else None,
            str(item.done_by) if item.done_by else "",
            "" if withheld else item.done_note,
        ]


def _csv_rows(items: Iterable[ActionItem]) -> Iterator[list[Any]]:
    for row in _rows(items):
        yield [formats.date_format(v, "SHORT_DATE_FORMAT") if hasattr(v, "isoformat") else v for v in row]


def followup_csv(items: Iterable[ActionItem]) -> str:
    """Semicolon-separated, as Norwegian Excel expects, with a BOM so Excel reads it as UTF-8."""
    return write_csv(_headers(), _csv_rows(items), max_rows=MAX_ROWS)


def followup_xlsx(network: Network, items: Iterable[ActionItem]) -> bytes:
    widths = (44, 24, 12, 12, 14, 12, 12, 24, 60)
    dates = {2, 4, 6}
    columns = [
        Column(header, width, number_format="dd.mm.yyyy" if index in dates else None, wrap=index in (0, 8))
        for index, (header, width) in enumerate(zip(_headers(), widths, strict=True))
    ]
    sheet = Sheet(_("Follow-up register"), columns, _rows(items))
    return write_xlsx([sheet], max_rows=MAX_ROWS, title=f"{_('Follow-up register')}: {network.name}")
