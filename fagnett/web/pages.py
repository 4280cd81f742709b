"""What the start page's panels list, written in Python once per request (issue 23).

The lists are short (five action items, five meetings, what waits "For you", the region panel's six numbers, a
coordinator's dozen expiring mandates), but through the template engine each row costs a node, a lookup, a
lazy-aware escape per value and a translation or a date format per row: the action items' five rows alone cost
0.4 ms. Here each row is ``core.rows.RowMarkup``, the labels translated once and the dates formatted with
``core.rows.date_formatter``; the start page's template prints the rows where its loops were.
"""

import datetime
from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.core.rows import RowMarkup, date_formatter
from fagnett.meetings.selectors import UpcomingMeetingRow
from fagnett.networks.selectors import ExpiringMandate
from fagnett.web.for_you import ForYou
from fagnett.web.region_state import RegionState

FOR_YOU = RowMarkup('<li data-kind="{kind}"><a class="ds-link" href="{url}">{text}</a></li>')
MEETING = RowMarkup(
    '<li><a class="ds-link" href="{url}">{starts_at}</a> – {network} <span class="muted">({form})</span></li>'
)
ACTION_ITEM = RowMarkup("<li>{title} – {due} {due_date}{overdue}</li>")
CONCERN = RowMarkup('<li><a class="ds-link" href="{url}"><strong>{count}</strong></a> {text}</li>')
EXPIRING = RowMarkup(
    '<tr><td><a class="ds-link" href="{url}">{network}</a></td><td>{period_end}</td><td>{version}</td></tr>'
)


def for_you_rows(items: Iterable[ForYou]) -> SafeString:
    """For you's items (``web.for_you``), each a link to where the work is."""
    return FOR_YOU.rows({"kind": item.kind, "url": item.url, "text": item.text} for item in items)


def meeting_rows(meetings: Iterable[UpcomingMeetingRow]) -> SafeString:
    """The upcoming meetings: when (a link to the meeting), the network, and the meeting's form in lower case."""
    when = date_formatter("MONTH_DAY_TIME_FORMAT")
    return MEETING.rows(
        {"url": m.url, "starts_at": when(m.starts_at), "network": m.network, "form": m.form.lower()} for m in meetings
    )


def action_item_rows(items: Iterable[tuple[str, datetime.date, bool]]) -> SafeString:
    """The person's first open action items, ``(title, due date, overdue)``: the title, when it is due, and a tag on
    those overdue."""
    due, date = _("due"), date_formatter()
    overdue = format_html(' <span class="ds-tag" data-color="danger">{}</span>', _("Overdue"))
    return ACTION_ITEM.rows(
        {"title": title, "due": due, "due_date": date(due_date), "overdue": overdue if late else ""}
        for title, due_date, late in items
    )


def region_state_rows(state: RegionState) -> SafeString:
    """The region panel's numbers, each a link to the list of exactly those items, with its sentence (the msgids of
    the template's ``blocktranslate count`` they replace: ``counter`` the number)."""
    year, days = state.report_year, state.expiry_days
    sentences = {
        "below_minimum": lambda n: ngettext(
            "network has held fewer meetings than its minimum so far this year",
            "networks have held fewer meetings than their minimum so far this year",
            n,
        ),
        "report_missing": lambda n: ngettext(
            "network has not submitted its annual report for %(year)s",
            "networks have not submitted their annual report for %(year)s",
            n,
        ),
        "mandate_expiring": lambda n: ngettext(
            "network's mandate ends within %(days)s days or has ended",
            "networks' mandates end within %(days)s days or have ended",
            n,
        ),
        "unrouted": lambda n: ngettext(
            "case is waiting to be routed to a network", "cases are waiting to be routed to a network", n
        ),
        "no_secretary": lambda n: ngettext("network has no secretary", "networks have no secretary", n),
        "trust_gap": lambda n: ngettext(
            "network has a health trust of the region without an appointed member",
            "networks have a health trust of the region without an appointed member",
            n,
        ),
    }
    return CONCERN.rows(
        {
            "url": concern.url,
            "count": concern.count,
            # A translation is markup as the template's was (not escaped); what goes into it is whole numbers.
            "text": SafeString(sentences[key](concern.count) % {"counter": concern.count, "year": year, "days": days}),
        }
        for key in sentences
        if (concern := state.concerns.get(key)) is not None
    )


def expiring_rows(mandates: Iterable[ExpiringMandate]) -> SafeString:
    """The coordinator's mandates ending soon: the network (a link), the period's end, the version."""
    date = date_formatter()
    return EXPIRING.rows(
        {"url": m.network_url, "network": m.network, "period_end": date(m.period_end), "version": m.version}
        for m in mandates
    )
