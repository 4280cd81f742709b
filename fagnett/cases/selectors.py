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
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
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


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One row of a case list, ready to show: every label, address and date made once per request.

    A common case the person may open is one row (``common_row``) leading to its progress matrix."""

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

    def __getitem__(self, name: str) -> Any:
        # The template engine looks ``row.title`` up as ``row["title"]`` first and falls back to the attribute only
        # after catching the TypeError; answering the item look-up spares that exception on each of ~600 look-ups.
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


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


_ROW_FIELDS = (
    "pk",
    "reference",
    "title",
    "source",
    "status",
    "due_date",
    "submitted_at",
    "network__name",
    "trust__short_name",
    "region__short_name",
    "submitted_by__first_name",
    "submitted_by__last_name",
    "submitted_by__username",
    "common_case_id",
)


def _common_rows(common_ids: set[int]) -> dict[int, dict[str, Any]]:
    """The title, due date and counts (networks sent to, answered) of the common cases shown as rows, in one query.

    Asked on every page that may show such a row, even when this one shows none (no id is 0), so that a page's
    number of queries does not depend on what it happens to show (tests/test_query_counts.py)."""
    found = (
        CommonCase.objects.filter(pk__in=common_ids or [0])
        .order_by()
        .values("pk", "title", "due_date")
        .annotate(sent=Count("cases"), answered=Count("cases", filter=Q(cases__status__in=ANSWERED_STATUSES)))
    )
    return {row["pk"]: dict(row) for row in found}


def _prepared_rows(values: list[dict[str, Any]], *, collapsed: bool) -> list[CaseRow]:
    """The rows of ``values`` (``case_list_page``'s query) ready to show, each label and address made once."""
    commons = _common_rows({v["common_case_id"] for v in values if v["common_row"]} if collapsed else set())
    no_common: dict[str, Any] = {"title": "", "due_date": None, "sent": 0, "answered": 0}
    case_url = prepared.url_pattern("cases:detail")
    common_url = prepared.url_pattern("cases:common_detail")
    sources = prepared.labels(Case.Source.choices)
    statuses = prepared.labels(Case.Status.choices)
    short_date = prepared.date_formatter()
    today = timezone.localdate()
    open_statuses = OPEN_STATUSES
    rows = []
    for v in values:
        common_row = collapsed and bool(v["common_row"])
        common = commons.get(v["common_case_id"], no_common) if common_row else no_common
        name = f"{v['submitted_by__first_name']} {v['submitted_by__last_name']}".strip()
        status, due = v["status"], common["due_date"] if common_row else v["due_date"]
        rows.append(
            CaseRow(
                pk=v["pk"],
                url=common_url(v["common_case_id"]) if common_row else case_url(v["pk"]),
                reference=v["reference"],
                title=common["title"] if common_row else v["title"],
                source=sources.get(v["source"], v["source"]),
                network=v["network__name"] or "",
                origin=(v["region__short_name"] if common_row else v["trust__short_name"] or v["region__short_name"]),
                submitted_by=name or v["submitted_by__username"],
                status_label=statuses.get(status, status),
                status_color=Case.STATUS_COLORS.get(status, "neutral"),
                due=short_date(due),
                overdue=not common_row and due is not None and due < today and status in open_statuses,
                common_row=common_row,
                common_case_id=v["common_case_id"],
                common_sent=common["sent"],
                common_answered=common["answered"],
            )
        )
    return rows


def case_list_page(
    *,
    user: User,
    filters: CaseFilters | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = CASE_PAGE_SIZE,
) -> CasePage:
    """A page of ``case_list`` (the same cases, scoped to the person, newest first) in two queries: the count and the
    page's rows as plain values (a third where common cases are collapsed into rows: their titles and counts). The
    page starts after the cursor ``after`` or ends before ``before`` (keyset pagination: no OFFSET, so a page deep in
    the list costs what the first does)."""
    filters = filters or CaseFilters()
    cases = case_list(user=user, filters=filters, common_counts=False)
    collapsed = not filters.network  # case_list collapses common cases (and marks their rows) only then
    fields = (*_ROW_FIELDS, "common_row") if collapsed else _ROW_FIELDS
    key = Tuple(F("submitted_at"), F("pk"))
    start, end = CaseCursor.parse(after), CaseCursor.parse(before)
    rows: list[dict[str, Any]]
    first = False
    if end is not None:
        older_first = cases.filter(TupleGreaterThan(key, (end.submitted_at, end.pk))).order_by("submitted_at", "pk")
        rows = list(older_first.values(*fields)[: size + 1])
        if len(rows) > size:
            rows = rows[:size]
            rows.reverse()
        else:  # fewer than a page before it: that is the list's first page
            rows, first = list(cases.values(*fields)[: size + 1]), True
    elif start is not None:
        rows = list(cases.filter(TupleLessThan(key, (start.submitted_at, start.pk))).values(*fields)[: size + 1])
    else:
        rows, first = list(cases.values(*fields)[: size + 1]), True
    more = (end is None or first) and len(rows) > size
    shown = rows[:size]

    def cursor(row: dict[str, Any]) -> str:
        return CaseCursor(row["submitted_at"], row["pk"]).token()

    return CasePage(
        object_list=_prepared_rows(shown, collapsed=collapsed),
        count=cases.count(),
        next_cursor=cursor(shown[-1]) if shown and (more or (end is not None and not first)) else None,
        previous_cursor=cursor(shown[0]) if shown and not first else None,
        first=first,
    )


@dataclass(frozen=True)
class CaseFilterChoices:
    """The case list filter's choices for a person: the networks and trusts of their regions, and the years."""

    networks: list[tuple[int, str]]
    trusts: list[tuple[int, str]]
    years: list[int]


def _choices_state(regions: list[int] | None) -> tuple[int, int, int, int | None, int | None]:
    """What the cached choices depend on, in one hand-written query (the ORM's compile cost would be most of it):
    the newest history row of networks, health trusts and regions (every save and delete writes one, the bulk
    writes too — ``core.bulk``), so any change anywhere gives new choices at once, and the first and last year of
    the regions' cases."""
    in_regions, params = "", []
    if regions is not None:
        in_regions = f"WHERE region_id IN ({', '.join(['%s'] * len(regions))})" if regions else "WHERE FALSE"
        params = list(regions)
    # Only placeholders are formatted in; the region ids go as parameters.
    sql = (
        "SELECT (SELECT COALESCE(MAX(history_id), 0) FROM networks_historicalnetwork), "  # noqa: S608
        "(SELECT COALESCE(MAX(history_id), 0) FROM organisations_historicalhealthtrust), "
        "(SELECT COALESCE(MAX(history_id), 0) FROM organisations_historicalregion), "
        f"(SELECT MIN(year) FROM cases_case {in_regions}), (SELECT MAX(year) FROM cases_case {in_regions})"
    )
    with connection.cursor() as db:
        db.execute(sql, params + params)
        row = db.fetchone()
    return row[0], row[1], row[2], row[3], row[4]


def case_filter_choices(*, user: User) -> CaseFilterChoices:
    """The choices of the case list's filter form for ``user``: the open networks and the health trusts of their
    regions (``submittable_networks``, ``trust_choices``) and the years from the regions' first case to this one.

    Networks and trusts are cached per set of regions, keyed by the version ``_choices_state`` reads (one small
    query a request), so a new or renamed network or trust shows at once in every process."""
    access = access_for(user)
    regions = None if access.is_superuser else sorted(access.regions)
    nets, trusts, region_version, first_year, last_year = _choices_state(regions)
    this_year = timezone.localdate().year
    if first_year is None:
        years = [this_year]
    else:
        years = list(range(max(this_year, last_year or this_year), first_year - 1, -1))
    scope = "all" if regions is None else ",".join(map(str, regions))
    key = f"cases:filter-choices:{scope}:{nets}:{trusts}:{region_version}"
    cached = cache.get(key)
    if cached is None:
        cached = (
            list(submittable_networks(user=user).values_list("pk", "name")),
            list(trust_choices(user=user).values_list("pk", "name")),
        )
        cache.set(key, cached, 24 * 3600)
    return CaseFilterChoices(networks=cached[0], trusts=cached[1], years=years)
