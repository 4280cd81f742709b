"""The start page's own reads (issue 23): "For you", the case card's counts and the name of the person's employer,
from one hand-written statement.

Each is a small count or a short list, and each was an ORM query of its own: For you's grouped count of the cases
waiting for an answer, the annual reports not written, the recommendations to send, the case card's aggregate of
five filtered counts, the employer's row. Compiling them cost ~8 ms of Python on a network leader's page, running
them a tenth of that. Here each is a branch of one ``UNION ALL``, asked only when the person holds the role it needs
(so a plain employee's statement has two branches, a leader's ten), in the same seven columns:

    part, rank, id, number, name, day, at

``part`` says which read a row belongs to, ``rank`` its place in that read's order (``ROW_NUMBER()``, or which count),
and the others hold what the read gives. The statement is the same on PostgreSQL and SQLite; web/tests/test_start.py
holds each branch to the ORM query it replaces.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity.models import Recommendation, ReportRound
from fagnett.cases.models import OPEN_STATUSES, Case
from fagnett.cases.selectors import CaseHomeSummary, unrouted_case_count_sql
from fagnett.core.rows import raw_date, raw_datetime
from fagnett.meetings.models import ActionItem, Meeting, Minutes, MinutesComment, MinutesNoRemarks
from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import HealthTrust, Region
from fagnett.reports.models import NetworkReport, RegionalReport
from fagnett.web import for_you
from fagnett.web.for_you import DUE_WITHIN, ForYou

# The parts of the statement, in the order For you lists them.
CASE_COUNTS = 0
MINUTES = 1
CASES_TO_ANSWER = 2
NETWORK_REPORTS = 3
RECOMMENDATIONS = 4
REGIONAL_REPORTS = 5
NOMINATIONS = 6
ACTION_ITEMS = 7
EMPLOYER = 8
UNROUTED = 9

#: The case card's counts, by their rank in the CASE_COUNTS part.
CASE_COUNT_NAMES = ("my_open", "to_route", "to_respond", "to_decide", "overdue")

#: A statement's row: (part, rank, id, number, name, day, at); what a column holds depends on the part
Row = tuple[int, int, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class StartReads:
    for_you: list[ForYou]
    case_summary: CaseHomeSummary
    #: the name of the person's health trust or regional health authority ("" for neither), as ``User.employer_name``
    employer: str
    #: the cases waiting to be routed (``unrouted_case_count``) for a coordinator, for the region panel; else None
    unrouted: int | None = None


def start_reads(
    *, user: User, today: datetime.date | None = None, action_items: tuple[int, int] | None = None
) -> StartReads:
    """What the start page shows of "For you", the case card and the person's employer, in one query.

    ``action_items``: the person's open action items (overdue, due within a week) when the caller has counted them
    already (the start page, with its list of them: ``my_open_action_items``); otherwise they are counted here too.
    """
    today = today or timezone.localdate()
    rows = start_rows(user=user, today=today, count_action_items=action_items is None)
    parts: dict[int, list[Row]] = {}
    for row in rows:
        parts.setdefault(row[0], []).append(row)
    counts = dict.fromkeys(CASE_COUNT_NAMES, 0)
    for _part, rank, _id, number, *_rest in parts.get(CASE_COUNTS, []):
        counts[CASE_COUNT_NAMES[rank]] = number or 0
    if action_items is None:
        found = {rank: number or 0 for _part, rank, _id, number, *_rest in parts.get(ACTION_ITEMS, [])}
        action_items = (found.get(0, 0), found.get(1, 0))
    employer = parts.get(EMPLOYER)
    unrouted = parts.get(UNROUTED)
    return StartReads(
        for_you=for_you.items(
            today=today,
            minutes=[
                (row[2], row[3], raw_date(row[5]), raw_datetime(row[6]), row[4]) for row in parts.get(MINUTES, [])
            ],
            cases=[(row[2], row[3], row[4]) for row in parts.get(CASES_TO_ANSWER, [])],
            network_reports=[(row[2], row[4]) for row in parts.get(NETWORK_REPORTS, [])],
            recommendations=[(row[2], row[4]) for row in parts.get(RECOMMENDATIONS, [])],
            regional_reports=[(row[2], row[4]) for row in parts.get(REGIONAL_REPORTS, [])],
            nominations=sum(row[3] or 0 for row in parts.get(NOMINATIONS, [])),
            action_items=action_items,
        ),
        case_summary=CaseHomeSummary(**counts),
        employer=(employer[0][4] or "") if employer else "",
        unrouted=int(unrouted[0][3]) if unrouted else None,
    )


def start_rows(*, user: User, today: datetime.date, count_action_items: bool = True) -> list[Row]:
    """The statement's rows, ordered by part and rank (each part's rows in the order of the ORM query it replaces):

    - CASE_COUNTS: one row per count the person's roles make possible, ``rank`` the count's place in
      ``CASE_COUNT_NAMES``, ``number`` the count (``case_home_summary``'s; a count no role allows is not asked);
    - MINUTES: circulated minutes waiting for the person's comments: ``id`` the meeting, ``number`` the version,
      ``name`` the network, ``day`` the comments' due date, ``at`` the meeting's start;
    - CASES_TO_ANSWER: per network the person leads or is secretary of, ``number`` open cases, by network name;
    - NETWORK_REPORTS: those networks' annual reports for last year not submitted: ``id`` and ``name`` the network;
    - RECOMMENDATIONS: decided ICU recommendations of the networks the person leads: ``id`` and ``name`` the round;
    - REGIONAL_REPORTS: the coordinator's regions without an approved report for last year;
    - NOMINATIONS: ``number`` the nominations in the coordinator's regions;
    - ACTION_ITEMS (``count_action_items``): ``number`` the person's open items overdue (rank 0) and due within a
      week (rank 1);
    - EMPLOYER: ``name`` the person's health trust or regional health authority;
    - UNROUTED (a coordinator): ``number`` the cases waiting to be routed (``unrouted_case_count``, for the region
      panel: asked here, it costs no statement of its own).
    """
    access = access_for(user)
    led = sorted(n for n, roles in access.network_roles.items() if roles & LEADERSHIP_ROLES)
    leading = sorted(n for n, roles in access.network_roles.items() if AppointmentRole.LEADER in roles)
    coordinated = sorted(access.coordinator_regions)
    directed = sorted(access.coordinator_regions | access.director_regions)
    ops = connection.ops
    day = ops.adapt_datefield_value(today)
    last_year = today.year - 1
    case, network = Case._meta.db_table, Network._meta.db_table
    open_ = list(OPEN_STATUSES)
    branches: list[str] = []
    params: list[Any] = []

    def branch(sql: str, *values: Any) -> None:
        branches.append(sql)
        params.extend(values)

    def count_cases(rank: int, where: str, *values: Any) -> None:
        branch(f"{_columns(CASE_COUNTS, rank, number='COUNT(*)')} FROM {case} c WHERE {where}", *values)

    count_cases(0, f"c.submitted_by_id = %s AND c.status IN ({_marks(open_)})", user.pk, *open_)
    if coordinated:
        where = f"c.region_id IN ({_marks(coordinated)}) AND c.network_id IS NULL AND c.status = %s"
        count_cases(1, where, *coordinated, Case.Status.RECEIVED)
    if led:
        count_cases(2, f"c.network_id IN ({_marks(led)}) AND c.status = %s", *led, Case.Status.RECEIVED)
    if directed:
        count_cases(3, f"c.region_id IN ({_marks(directed)}) AND c.status = %s", *directed, Case.Status.ESCALATED)
    if led or coordinated:
        answerable = [f"c.network_id IN ({_marks(led)})"] * bool(led)
        answerable += [f"c.region_id IN ({_marks(coordinated)})"] * bool(coordinated)
        where = f"({' OR '.join(answerable)}) AND c.status IN ({_marks(open_)}) AND c.due_date < %s"
        count_cases(4, where, *led, *coordinated, *open_, day)
    if access.network_roles:
        networks = list(access.network_roles)
        meeting = Meeting._meta.db_table
        meetings = f"SELECT m.id FROM {meeting} m WHERE m.network_id IN ({_marks(networks)})"  # noqa: S608
        # The minutes are found through their meetings' index: PostgreSQL's estimate of the minutes open for
        # comments is one row, so it reads every minutes there are (~0.5 ms at national scale) unless the meetings'
        # ids come as an array it looks up in the minutes' meeting index. The answered ones are left out with NOT IN
        # (the ids are never NULL), which PostgreSQL plans as a hashed subquery, a third faster to plan than an
        # anti-join. The meeting's start and its network's name are scalar subqueries, not joins: they run only for
        # the few minutes found, and the join of three tables took PostgreSQL ~0.5 ms to plan against ~0.3 ms now
        # (on a leader's page, where this branch was half the statement's planning).
        of_meetings = f"= ANY(ARRAY({meetings}))" if connection.vendor == "postgresql" else f"IN ({meetings})"
        of_meeting = f"FROM {meeting} mt WHERE mt.id = mi.meeting_id"
        columns = _columns(
            MINUTES,
            "ROW_NUMBER() OVER (ORDER BY mi.comments_due, mi.id)",
            id="mi.meeting_id",
            number="mi.version",
            name=f"(SELECT n.name FROM {network} n WHERE n.id = (SELECT mt.network_id {of_meeting}))",  # noqa: S608 -- see _columns
            day="mi.comments_due",
            at=f"(SELECT mt.starts_at {of_meeting})",
        )
        branch(
            f"""{columns}
            FROM {Minutes._meta.db_table} mi
            WHERE mi.meeting_id {of_meetings}
              AND mi.status = %s AND mi.comments_due >= %s
              AND (mi.created_by_id IS NULL OR mi.created_by_id <> %s)
              AND mi.id NOT IN (SELECT mc.minutes_id FROM {MinutesComment._meta.db_table} mc WHERE mc.author_id = %s)
              AND mi.id NOT IN (SELECT nr.minutes_id FROM {MinutesNoRemarks._meta.db_table} nr
                                WHERE nr.person_id = %s)""",  # noqa: S608 -- see _columns
            *networks,
            Minutes.Status.CIRCULATED,
            day,
            user.pk,
            user.pk,
            user.pk,
        )
    if led:
        columns = _columns(
            CASES_TO_ANSWER,
            "ROW_NUMBER() OVER (ORDER BY n.name, c.network_id)",
            id="c.network_id",
            number="COUNT(*)",
            name="n.name",
        )
        branch(
            f"""{columns} FROM {case} c JOIN {network} n ON n.id = c.network_id
            WHERE c.network_id IN ({_marks(led)}) AND c.status IN ({_marks(open_)})
            GROUP BY c.network_id, n.name""",
            *led,
            *open_,
        )
        done = [NetworkReport.Status.SUBMITTED, NetworkReport.Status.ACCEPTED]
        columns = _columns(NETWORK_REPORTS, "ROW_NUMBER() OVER (ORDER BY n.name, n.id)", id="n.id", name="n.name")
        branch(
            f"""{columns} FROM {network} n
            WHERE n.id IN ({_marks(led)}) AND n.kind = %s AND n.status = %s
              AND (n.established_on IS NULL OR n.established_on <= %s)
              AND NOT EXISTS (SELECT 1 FROM {NetworkReport._meta.db_table} r
                              WHERE r.network_id = n.id AND r.year = %s AND r.status IN ({_marks(done)}))""",  # noqa: S608
            *led,
            Network.Kind.NETWORK,
            Network.Status.ACTIVE,
            ops.adapt_datefield_value(datetime.date(last_year, 12, 31)),
            last_year,
            *done,
        )
    if leading:
        columns = _columns(
            RECOMMENDATIONS, "ROW_NUMBER() OVER (ORDER BY r.decided_at, r.id)", id="r.round_id", name="rr.name"
        )
        branch(
            f"""{columns}
            FROM {Recommendation._meta.db_table} r JOIN {ReportRound._meta.db_table} rr ON rr.id = r.round_id
            WHERE r.status = %s AND rr.network_id IN ({_marks(leading)})""",
            Recommendation.Status.DECIDED,
            *leading,
        )
    if coordinated:
        columns = _columns(REGIONAL_REPORTS, "ROW_NUMBER() OVER (ORDER BY g.name, g.id)", id="g.id", name="g.name")
        branch(
            f"""{columns} FROM {Region._meta.db_table} g
            WHERE g.id IN ({_marks(coordinated)})
              AND NOT EXISTS (SELECT 1 FROM {RegionalReport._meta.db_table} r
                              WHERE r.region_id = g.id AND r.year = %s AND r.status = %s)""",  # noqa: S608
            *coordinated,
            last_year,
            RegionalReport.Status.APPROVED,
        )
        branch(
            f"""{_columns(NOMINATIONS, "0", number="COUNT(*)")}
            FROM {Appointment._meta.db_table} a JOIN {network} n ON n.id = a.network_id
            WHERE a.status = %s AND n.region_id IN ({_marks(coordinated)})""",
            Appointment.Status.NOMINATED,
            *coordinated,
        )
    if count_action_items:
        items = f"FROM {ActionItem._meta.db_table} o WHERE o.owner_id = %s AND o.status = %s"
        mine = (user.pk, ActionItem.Status.OPEN)
        branch(f"{_columns(ACTION_ITEMS, '0', number='COUNT(*)')} {items} AND o.due_date < %s", *mine, day)
        soon = ops.adapt_datefield_value(today + DUE_WITHIN)
        where = "AND o.due_date >= %s AND o.due_date <= %s"
        branch(f"{_columns(ACTION_ITEMS, '1', number='COUNT(*)')} {items} {where}", *mine, day, soon)
    # As ``User.employer_name``: the trust, else the regional health authority (a person has at most one).
    employer_id: int | None
    if user.trust_id is not None:
        employer, employer_id = HealthTrust._meta.db_table, user.trust_id
    else:
        employer, employer_id = Region._meta.db_table, user.region_employer_id
    if employer_id is not None:
        branch(f"{_columns(EMPLOYER, '0', name='e.name')} FROM {employer} e WHERE e.id = %s", employer_id)
    if access.is_coordinator_anywhere:
        unrouted, values = unrouted_case_count_sql(user=user)
        branch(_columns(UNROUTED, "0", number=f"({unrouted})"), *values)
    with connection.cursor() as db:
        db.execute(" UNION ALL ".join(branches) + " ORDER BY 1, 2", params)
        return db.fetchall()


def _columns(
    part: int,
    rank: int | str,
    *,
    id: str = "CAST(NULL AS INTEGER)",
    number: str = "CAST(NULL AS BIGINT)",
    name: str = "CAST(NULL AS TEXT)",
    day: str = "CAST(NULL AS DATE)",
    at: str = "CAST(NULL AS TIMESTAMP WITH TIME ZONE)",
) -> str:
    """A branch's SELECT list (only table names, these columns and placeholders are formatted into the statement).
    An empty column is a NULL of its type: PostgreSQL types a ``UNION``'s columns pair by
    pair, and two untyped NULLs would make a column text before a later branch puts an integer or a date in it."""
    return f"SELECT {part}, {rank}, {id}, {number}, {name}, {day}, {at}"


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))
