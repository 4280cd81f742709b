"""What the case lists print, written in Python once per request (issue 23).

A page of 50 cases through the template engine costs a node, a lookup and a lazy-aware escape per cell (~750 nodes);
the rows here are ``core.rows.RowMarkup``: the row's markup written once, every value escaped, the labels translated
once per request. ``cases/_case_table.html`` prints the result where its loop was.
"""

from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from fagnett.cases.selectors import CaseRow
from fagnett.core.rows import RowMarkup

CASE_ROW = RowMarkup(
    '<tr><td class="nowrap">{reference}</td>'
    '<td><a class="ds-link" href="{url}">{title}</a><br><span class="muted">{source}</span></td>'
    "<td>{network}</td>"
    '<td>{origin}<br><span class="muted">{submitted_by}</span></td>'
    '<td><span class="ds-tag" data-color="{status_color}">{status_label}</span></td>'
    "<td>{due}{overdue}</td></tr>"
)
COMMON_CASE_ROW = RowMarkup(
    "<tr><td>{common_case}</td>"
    '<td><a class="ds-link" href="{url}">{title}</a><br><span class="muted">{see_progress}</span></td>'
    "<td>{sent}</td>"
    '<td>{origin}<br><span class="muted">{submitted_by}</span></td>'
    "<td>{answered}</td>"
    "<td>{due}</td></tr>"
)


def _label(translated: str) -> SafeString:
    """A translated label as the template's ``{% translate %}`` prints it: a translation is trusted, not escaped.
    The caller translates (``_label(gettext("…"))``), so that ``makemessages`` finds the text."""
    return mark_safe(translated)  # noqa: S308 — our own translations, as {% translate %} prints them


def case_rows(rows: Iterable[CaseRow]) -> SafeString:
    """The table rows of a case list's page; a common case the person may open is one row leading to its progress."""
    not_routed = format_html('<span class="muted">{}</span>', _label(gettext("Not routed yet")))
    overdue = format_html(' <span class="ds-tag" data-color="danger">{}</span>', _label(gettext("Overdue")))
    common_case, see_progress = _label(gettext("Common case")), _label(gettext("See each network's progress"))
    no_reference = SafeString("–")
    parts = []
    for row in rows:
        if row.common_row:
            parts.append(
                COMMON_CASE_ROW(
                    common_case=common_case,
                    url=row.url,
                    title=row.title,
                    see_progress=see_progress,
                    # As {% blocktranslate count %}: the numbers filled into a trusted translation.
                    sent=mark_safe(  # noqa: S308 — a translation with numbers
                        ngettext("Sent to %(counter)s network", "Sent to %(counter)s networks", row.common_sent)
                        % {"counter": row.common_sent}
                    ),
                    origin=row.origin,
                    submitted_by=row.submitted_by,
                    answered=mark_safe(  # noqa: S308 — a translation with numbers
                        ngettext(
                            "%(counter)s of %(sent)s answered", "%(counter)s of %(sent)s answered", row.common_answered
                        )
                        % {"counter": row.common_answered, "sent": row.common_sent}
                    ),
                    due=row.due,
                )
            )
        else:
            parts.append(
                CASE_ROW(
                    reference=row.reference or no_reference,
                    url=row.url,
                    title=row.title,
                    source=row.source,
                    network=row.network or not_routed,
                    origin=row.origin,
                    submitted_by=row.submitted_by,
                    status_color=row.status_color,
                    status_label=row.status_label,
                    due=row.due,
                    overdue=overdue if row.overdue else "",
                )
            )
    return mark_safe("".join(parts))  # noqa: S308 — each part is safe
