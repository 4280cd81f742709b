"""What the start page's panels list, written in Python once per request (issue 23).

The lists are short (five action items, five meetings, what waits "For you"), but through the template engine each
row costs a node, a lookup, a lazy-aware escape per value and a translation or a date format per row: the action
items' five rows alone cost 0.4 ms. Here each row is ``core.rows.RowMarkup``, the labels translated once and the
dates formatted with ``core.rows.date_formatter``; the start page's template prints the rows where its loops were.
"""

import datetime
from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fagnett.core.rows import RowMarkup, date_formatter
from fagnett.meetings.selectors import UpcomingMeetingRow
from fagnett.web.for_you import ForYou

FOR_YOU = RowMarkup('<li data-kind="{kind}"><a class="ds-link" href="{url}">{text}</a></li>')
MEETING = RowMarkup(
    '<li><a class="ds-link" href="{url}">{starts_at}</a> – {network} <span class="muted">({form})</span></li>'
)
ACTION_ITEM = RowMarkup("<li>{title} – {due} {due_date}{overdue}</li>")


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
