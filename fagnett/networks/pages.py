"""What the networks app's busiest pages print, written in Python once per request (issue 23).

A table of a few dozen rows through the template engine costs a node, a lookup and a lazy-aware escape per cell; the
rows here are ``core.rows.RowMarkup``: the row's markup written once, every value escaped, the labels translated
once per request. The pages' templates print the result where their loops were.
"""

import html
from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.core.rows import RowMarkup
from fagnett.networks.selectors import NetworkRow

NETWORK_ROW = RowMarkup(
    '<tr><td><a class="ds-link" href="{url}">{name}</a>{subgroup_of}</td>'
    "<td>{field}</td>"
    "<td>{region}</td>"
    '<td><span class="ds-tag" data-color="{status_color}">{status_label}</span></td>'
    "<td>{leaders}</td>"
    '<td class="numeric">{members}</td>'
    '<td class="numeric">{meetings}{behind}</td>'
    "<td>{report}</td></tr>"
)
# A space before each line break, as the template had: the same text to anything that reads the cells' text.
SUBGROUP_OF = RowMarkup(' <br><span class="muted">{label}</span>')
TAG = RowMarkup('<span class="ds-tag" data-color="{color}">{label}</span>')
BEHIND = RowMarkup(' <br><span class="ds-tag" data-color="warning">{label}</span>')


def network_rows(rows: Iterable[NetworkRow]) -> SafeString:
    """The network list's table rows (``networks/_network_table.html``'s body): each network's name and sub-group,
    status, leaders, members, meetings (and how far behind the minimum an active network is) and annual report."""
    not_separately = format_html('<span class="muted">{}</span>', _("Not reported separately"))
    not_started = TAG(color="neutral", label=_("Not started"))
    no_leader = SafeString("–")
    behind: dict[int, SafeString] = {}

    def behind_tag(count: int) -> SafeString:
        tag = behind.get(count)
        if tag is None:
            label = ngettext("Behind: %(counter)s meeting by now", "Behind: %(counter)s meetings by now", count)
            tag = behind[count] = BEHIND(label=label % {"counter": count})
        return tag

    return NETWORK_ROW.rows(
        {
            "url": row["url"],
            "name": row["name"],
            "subgroup_of": SUBGROUP_OF(label=row["subgroup_of"]) if row["subgroup_of"] else "",
            "field": row["field"],
            "region": row["region"],
            "status_color": row["status_color"],
            "status_label": row["status_label"],
            "leaders": mark_safe(" <br>".join(html.escape(name) for name in row["leaders"]))  # noqa: S308 — each escaped
            if row["leaders"]
            else no_leader,
            "members": row["members"],
            "meetings": row["meetings"],
            "behind": behind_tag(row["behind_by_now"]) if row["behind_by_now"] else "",
            "report": not_separately
            if not row["reports_separately"]
            else TAG(color=row["report_color"], label=row["report_label"])
            if row["report_label"]
            else not_started,
        }
        for row in rows
    )
