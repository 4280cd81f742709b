"""What the meetings app's busiest pages print, written in Python once per request (issue 23).

A list of a few hundred rows through the template engine costs a node, a lookup and a lazy-aware escape per cell;
the rows here are ``core.rows.RowMarkup``: the row's markup written once, every value escaped, the labels
translated once per request. The pages' templates print the result where their loops were.
"""

from collections.abc import Iterable
from urllib.parse import quote

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fagnett.core.rows import RowMarkup
from fagnett.meetings.selectors import ActionItemRow, DoneActionItemRow

OPEN_ACTION_ITEM = RowMarkup(
    "<tr><td>{title}{overdue}<br>"
    '<a class="ds-link" href="{history_url}">{history}<span class="ds-sr-only"> {title}</span></a></td>'
    '<td><a class="ds-link" href="{network_url}">{network}</a></td>'
    "<td>{due}</td>"
    "<td>{meeting}</td>"
    '<td><a class="ds-button" data-variant="secondary" data-size="sm" href="{close_url}?next={next}">'
    '{mark_done}<span class="ds-sr-only">: {title}</span></a></td></tr>'
)
DONE_ACTION_ITEM = RowMarkup("<li>{title} – {network} ({done}){note}</li>")


def open_action_item_rows(items: Iterable[ActionItemRow], *, back_to: str) -> SafeString:
    """ "My action items"' table rows; each item's "Mark as done" comes back to ``back_to``."""
    overdue = format_html(' <span class="ds-tag" data-color="danger">{}</span>', _("Overdue"))
    history, mark_done, no_meeting = _("History"), _("Mark as done"), SafeString("–")
    next_ = quote(back_to)
    return OPEN_ACTION_ITEM.rows(
        {
            "title": row.title,
            "overdue": overdue if row.overdue else "",
            "history_url": row.history_url,
            "history": history,
            "network_url": row.network_url,
            "network": row.network,
            "due": row.due,
            "meeting": format_html('<a class="ds-link" href="{}">{}</a>', row.meeting_url, row.meeting_date)
            if row.meeting_url
            else no_meeting,
            "close_url": row.close_url,
            "next": next_,
            "mark_done": mark_done,
        }
        for row in items
    )


def done_action_item_rows(items: Iterable[DoneActionItemRow]) -> SafeString:
    """The items done recently, as the list's items."""
    return DONE_ACTION_ITEM.rows(
        {
            "title": row.title,
            "network": row.network,
            "done": row.done,
            "note": format_html(': <span class="muted">{}</span>', row.done_note) if row.done_note else "",
        }
        for row in items
    )
