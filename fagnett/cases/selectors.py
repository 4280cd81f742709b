"""Reads for cases, always scoped to the person asking.

A person sees the cases they submitted, every case of the networks they are appointed to, every case
of the regions they coordinate or direct, and, as fagsjef, the cases from their trusts. Anything else
answers 404, so a case number does not reveal that a case exists.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
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


def _common_cases_once(cases: QuerySet[Case], user: User) -> QuerySet[Case]:
    """Of each common case the person may open, only its first matching case stays, marked ``common_row`` with how
    many networks it went to and how many have answered: the list's row leads to the progress matrix. In the same
    query (a subquery per number), so the list's query count stays flat."""
    regions = common_case_regions(user)
    in_regions = Q() if regions is None else Q(region__in=regions)
    collapsible = Q(common_case__isnull=False) & in_regions
    earlier = cases.order_by().filter(common_case=OuterRef("common_case"), pk__lt=OuterRef("pk"))
    siblings = Case.objects.filter(common_case=OuterRef("common_case")).order_by().values("common_case")
    return cases.exclude(collapsible & Q(Exists(earlier))).annotate(
        common_row=ExpressionWrapper(collapsible, output_field=BooleanField()),
        common_sent=Coalesce(Subquery(siblings.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0),
        common_answered=Coalesce(
            Subquery(
                siblings.filter(status__in=ANSWERED_STATUSES).annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def case_list(*, user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases the person may see that match ``filters``, newest first, in one query.

    A common case shows once in a list across networks (``_common_cases_once``); a network's own list shows the
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
        cases = _common_cases_once(cases, user)
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
