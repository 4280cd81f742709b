""" "For you" (Til deg) on the start page: what waits for the person to act on, each a count and a link to where it is.

One selector for every role; each kind of work is one query, asked only when the person holds the role it needs,
so the query count depends on the person's roles, never on how much there is (pinned in web/tests/test_for_you.py):

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

from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity.models import Recommendation
from fagnett.cases.models import OPEN_STATUSES, Case
from fagnett.cases.selectors import OPEN_FILTER
from fagnett.core.rows import raw_date, raw_datetime, url_pattern
from fagnett.meetings.models import ActionItem, Minutes
from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import Region
from fagnett.reports.models import NetworkReport, RegionalReport

#: An action item is shown here from a week before it is due.
DUE_WITHIN = datetime.timedelta(days=7)


@dataclass(frozen=True)
class ForYou:
    """One thing waiting: how many, what (the sentence, its plural chosen), and where they are."""

    kind: str
    count: int
    text: str
    url: str


def for_you(
    *, user: User, today: datetime.date | None = None, action_items: tuple[int, int] | None = None
) -> list[ForYou]:
    """``action_items``: the person's open action items (overdue, due within a week) when the caller has counted
    them already (the start page, with its list of them: ``my_open_action_items``); otherwise one query here."""
    today = today or timezone.localdate()
    access = access_for(user)
    led = sorted(n for n, roles in access.network_roles.items() if roles & LEADERSHIP_ROLES)
    items: list[ForYou] = []
    if access.network_roles:
        items += _minutes_to_comment(user, list(access.network_roles), today)
    if led:
        items += _cases_to_answer(led)
        items += _network_reports_to_write(led, today)
    leading = sorted(n for n, roles in access.network_roles.items() if AppointmentRole.LEADER in roles)
    if leading:
        items += _recommendations_to_send(leading)
    if access.coordinator_regions:
        items += _regional_reports_to_write(access.coordinator_regions, today)
        items += _nominations_to_decide(access.coordinator_regions)
    items += _action_items_due(user, today, action_items)
    return items


def _recommendations_to_send(networks: list[int]) -> list[ForYou]:
    decided = (
        Recommendation.objects.filter(status=Recommendation.Status.DECIDED, round__network__in=networks)
        .select_related("round")
        .order_by("decided_at", "pk")
    )
    return [
        ForYou(
            "recommendation",
            1,
            _("The recommendation for %(round)s is decided: send it to the medical director")
            % {"round": recommendation.round.name},
            reverse("capacity:recommendation_detail", args=[recommendation.round_id]),
        )
        for recommendation in decided
    ]


def _minutes_to_comment(user: User, networks: list[int], today: datetime.date) -> list[ForYou]:
    minutes_url = url_pattern("meetings:minutes")
    return [
        ForYou(
            "minutes",
            1,
            _("Minutes from %(network)s, %(date)s, for your comments by %(due)s")
            % {"network": network, "date": _date(timezone.localdate(starts_at)), "due": _date(comments_due)},
            minutes_url(meeting_id, version),
        )
        for meeting_id, version, comments_due, starts_at, network in minutes_to_comment_rows(user, networks, today)
    ]


def minutes_to_comment_rows(
    user: User, networks: list[int], today: datetime.date
) -> list[tuple[int, int, datetime.date | None, datetime.datetime, str]]:
    """``(meeting id, version, comments due, meeting start, network name)`` of the circulated minutes in ``networks``
    still open for comments that the person did not write and has not answered (a comment or "no remarks").

    Hand-written (the same on PostgreSQL and SQLite; held to the ORM's result by a test): the ORM's three excludes
    cost ~1.5 ms of Python to compile, the statement itself a tenth of that.
    """
    ops = connection.ops
    sql = f"""
        SELECT mt.id, mi.version, mi.comments_due, mt.starts_at, n.name
        FROM meetings_minutes mi
        JOIN meetings_meeting mt ON mt.id = mi.meeting_id
        JOIN networks_network n ON n.id = mt.network_id
        WHERE mi.status = %s AND mi.comments_due >= %s AND mt.network_id IN ({", ".join(["%s"] * len(networks))})
          AND (mi.created_by_id IS NULL OR mi.created_by_id <> %s)
          AND NOT EXISTS (SELECT 1 FROM meetings_minutescomment c WHERE c.minutes_id = mi.id AND c.author_id = %s)
          AND NOT EXISTS (SELECT 1 FROM meetings_minutesnoremarks r WHERE r.minutes_id = mi.id AND r.person_id = %s)
        ORDER BY mi.comments_due, mi.id
    """  # noqa: S608 -- only placeholders are formatted in
    with connection.cursor() as db:
        db.execute(
            sql,
            [Minutes.Status.CIRCULATED, ops.adapt_datefield_value(today), *networks, user.pk, user.pk, user.pk],
        )
        fetched = db.fetchall()
    return [(row[0], row[1], raw_date(row[2]), raw_datetime(row[3]), row[4]) for row in fetched]


def _cases_to_answer(led: list[int]) -> list[ForYou]:
    rows = (
        Case.objects.filter(network__in=led, status__in=OPEN_STATUSES)
        .values("network_id", "network__name")
        .annotate(count=Count("pk"))
        .order_by("network__name")
    )
    return [
        ForYou(
            "cases",
            row["count"],
            ngettext(
                "%(count)d case waiting for the answer of %(network)s",
                "%(count)d cases waiting for the answer of %(network)s",
                row["count"],
            )
            % {"count": row["count"], "network": row["network__name"]},
            f"{reverse('cases:network', args=[row['network_id']])}?status={OPEN_FILTER}",
        )
        for row in rows
    ]


def _network_reports_to_write(led: list[int], today: datetime.date) -> list[ForYou]:
    year = today.year - 1
    done = NetworkReport.objects.filter(
        year=year, status__in=[NetworkReport.Status.SUBMITTED, NetworkReport.Status.ACCEPTED]
    ).values("network_id")
    networks = (
        Network.objects.filter(pk__in=led, kind=Network.Kind.NETWORK, status=Network.Status.ACTIVE)
        .filter(Q(established_on__isnull=True) | Q(established_on__year__lte=year))
        .exclude(pk__in=done)
        .order_by("name")
    )
    return [
        ForYou(
            "network_report",
            1,
            _("The annual report %(year)s of %(network)s, not yet submitted") % {"year": year, "network": network.name},
            reverse("reports:network_report", args=[network.pk, year]),
        )
        for network in networks
    ]


def _regional_reports_to_write(regions: frozenset[int], today: datetime.date) -> list[ForYou]:
    year = today.year - 1
    approved = RegionalReport.objects.filter(year=year, status=RegionalReport.Status.APPROVED).values("region_id")
    return [
        ForYou(
            "regional_report",
            1,
            _("The regional annual report %(year)s for %(region)s, not yet approved")
            % {"year": year, "region": region.name},
            reverse("reports:regional_report", args=[region.pk, year]),
        )
        for region in Region.objects.filter(pk__in=regions).exclude(pk__in=approved).order_by("name")
    ]


def _nominations_to_decide(regions: frozenset[int]) -> list[ForYou]:
    count = Appointment.objects.filter(status=Appointment.Status.NOMINATED, network__region__in=regions).count()
    if not count:
        return []
    text = ngettext(
        "%(count)d nomination waiting for your decision", "%(count)d nominations waiting for your decision", count
    ) % {"count": count}
    return [ForYou("nominations", count, text, reverse("networks:nominations"))]


def _action_items_due(user: User, today: datetime.date, counted: tuple[int, int] | None) -> list[ForYou]:
    if counted is None:
        counts = ActionItem.objects.filter(
            owner=user, status=ActionItem.Status.OPEN, due_date__lte=today + DUE_WITHIN
        ).aggregate(overdue=Count("pk", filter=Q(due_date__lt=today)), soon=Count("pk", filter=Q(due_date__gte=today)))
    else:
        counts = {"overdue": counted[0], "soon": counted[1]}
    url = reverse("meetings:my_action_items")
    items = []
    if counts["overdue"]:
        text = ngettext(
            "%(count)d of your action items is overdue", "%(count)d of your action items are overdue", counts["overdue"]
        ) % {"count": counts["overdue"]}
        items.append(ForYou("action_items_overdue", counts["overdue"], text, url))
    if counts["soon"]:
        text = ngettext(
            "%(count)d of your action items is due within a week",
            "%(count)d of your action items are due within a week",
            counts["soon"],
        ) % {"count": counts["soon"]}
        items.append(ForYou("action_items_due", counts["soon"], text, url))
    return items


def _date(value: datetime.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "–"
