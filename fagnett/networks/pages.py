"""What the networks app's busiest pages print, written in Python once per request (issue 23).

A table of a few dozen rows through the template engine costs a node, a lookup and a lazy-aware escape per cell; the
rows here are ``core.rows.RowMarkup``: the row's markup written once, every value escaped, the labels translated
once per request. The pages' templates print the result where their loops were.
"""

import html
from collections.abc import Iterable
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.core.rows import RowMarkup, labels, url_pattern
from fagnett.networks.models import Network
from fagnett.networks.selectors import NetworkRow, RepresentationMatrix, SubgroupRow

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
# components/status_tag.html's markup, written out.
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


MEMBER_ROW = RowMarkup(
    "<tr><td>{name}{title}{history}</td><td>{role}</td><td>{represents}</td><td>{period}</td>{end}</tr>"
)
MEMBER_TITLE = RowMarkup(' <br><span class="muted">{title}</span>')
MEMBER_HISTORY = RowMarkup(' <br><a class="ds-link" href="{url}">{label}<span class="ds-sr-only"> {name}</span></a>')
MEMBER_END = RowMarkup('<td><a class="ds-link" href="{url}">{label}<span class="ds-sr-only"> {name}</span></a></td>')
MATRIX_ROW = RowMarkup('<tr{gap_class}><th scope="row">{label}{gap_tag}</th>{cells}</tr>')
NOMINATION = RowMarkup("<li>{name} – {role}, {represents} ({nominated_by_label} {nominated_by})</li>")
LINK = RowMarkup('<a class="ds-link" href="{url}">{label}</a>')


def member_rows(members: Iterable[dict[str, Any]], *, with_history: bool, with_end: bool) -> SafeString:
    """The network page's appointed members (``selectors.network_people``), each with their title, a link to their
    appointment's history (``with_history``: for those who open nominations) and one that ends it (``with_end``)."""
    history, end = _("History"), _("End")
    return MEMBER_ROW.rows(
        {
            "name": member["name"],
            "title": MEMBER_TITLE(title=member["title"]) if member["title"] else "",
            "history": MEMBER_HISTORY(url=member["history_url"], label=history, name=member["name"])
            if with_history
            else "",
            "role": member["role"],
            "represents": member["represents"],
            "period": member["period"],
            "end": MEMBER_END(url=member["end_url"], label=end, name=member["name"]) if with_end else "",
        }
        for member in members
    )


def matrix_rows(matrix: RepresentationMatrix) -> SafeString:
    """The representation matrix's rows: each health trust (and the region's own row) with the names appointed in
    each role, a trust without anyone marked as a gap."""
    gap_tag = format_html(' <span class="ds-tag" data-color="danger">{}</span>', _("No member"))
    gap_class = SafeString(' class="matrix__gap"')
    nobody = format_html('<td><span class="muted" aria-label="{}">–</span></td>', _("none"))
    return MATRIX_ROW.rows(
        {
            "gap_class": gap_class if row.is_gap else "",
            "label": row.label,
            "gap_tag": gap_tag if row.is_gap else "",
            "cells": mark_safe(  # noqa: S308 — each name escaped
                "".join(
                    "<td>" + " <br>".join(html.escape(name) for name in cell) + "</td>" if cell else nobody
                    for cell in row.cells
                )
            ),
        }
        for row in matrix.rows
    )


def nomination_items(nominations: Iterable[dict[str, Any]], *, with_link: bool) -> SafeString:
    """The open nominations as a list's items, each name linking to its decision (``with_link``: for those who
    decide)."""
    nominated_by = _("nominated by")
    return NOMINATION.rows(
        {
            "name": LINK(url=nomination["decide_url"], label=nomination["name"]) if with_link else nomination["name"],
            "role": nomination["role"],
            "represents": nomination["represents"],
            "nominated_by_label": nominated_by,
            "nominated_by": nomination["nominated_by"],
        }
        for nomination in nominations
    )


SUBGROUP = RowMarkup('<li><a class="ds-link" href="{url}">{name}</a> – {kind} {status}</li>')


def subgroup_items(subgroups: Iterable[SubgroupRow]) -> SafeString:
    """A network's councils and working groups as a list's items: each linked, with its kind and its status's tag."""
    url = url_pattern("networks:detail")
    kinds, statuses = labels(Network.Kind.choices), labels(Network.Status.choices)
    colors = Network.STATUS_COLORS
    return SUBGROUP.rows(
        {
            "url": url(group.pk),
            "name": group.name,
            "kind": kinds.get(group.kind, group.kind),
            "status": TAG(color=colors.get(group.status, "neutral"), label=statuses.get(group.status, group.status)),
        }
        for group in subgroups
    )
