""" "For you" (Til deg) on the start page: what waits for the person to act on, each a count and a link to where it is.

Each kind of work is a branch of the start page's one statement (``web.start``), asked only when the person holds
the role it needs; this module makes the sentences and links from what it read:

- minutes circulated for comments in a network the person is appointed in, which they have not commented on
  (and did not write), while comments are still open — each minutes linked, as there is no list of minutes;
- cases waiting for the answer of a network the person leads or is secretary of, per network, linked to the
  network's case list filtered to the open cases;
- annual reports to write: last year's report of each network they lead or are secretary of that is not submitted,
  and, for the coordinator, the region's report for last year while it is not approved;
- nominations waiting for the coordinator's decision;
- for a network's leader, the ICU recommendations the network has decided in a meeting and only the leader can
  send on to the medical director;
- the person's own open action items that are overdue or due within a week.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.cases.selectors import OPEN_FILTER
from fagnett.core.rows import date_formatter, url_pattern

#: An action item is shown here from a week before it is due.
DUE_WITHIN = datetime.timedelta(days=7)


@dataclass(frozen=True)
class ForYou:
    """One thing waiting: how many, what (the sentence, its plural chosen), and where they are."""

    kind: str
    count: int
    text: str
    url: str


def items(
    *,
    today: datetime.date,
    minutes: list[tuple[int, int, datetime.date | None, datetime.datetime, str]],
    cases: list[tuple[int, int, str]],
    network_reports: list[tuple[int, str]],
    recommendations: list[tuple[int, str]],
    regional_reports: list[tuple[int, str]],
    nominations: int,
    action_items: tuple[int, int],
) -> list[ForYou]:
    """For you's items, in the order they are listed, from what ``web.start.start_rows`` read (the person's roles
    decided what was asked):

    - ``minutes``: ``(meeting id, version, comments due, meeting start, network name)``;
    - ``cases``: ``(network id, open cases, network name)``;
    - ``network_reports``: ``(network id, network name)`` of last year's reports to write;
    - ``recommendations``: ``(round id, round name)`` of the decided recommendations to send;
    - ``regional_reports``: ``(region id, region name)`` of last year's regional reports not approved;
    - ``nominations``: how many wait for the coordinator;
    - ``action_items``: the person's open action items (overdue, due within a week).
    """
    year = today.year - 1
    found: list[ForYou] = []
    if minutes:
        minutes_url, date = url_pattern("meetings:minutes"), date_formatter()
        found += [
            ForYou(
                "minutes",
                1,
                _("Minutes from %(network)s, %(date)s, for your comments by %(due)s")
                % {"network": network, "date": date(starts_at), "due": date(comments_due)},
                minutes_url(meeting_id, version),
            )
            for meeting_id, version, comments_due, starts_at, network in minutes
        ]
    if cases:
        cases_url = url_pattern("cases:network")
        found += [
            ForYou(
                "cases",
                count,
                ngettext(
                    "%(count)d case waiting for the answer of %(network)s",
                    "%(count)d cases waiting for the answer of %(network)s",
                    count,
                )
                % {"count": count, "network": network},
                f"{cases_url(network_id)}?status={OPEN_FILTER}",
            )
            for network_id, count, network in cases
        ]
    if network_reports:
        report_url = url_pattern("reports:network_report")
        found += [
            ForYou(
                "network_report",
                1,
                _("The annual report %(year)s of %(network)s, not yet submitted") % {"year": year, "network": network},
                report_url(network_id, year),
            )
            for network_id, network in network_reports
        ]
    if recommendations:
        recommendation_url = url_pattern("capacity:recommendation_detail")
        found += [
            ForYou(
                "recommendation",
                1,
                _("The recommendation for %(round)s is decided: send it to the medical director") % {"round": name},
                recommendation_url(round_id),
            )
            for round_id, name in recommendations
        ]
    if regional_reports:
        regional_url = url_pattern("reports:regional_report")
        found += [
            ForYou(
                "regional_report",
                1,
                _("The regional annual report %(year)s for %(region)s, not yet approved")
                % {"year": year, "region": region},
                regional_url(region_id, year),
            )
            for region_id, region in regional_reports
        ]
    if nominations:
        text = ngettext(
            "%(count)d nomination waiting for your decision",
            "%(count)d nominations waiting for your decision",
            nominations,
        ) % {"count": nominations}
        found.append(ForYou("nominations", nominations, text, url_pattern("networks:nominations")()))
    return found + _action_items_due(*action_items)


def _action_items_due(overdue: int, soon: int) -> list[ForYou]:
    url = url_pattern("meetings:my_action_items")()
    found = []
    if overdue:
        text = ngettext(
            "%(count)d of your action items is overdue", "%(count)d of your action items are overdue", overdue
        ) % {"count": overdue}
        found.append(ForYou("action_items_overdue", overdue, text, url))
    if soon:
        text = ngettext(
            "%(count)d of your action items is due within a week",
            "%(count)d of your action items are due within a week",
            soon,
        ) % {"count": soon}
        found.append(ForYou("action_items_due", soon, text, url))
    return found
