"""Reads for cases, always scoped to the person asking.

A person sees the cases they submitted, every case of the networks they are appointed to, every case
of the regions they coordinate or direct, and, as fagsjef, the cases from their trusts. Anything else
answers 404, so a case number does not reveal that a case exists.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.cases.models import (
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseEvent,
    CommonCase,
    Consultation,
    case_reference,
)
from fagnett.core import rows as prepared
from fagnett.networks.models import Network
from fagnett.networks.rules import LEADERSHIP_ROLES
from fagnett.organisations.models import HealthTrust, Region

#: A case number, with or without the network's code: ``ANI-2026/014``, ``ani 2026/14`` or ``2026/014``.
_REFERENCE = re.compile(r"^\s*(?:([A-Za-z0-9]{2,6})\s*[-\s]\s*)?(\d{4})\s*/\s*(\d{1,4})\s*$")


#: The status filter's value for every case still waiting for its network's answer (``OPEN_STATUSES``).
OPEN_FILTER = "open"


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    network: int | None = None
    status: str = ""
    trust: int | None = None
    year: int | None = None
    overdue: bool = False
    mine: bool = False
    unrouted: bool = False


def visible_cases_filter(user: User) -> Q:
    """The cases ``user`` may see, as one filter (no query of its own beyond ``access_for``)."""
    access = access_for(user)
    if access.is_superuser:
        return Q()
    visible = Q(submitted_by=user.pk)
    regions = access.coordinator_regions | access.director_regions
    if regions:
        visible |= Q(region__in=regions)
    if access.network_roles:
        visible |= Q(network__in=list(access.network_roles))
    if access.fagsjef_trusts:
        visible |= Q(trust__in=access.fagsjef_trusts)
    return visible


def _search(cases: QuerySet[Case], q: str) -> QuerySet[Case]:
    """Words in the title, description, what is wanted and the answer; or a case number, ``ANI-2026/014`` (that
    case) or ``2026/014`` (that number in every network the person sees).

    PostgreSQL uses Norwegian full-text search (so inflected forms match); SQLite matches the words as
    case-insensitive substrings, æ, ø and å included.
    """
    reference = _REFERENCE.match(q)
    if reference:
        code, year, number = reference.group(1), int(reference.group(2)), int(reference.group(3))
        if code:
            return cases.filter(reference=case_reference(code.upper(), year, number))
        return cases.filter(year=year, number=number)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", "description", "wanted", "recommendation", "decision", config="norwegian")
        query = SearchQuery(q, config="norwegian", search_type="websearch")
        return cases.annotate(search=vector).filter(search=query)
    for word in q.lower().split():
        cases = cases.filter(
            Q(title__lower__contains=word)
            | Q(description__lower__contains=word)
            | Q(wanted__lower__contains=word)
            | Q(recommendation__lower__contains=word)
            | Q(decision__lower__contains=word)
        )
    return cases


def common_case_regions(user: User) -> set[int] | None:
    """The regions whose common cases the person may open (as ``cases.view_common_case``): those they coordinate or
    direct, and those of the networks they lead or are secretary of; ``None`` for every region (a superuser)."""
    access = access_for(user)
    if access.is_superuser:
        return None
    led = {
        access.network_regions[network_id]
        for network_id, roles in access.network_roles.items()
        if roles & LEADERSHIP_ROLES and network_id in access.network_regions
    }
    return set(access.coordinator_regions) | set(access.director_regions) | led


def _common_cases_once(cases: QuerySet[Case], user: User, *, counts: bool = True) -> QuerySet[Case]:
    """Of each common case the person may open, only its first matching case stays, marked ``common_row`` with how
    many networks it went to and how many have answered: the list's row leads to the progress matrix. In the same
    query, so the list's query count stays flat.

    The first matching case of each common case is found once for the whole list (a grouped subquery PostgreSQL
    hashes), not by a correlated "is there an earlier one" per row: that one repeated the list's whole filter for
    every row of a common case and made the planner's estimate so high that it compiled the query (JIT) on every
    request (issue 23). Without ``counts`` the rows are only marked (``case_list_page`` counts the page's few common
    cases apart: the two subqueries cost more to build and plan than the whole list's query)."""
    regions = common_case_regions(user)
    in_regions = Q() if regions is None else Q(region__in=regions)
    collapsible = Q(common_case__isnull=False) & in_regions
    firsts = cases.order_by().filter(collapsible).values("common_case").annotate(first=Min("pk")).values("first")
    marked = cases.filter(~collapsible | Q(pk__in=firsts)).annotate(
        common_row=ExpressionWrapper(collapsible, output_field=BooleanField())
    )
    if not counts:
        return marked
    siblings = Case.objects.filter(common_case=OuterRef("common_case")).order_by().values("common_case")
    return marked.annotate(
        common_sent=Coalesce(Subquery(siblings.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0),
        common_answered=Coalesce(
            Subquery(
                siblings.filter(status__in=ANSWERED_STATUSES).annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def case_list(*, user: User, filters: CaseFilters | None = None, common_counts: bool = True) -> QuerySet[Case]:
    """The cases the person may see that match ``filters``, newest first, in one query.

    A common case shows once in a list across networks (``_common_cases_once``; its row annotated with how many
    networks it went to and how many answered unless not ``common_counts``); a network's own list shows the
    network's case of it."""
    filters = filters or CaseFilters()
    cases = Case.objects.filter(visible_cases_filter(user)).select_related(
        "network", "region", "trust", "submitted_by", "common_case"
    )
    if filters.mine:
        cases = cases.filter(submitted_by=user.pk)
    if filters.unrouted:
        cases = cases.filter(network__isnull=True)
    if filters.network:
        cases = cases.filter(network_id=filters.network)
    if filters.status == OPEN_FILTER:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        cases = cases.filter(status=filters.status)
    if filters.trust:
        cases = cases.filter(trust_id=filters.trust)
    if filters.year:
        cases = cases.filter(year=filters.year)
    if filters.overdue:
        cases = cases.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
    if filters.q.strip():
        cases = _search(cases, filters.q.strip())
    if not filters.network:
        cases = _common_cases_once(cases, user, counts=common_counts)
    return cases.order_by("-submitted_at", "-pk")


def unrouted_case_count(*, user: User) -> int:
    """How many cases wait to be routed to a network: ``case_list(user=user, filters=CaseFilters(unrouted=True,
    status=Case.Status.RECEIVED)).count()``, the rows of the list the coordinator's start page links to, each common
    case once (``unrouted_case_count_sql``'s statement)."""
    sql, params = unrouted_case_count_sql(user=user)
    with connection.cursor() as db:
        db.execute(sql, params)
        (count,) = db.fetchone()
    return int(count)


def unrouted_case_count_sql(*, user: User) -> tuple[str, list[Any]]:
    """``unrouted_case_count``'s statement (one row, one column: the count) and its parameters; the start page asks
    it as a part of its own statement (``web.start``).

    Written by hand: through the ORM, building ``case_list``'s filters and its common-case subquery cost more Python
    than the rest of the coordinator's region panel (issue 23). The filters are ``visible_cases_filter``'s and
    ``_common_cases_once``'s; a test holds the count to the list's."""
    access = access_for(user)

    def among(column: str, ids: Iterable[int]) -> tuple[str, list[int]]:
        chosen = sorted(ids)
        return (f"c.{column} IN ({', '.join(['%s'] * len(chosen))})" if chosen else "1 = 0"), chosen

    visible, params = "", []
    if not access.is_superuser:
        seen = ["c.submitted_by_id = %s"]
        params.append(user.pk)
        for column, ids in (
            ("region_id", access.coordinator_regions | access.director_regions),
            ("network_id", access.network_roles),
            ("trust_id", access.fagsjef_trusts),
        ):
            if ids:
                clause, values = among(column, ids)
                seen.append(clause)
                params += values
        visible = f"({' OR '.join(seen)}) AND "
    regions = common_case_regions(user)
    in_regions, region_params = ("1 = 1", []) if regions is None else among("region_id", regions)
    collapsible = f"(c.common_case_id IS NOT NULL AND {in_regions})"
    # A common case counts once (its first case stays in the list); the rest each once. Only column names and
    # placeholders are formatted in; every value goes as a parameter.
    sql = f"""
        SELECT COUNT(CASE WHEN NOT {collapsible} THEN 1 END)
            + COUNT(DISTINCT CASE WHEN {collapsible} THEN c.common_case_id END)
        FROM cases_case c
        WHERE {visible}c.network_id IS NULL AND c.status = %s
    """  # noqa: S608
    return sql, [*region_params, *region_params, *params, Case.Status.RECEIVED]


def case_get(*, user: User, case_id: int) -> Case:
    """The case if the person may see it; 404 otherwise."""
    try:
        case = Case.objects.select_related(
            "network", "network__region", "region", "trust", "submitted_by", "decided_by", "common_case", "responsible"
        ).get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("cases.view_case", case):
        raise Http404
    return case


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


CONSULTATION_STATES = {
    "not_assessed": _("Not assessed yet"),
    "not_required": _("Not required"),
    "open": _("Open"),
    "done": _("Done"),
}


@dataclass(frozen=True)
class ConsultationRow:
    """One kind of consultation on a case, recorded or not yet assessed."""

    #: The colour of each state's tag (components/status_tag.html).
    STATE_COLORS: ClassVar[dict[str, str]] = {
        "done": "success",
        "open": "warning",
        "not_assessed": "info",
        "not_required": "neutral",
    }

    kind: str
    label: Any
    consultation: Consultation | None

    @property
    def state(self) -> str:
        """``not_assessed``, ``not_required``, ``open`` or ``done``."""
        if self.consultation is None:
            return "not_assessed"
        if not self.consultation.required:
            return "not_required"
        return str(self.consultation.status)

    @property
    def state_label(self) -> Any:
        return CONSULTATION_STATES[self.state]

    @property
    def blocks_recommendation(self) -> bool:
        return self.consultation is None or self.consultation.is_open


def consultation_rows(consultations: Iterable[Consultation]) -> list[ConsultationRow]:
    """One row per kind, in the order of ``Consultation.Kind``, from a case's recorded consultations."""
    by_kind = {c.kind: c for c in consultations}
    return [ConsultationRow(kind, label, by_kind.get(kind)) for kind, label in Consultation.Kind.choices]


def case_consultations(*, case: Case) -> list[ConsultationRow]:
    return consultation_rows(case.consultations.select_related("recorded_by"))


def consultations_by_case(*, case_ids: Iterable[int]) -> dict[int, list[ConsultationRow]]:
    """The consultation rows of each of ``case_ids``, in one query."""
    ids = list(case_ids)
    recorded: dict[int, list[Consultation]] = {}
    for consultation in Consultation.objects.filter(case_id__in=ids).select_related("recorded_by"):
        recorded.setdefault(consultation.case_id, []).append(consultation)
    return {case_id: consultation_rows(recorded.get(case_id, [])) for case_id in ids}


def case_attachments(*, case: Case) -> QuerySet[CaseAttachment]:
    return case.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def attachment_get(*, user: User, attachment_id: int) -> CaseAttachment:
    try:
        attachment = CaseAttachment.objects.select_related("case").get(pk=attachment_id)
    except CaseAttachment.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("cases.view_case", attachment.case):
        raise Http404
    return attachment


def submittable_networks(*, user: User) -> QuerySet[Network]:
    """Open networks of the person's regions, to submit a case to."""
    access = access_for(user)
    networks = Network.objects.exclude(status__in=[Network.Status.CLOSED, Network.Status.MERGED])
    if not access.is_superuser:
        networks = networks.filter(region__in=access.regions)
    return networks.select_related("region").order_by("region__name", "name")


def home_region(*, user: User) -> Region | None:
    """The region a case without a network goes to: the person's employer's region."""
    if user.trust_id:
        return Region.objects.filter(trusts=user.trust_id).first()
    if user.region_employer_id:
        return Region.objects.filter(pk=user.region_employer_id).first()
    regions = access_for(user).regions
    return Region.objects.filter(pk__in=regions).order_by("name").first() if len(regions) == 1 else None


def trusts_for(*, user: User) -> QuerySet[HealthTrust]:
    access = access_for(user)
    trusts = HealthTrust.objects.select_related("region")
    return trusts if access.is_superuser else trusts.filter(region__in=access.regions)


def region_networks(*, regions: QuerySet[Region]) -> QuerySet[Network]:
    return (
        Network.objects.filter(region__in=regions)
        .exclude(status__in=[Network.Status.CLOSED, Network.Status.MERGED])
        .select_related("region")
        .order_by("region__name", "name")
    )


def sees_network_cases(user: User, network: Network) -> bool:
    """Whether the person may read the network's case list: its members, and the region's coordinator and director."""
    access = access_for(user)
    return bool(
        access.roles_in(network.pk) or access.is_coordinator(network.region_id) or access.is_director(network.region_id)
    )


def network_for_cases(*, user: User, network_id: int) -> Network:
    """A network whose case list the person may read (``sees_network_cases``); 404 otherwise."""
    try:
        network = Network.objects.select_related("region").get(pk=network_id)
    except Network.DoesNotExist:
        raise Http404 from None
    if not sees_network_cases(user, network):
        raise Http404
    return network


def common_case_list(*, user: User) -> QuerySet[CommonCase]:
    access = access_for(user)
    common = CommonCase.objects.all()
    if not access.is_superuser:
        # The same people as `cases.view_common_case`: the region's coordinator and medical directors, and the
        # leaders and secretaries of its networks.
        led = {
            access.network_regions[network_id]
            for network_id, roles in access.network_roles.items()
            if roles & LEADERSHIP_ROLES and network_id in access.network_regions
        }
        common = common.filter(region__in=access.coordinator_regions | access.director_regions | led)
    return (
        common.select_related("region", "created_by")
        .annotate(
            network_count=Count("cases"),
            answered_count=Count("cases", filter=Q(cases__status__in=ANSWERED_STATUSES)),
        )
        .order_by("-created_at", "-pk")
    )


def common_case_get(*, user: User, common_case_id: int) -> CommonCase:
    try:
        common = CommonCase.objects.select_related("region", "created_by").get(pk=common_case_id)
    except CommonCase.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("cases.view_common_case", common):
        raise Http404
    return common


@dataclass
class MatrixRow:
    network: Network
    case: Case

    @property
    def answered(self) -> bool:
        return self.case.status in ANSWERED_STATUSES


@dataclass
class CommonCaseMatrix:
    rows: list[MatrixRow]

    @property
    def answered_count(self) -> int:
        return sum(1 for row in self.rows if row.answered)


def common_case_matrix(*, user: User, common_case: CommonCase) -> CommonCaseMatrix:
    """Each network the common case went to, with its case and whether it has answered, in one query.

    The coordinator and the medical directors see every network's answer; a network's leader sees only the
    networks they belong to, as they may open only those cases.
    """
    access = access_for(user)
    cases = common_case.cases.select_related("network", "network__region", "decided_by").order_by("network__name")
    if not (access.is_coordinator(common_case.region_id) or access.is_director(common_case.region_id)):
        cases = cases.filter(network_id__in=list(access.network_roles))
    return CommonCaseMatrix(rows=[MatrixRow(network=c.network, case=c) for c in cases if c.network is not None])


@dataclass
class CaseHomeSummary:
    """What the start page can show about cases: the person's own, and what waits for them."""

    my_open: int
    to_route: int
    to_respond: int
    to_decide: int
    overdue: int


def case_home_summary(*, user: User) -> CaseHomeSummary:
    """Counts for the start page, in one query."""
    access = access_for(user)
    led = [n for n, roles in access.network_roles.items() if roles & LEADERSHIP_ROLES]
    open_statuses = list(OPEN_STATUSES)
    none = Q(pk__in=[])
    coordinated = Q(region__in=access.coordinator_regions) if access.coordinator_regions else none
    directed = Q(region__in=access.director_regions) if access.director_regions else none
    led_q = Q(network__in=led) if led else none
    counts = Case.objects.filter(visible_cases_filter(user)).aggregate(
        my_open=Count("pk", filter=Q(submitted_by=user.pk, status__in=open_statuses)),
        to_route=Count("pk", filter=coordinated & Q(network__isnull=True, status=Case.Status.RECEIVED)),
        to_respond=Count("pk", filter=led_q & Q(status=Case.Status.RECEIVED)),
        to_decide=Count("pk", filter=(directed | coordinated) & Q(status=Case.Status.ESCALATED)),
        overdue=Count(
            "pk",
            filter=(led_q | coordinated) & Q(status__in=open_statuses, due_date__lt=timezone.localdate()),
        ),
    )
    return CaseHomeSummary(**counts)


def case_years(*, user: User) -> list[int]:
    return list(
        Case.objects.filter(visible_cases_filter(user)).order_by("-year").values_list("year", flat=True).distinct()
    )


def trust_choices(*, user: User) -> QuerySet[HealthTrust]:
    return trusts_for(user=user).order_by("region__name", "name")


# --- The case list's page (issue 23): a keyset page of flat rows, and the filter form's choices ---------------------

#: Rows on a page of a case list.
CASE_PAGE_SIZE = 50

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class CaseCursor:
    """A row of a case list, as the place a page starts after or ends before. The lists run newest first, by
    (``submitted_at``, ``id``): a stable order (the id breaks ties) that the index ``case_submitted_keyset`` serves."""

    submitted_at: datetime.datetime
    pk: int

    def token(self) -> str:
        """The cursor in a link: microseconds since 1970 and the id, ``1733400000123456-42``."""
        return f"{(self.submitted_at - _EPOCH) // datetime.timedelta(microseconds=1)}-{self.pk}"

    @classmethod
    def parse(cls, token: str | None) -> "CaseCursor | None":
        """The cursor of a link; ``None`` for anything else (a mangled link then shows the first page)."""
        micros, _, pk = (token or "").partition("-")
        if not (micros.isdigit() and pk.isdigit()) or len(micros) > 17 or len(pk) > 12:
            return None
        return cls(_EPOCH + datetime.timedelta(microseconds=int(micros)), int(pk))


@dataclass(slots=True)
class CaseRow:
    """One row of a case list, ready to show: every label, address and date made once per request.

    A common case the person may open is one row (``common_row``) leading to its progress matrix. Not frozen: a
    frozen dataclass sets each of its fields through ``object.__setattr__``, which made building a page's 50 rows
    cost as much as writing their HTML; nothing changes a row once made."""

    pk: int
    url: str
    reference: str
    title: str
    source: str
    network: str
    origin: str
    submitted_by: str
    status_label: str
    status_color: str
    due: str
    overdue: bool
    common_row: bool
    common_case_id: int | None
    common_sent: int
    common_answered: int


@dataclass(frozen=True)
class CasePage:
    """A page of a case list: its rows, how many cases match in all, and the cursors of the pages either side
    (``None`` where there is none); ``first`` when it is the list's first page."""

    object_list: list[CaseRow]
    count: int
    next_cursor: str | None
    previous_cursor: str | None
    first: bool

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


# --- The page's one statement (docs/ARCHITECTURE.md, "Hand-written SQL on the busiest pages") ---------------------
# ``case_list``'s cases, their count and their common cases' titles and counts, which cost ~3 ms of the ORM's Python
# to build and compile as three queries. The same on PostgreSQL and SQLite but for a words search, which is each
# database's own as in ``_search``. Built from the filters that are set, every value a named parameter (a condition
# written twice, for the list and its subquery, uses the same names); held to ``case_list`` by
# ``tests/test_case_list_page.py``.


def _in(column: str, name: str, values: Iterable[Any], params: dict[str, Any]) -> str:
    """``column IN (%(name0)s, …)`` with ``values`` set in ``params``; a condition no row meets when there are none
    (as the ORM's ``__in`` an empty list)."""
    names = []
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
        names.append(f"%({name}{i})s")
    return f"{column} IN ({', '.join(names)})" if names else "1 = 0"


def _matched_sql(user: User, filters: CaseFilters, c: str, params: dict[str, Any]) -> str:
    """``case_list``'s conditions before common cases are collapsed (``visible_cases_filter``, the filters, the
    search) on the table alias ``c``."""
    access = access_for(user)
    conditions = []
    if not access.is_superuser:
        params["user"] = user.pk
        visible = [f"{c}.submitted_by_id = %(user)s"]
        regions = access.coordinator_regions | access.director_regions
        if regions:
            visible.append(_in(f"{c}.region_id", "region", sorted(regions), params))
        if access.network_roles:
            visible.append(_in(f"{c}.network_id", "network", sorted(access.network_roles), params))
        if access.fagsjef_trusts:
            visible.append(_in(f"{c}.trust_id", "trust", sorted(access.fagsjef_trusts), params))
        conditions.append(f"({' OR '.join(visible)})")
    if filters.mine:
        params["user"] = user.pk
        conditions.append(f"{c}.submitted_by_id = %(user)s")
    if filters.unrouted:
        conditions.append(f"{c}.network_id IS NULL")
    if filters.network:
        params["in_network"] = filters.network
        conditions.append(f"{c}.network_id = %(in_network)s")
    open_statuses = f"{c}.status IN ({', '.join(f'%(open{i})s' for i in range(len(OPEN_STATUSES)))})"
    if filters.status == OPEN_FILTER or filters.overdue:
        params.update({f"open{i}": status for i, status in enumerate(sorted(OPEN_STATUSES))})
    if filters.status == OPEN_FILTER:
        conditions.append(open_statuses)
    elif filters.status:
        params["status"] = filters.status
        conditions.append(f"{c}.status = %(status)s")
    if filters.trust:
        params["of_trust"] = filters.trust
        conditions.append(f"{c}.trust_id = %(of_trust)s")
    if filters.year:
        params["year"] = filters.year
        conditions.append(f"{c}.year = %(year)s")
    if filters.overdue:
        params["today"] = connection.ops.adapt_datefield_value(timezone.localdate())
        conditions.append(f"{open_statuses} AND {c}.due_date < %(today)s")
    if filters.q.strip():
        conditions.append(_search_sql(filters.q.strip(), c, params))
    return " AND ".join(conditions) or "1 = 1"


#: The columns a words search reads, in the order ``_search`` gives them to PostgreSQL's full-text search.
_SEARCHED = ("title", "description", "wanted", "recommendation", "decision")


def _search_sql(q: str, c: str, params: dict[str, Any]) -> str:
    """``_search`` as a condition on the alias ``c``: a case number; or the words, on PostgreSQL its Norwegian
    full-text search as ``SearchVector``/``SearchQuery`` write it, elsewhere each word a case-insensitive substring of
    one of the columns as ``__lower__contains`` writes it."""
    reference = _REFERENCE.match(q)
    if reference:
        code, year, number = reference.group(1), int(reference.group(2)), int(reference.group(3))
        if code:
            params["reference"] = case_reference(code.upper(), year, number)
            return f"{c}.reference = %(reference)s"
        params["ref_year"], params["ref_number"] = year, number
        return f"{c}.year = %(ref_year)s AND {c}.number = %(ref_number)s"
    if connection.vendor == "postgresql":
        params["words"] = q
        document = " || ' ' || ".join(f"COALESCE({c}.{column}, '')" for column in _SEARCHED)
        query = "websearch_to_tsquery('norwegian'::regconfig, %(words)s)"
        return f"to_tsvector('norwegian'::regconfig, {document}) @@ {query}"
    words = []
    for i, word in enumerate(q.lower().split()):
        params[f"word{i}"] = f"%{connection.ops.prep_for_like_query(word)}%"
        anywhere = " OR ".join(f"LOWER({c}.{column}) LIKE %(word{i})s ESCAPE '\\'" for column in _SEARCHED)
        words.append(f"({anywhere})")
    return " AND ".join(words) or "1 = 1"


def _collapsible_sql(regions: set[int] | None, c: str, params: dict[str, Any]) -> str:
    """``_common_cases_once``'s ``collapsible`` on the alias ``c``: a case of a common case of a region whose common
    cases the person may open (``regions``; ``None`` for every region)."""
    if regions is None:
        return f"{c}.common_case_id IS NOT NULL"
    return f"({c}.common_case_id IS NOT NULL AND {_in(f'{c}.region_id', 'common_region', sorted(regions), params)})"


def _page_statement(
    user: User, filters: CaseFilters, *, collapsed: bool, cursor: "CaseCursor | None", older: bool, size: int
) -> tuple[str, dict[str, Any]]:
    """One statement for a page of ``case_list``: the count of the whole list in every row, joined to up to ``size``
    of the list's rows (none: one row with the count alone), each with its common case's title, due date and counts
    when it stands for one. ``older``: newest first from before ``cursor``; otherwise oldest first from after it (the
    rows before a page, which ``case_list_page`` puts back in order).

    The rows' networks, trusts and regions come as ids, named from ``CaseNames``: joining their three tables cost
    PostgreSQL more to plan (~0.9 ms) than the rest of the statement to run."""
    params: dict[str, Any] = {"size": size}
    matched = _matched_sql(user, filters, "c", params)
    if collapsed:
        regions = common_case_regions(user)
        collapsible = _collapsible_sql(regions, "c", params)
        # A common case counts once however many of its cases match, as ``_common_cases_once`` keeps one row of it.
        total = (
            f"COUNT(CASE WHEN {collapsible} THEN NULL ELSE 1 END)"
            f" + COUNT(DISTINCT CASE WHEN {collapsible} THEN c.common_case_id END)"
        )
        first_of_each = f"{_matched_sql(user, filters, 'f', params)} AND {_collapsible_sql(regions, 'f', params)}"
        firsts = f"SELECT MIN(f.id) FROM cases_case f WHERE {first_of_each} GROUP BY f.common_case_id"  # noqa: S608
        shown = f"{matched} AND (NOT {collapsible} OR c.id IN ({firsts}))"
        common_row = collapsible
    else:
        total, shown, common_row = "COUNT(*)", matched, "1 = 0"
    if cursor is not None:
        params["at"] = connection.ops.adapt_datetimefield_value(cursor.submitted_at)
        params["pk"] = cursor.pk
        shown += f" AND (c.submitted_at, c.id) {'<' if older else '>'} (%(at)s, %(pk)s)"
    order = "DESC" if older else "ASC"
    answered = _in("s.status", "answered", sorted(ANSWERED_STATUSES), params)
    # Only conditions of named placeholders, the aliases and the order are formatted in; every value is a parameter.
    sql = f"""
        SELECT k.n, p.id, p.reference, p.title, p.source, p.status, p.due_date, p.submitted_at, p.network_id,
               p.trust_id, p.region_id, p.first_name, p.last_name, p.username, p.common_case_id, p.common_row,
               cc.title, cc.due_date,
               CASE WHEN p.common_row
                    THEN (SELECT COUNT(*) FROM cases_case s WHERE s.common_case_id = p.common_case_id) ELSE 0 END,
               CASE WHEN p.common_row
                    THEN (SELECT COUNT(*) FROM cases_case s WHERE s.common_case_id = p.common_case_id AND {answered})
                    ELSE 0 END
        FROM (SELECT {total} AS n FROM cases_case c WHERE {matched}) k
        LEFT JOIN (
            SELECT c.id, c.reference, c.title, c.source, c.status, c.due_date, c.submitted_at, c.network_id,
                   c.trust_id, c.region_id, u.first_name, u.last_name, u.username, c.common_case_id,
                   {common_row} AS common_row
            FROM cases_case c
            INNER JOIN accounts_user u ON u.id = c.submitted_by_id
            WHERE {shown}
            ORDER BY c.submitted_at {order}, c.id {order}
            LIMIT %(size)s
        ) p ON 1 = 1
        LEFT JOIN cases_commoncase cc ON cc.id = p.common_case_id AND p.common_row
        ORDER BY p.submitted_at {order}, p.id {order}
    """  # noqa: S608
    return sql, params


def _page_rows(fetched: list[tuple[Any, ...]], names: "CaseNames") -> list[CaseRow]:
    """The rows of ``_page_statement`` ready to show, each label and address made once (a row of the count alone,
    with no case, is left out)."""
    networks, trusts, regions = names.networks, names.trusts, names.regions
    case_url = prepared.url_pattern("cases:detail")
    common_url = prepared.url_pattern("cases:common_detail")
    sources = prepared.labels(Case.Source.choices)
    statuses = prepared.labels(Case.Status.choices)
    short_date = prepared.date_formatter()
    today = timezone.localdate()
    open_statuses = OPEN_STATUSES
    rows = []
    for fetched_row in fetched:
        (_n, pk, reference, title, source, status, due_date, _at, network_id, trust_id, region_id, first_name,
         last_name, username, common_case_id, common_row, common_title, common_due, sent,
         answered) = fetched_row  # fmt: skip
        if pk is None:
            continue
        common_row = bool(common_row)
        due = prepared.raw_date(common_due if common_row else due_date)
        name = f"{first_name} {last_name}".strip()
        region = regions[region_id]
        rows.append(
            CaseRow(
                pk=pk,
                url=common_url(common_case_id) if common_row else case_url(pk),
                reference=reference,
                title=common_title if common_row else title,
                source=sources.get(source, source),
                network=networks[network_id] if network_id is not None else "",
                origin=region if common_row or trust_id is None else trusts[trust_id] or region,
                submitted_by=name or username,
                status_label=statuses.get(status, status),
                status_color=Case.STATUS_COLORS.get(status, "neutral"),
                due=short_date(due),
                overdue=not common_row and due is not None and due < today and status in open_statuses,
                common_row=common_row,
                common_case_id=common_case_id,
                common_sent=sent,
                common_answered=answered,
            )
        )
    return rows


def _run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as db:
        db.execute(sql, params)
        return db.fetchall()


def case_list_page(
    *,
    user: User,
    filters: CaseFilters | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = CASE_PAGE_SIZE,
    names: "CaseNames | None" = None,
) -> CasePage:
    """A page of ``case_list`` (the same cases, scoped to the person, newest first, a common case once) and the count
    of the whole list, in one statement (``_page_statement``). The page starts after the cursor ``after`` or ends
    before ``before`` (keyset pagination: no OFFSET, so a page deep in the list costs what the first does); a second
    statement only when fewer than a page come before ``before`` (then the list's first page shows).

    ``names`` are the page's filter choices' (``case_filter_choices``), which the list's view has read already; read
    here when not given, and again, uncached, should a row name one they do not know."""
    filters = filters or CaseFilters()
    collapsed = not filters.network  # as case_list: a network's own list shows the network's case of a common case
    start, end = CaseCursor.parse(after), CaseCursor.parse(before)
    first = False

    def read(cursor: CaseCursor | None, *, older: bool = True) -> list[tuple[Any, ...]]:
        return _run(*_page_statement(user, filters, collapsed=collapsed, cursor=cursor, older=older, size=size + 1))

    if end is not None:
        fetched = read(end, older=False)
        if len(fetched) > size:
            fetched = fetched[:size]
            fetched.reverse()
        else:  # fewer than a page before it: that is the list's first page
            fetched, first = read(None), True
    elif start is not None:
        fetched = read(start)
    else:
        fetched, first = read(None), True
    count = fetched[0][0]
    names = names or case_filter_choices(user=user).names
    if not names.know(fetched):
        names = _case_names()
    rows = _page_rows(fetched, names)
    more = (end is None or first) and len(rows) > size
    shown = rows[:size]
    at = {pk: at for pk, at in ((r[1], r[7]) for r in fetched) if pk is not None}

    def cursor(row: CaseRow) -> str:
        return CaseCursor(prepared.raw_datetime(at[row.pk]), row.pk).token()

    return CasePage(
        object_list=shown,
        count=count,
        next_cursor=cursor(shown[-1]) if shown and (more or (end is not None and not first)) else None,
        previous_cursor=cursor(shown[0]) if shown and not first else None,
        first=first,
    )


@dataclass(frozen=True)
class CaseNames:
    """How a case list names its rows' networks, health trusts and regions, by id: the network's name, the trust's and
    the region's short name. All of them, not the person's regions' only: a case may be sent to another region."""

    networks: dict[int, str]
    trusts: dict[int, str]
    regions: dict[int, str]

    def know(self, fetched: Iterable[tuple[Any, ...]]) -> bool:
        """Whether every network, trust and region of ``_page_statement``'s rows is named here."""
        networks, trusts, regions = self.networks, self.trusts, self.regions
        return all(
            (network is None or network in networks) and (trust is None or trust in trusts) and region in regions
            for network, trust, region in (row[8:11] for row in fetched if row[1] is not None)
        )


def _case_names() -> CaseNames:
    return CaseNames(
        networks=dict(Network.objects.order_by().values_list("pk", "name")),
        trusts=dict(HealthTrust.objects.order_by().values_list("pk", "short_name")),
        regions=dict(Region.objects.order_by().values_list("pk", "short_name")),
    )


@dataclass(frozen=True)
class CaseFilterChoices:
    """The case list filter's choices for a person: the networks and trusts of their regions, and the years; and
    the names the list's rows show (they change when the choices do)."""

    networks: list[tuple[int, str]]
    trusts: list[tuple[int, str]]
    years: list[int]
    names: CaseNames


def _choices_state(regions: list[int] | None) -> tuple[str | None, str | None, str | None, int | None, int | None]:
    """What the cached choices depend on, in one hand-written query (the ORM's compile cost would be most of it):
    the newest history row of networks, health trusts and regions, as its id and time (every save and delete writes
    one, the bulk writes too — ``core.bulk``), so any change anywhere gives new choices at once, and the first and
    last year of the regions' cases. The time as well as the id: a test's rolled-back rows leave SQLite's ids to be
    given again, to other rows with other names, in the next test."""
    in_regions, params = "", []
    if regions is not None:
        in_regions = f"WHERE region_id IN ({', '.join(['%s'] * len(regions))})" if regions else "WHERE FALSE"
        params = list(regions)
    # Only placeholders are formatted in; the region ids go as parameters.
    sql = (
        "SELECT (SELECT history_id || ' ' || history_date FROM networks_historicalnetwork "  # noqa: S608
        "ORDER BY history_id DESC LIMIT 1), "
        "(SELECT history_id || ' ' || history_date FROM organisations_historicalhealthtrust "
        "ORDER BY history_id DESC LIMIT 1), "
        "(SELECT history_id || ' ' || history_date FROM organisations_historicalregion "
        "ORDER BY history_id DESC LIMIT 1), "
        f"(SELECT MIN(year) FROM cases_case {in_regions}), (SELECT MAX(year) FROM cases_case {in_regions})"
    )
    with connection.cursor() as db:
        db.execute(sql, params + params)
        row = db.fetchone()
    return row[0], row[1], row[2], row[3], row[4]


def case_filter_choices(*, user: User) -> CaseFilterChoices:
    """The choices of the case list's filter form for ``user``: the open networks and the health trusts of their
    regions (``submittable_networks``, ``trust_choices``) and the years from the regions' first case to this one.

    Networks and trusts, and the names of every network, trust and region (``CaseNames``), are cached per set of
    regions, keyed by the version ``_choices_state`` reads (one small query a request), so a new or renamed network,
    trust or region shows at once in every process."""
    access = access_for(user)
    regions = None if access.is_superuser else sorted(access.regions)
    nets, trusts, region_version, first_year, last_year = _choices_state(regions)
    this_year = timezone.localdate().year
    if first_year is None:
        years = [this_year]
    else:
        years = list(range(max(this_year, last_year or this_year), first_year - 1, -1))
    scope = "all" if regions is None else ",".join(map(str, regions))
    version = ":".join(str(newest).replace(" ", "T") for newest in (nets, trusts, region_version))
    key = f"cases:filter-choices:{scope}:{version}"
    cached = cache.get(key)
    if cached is None:
        cached = (
            list(submittable_networks(user=user).values_list("pk", "name")),
            list(trust_choices(user=user).values_list("pk", "name")),
            _case_names(),
        )
        cache.set(key, cached, 24 * 3600)
    return CaseFilterChoices(networks=cached[0], trusts=cached[1], years=years, names=cached[2])
