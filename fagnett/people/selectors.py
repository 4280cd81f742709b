"""Reads of the region's people, scoped to the person asking.

The region's people are those it employs: the people of its trusts and of the RHF itself. Its coordinator reads
them all; a fagsjef reads the people of their own trust. Outside the region every page answers 404, so an id does
not tell whether someone exists; inside it, someone without either role gets 403. Lists and pages cost a fixed
number of queries, whatever the number of people, roles and records.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from fagnett.access import APPOINTED, access_for
from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.cases.models import OPEN_STATUSES, Case
from fagnett.meetings.models import ActionItem
from fagnett.meetings.selectors import case_reader, mark_cases
from fagnett.networks.models import Appointment
from fagnett.organisations.models import HealthTrust, Region
from fagnett.people.models import PersonMerge
from fagnett.procedures.models import Procedure, Status

#: The trust filter's value for people employed by the RHF itself.
RHF = "rhf"
#: The role filter's values besides the regional and trust roles.
APPOINTED_ANYWHERE = "appointed"
NO_ROLE = "none"


@dataclass(frozen=True)
class Scope:
    """Whose people a person reads in a region: all of them (coordinator) or their own trusts' (fagsjef)."""

    region: Region
    manages: bool
    #: the fagsjef's trusts in the region; empty for the coordinator, who reads every trust
    trusts: frozenset[int] = frozenset()

    def people(self) -> QuerySet[User]:
        people = User.objects.filter(region_people_filter(self.region))
        if not self.manages:
            people = people.filter(trust_id__in=self.trusts)
        return people


def region_people_filter(region: Region | int) -> Q:
    region_id = region.pk if isinstance(region, Region) else region
    return Q(trust__region_id=region_id) | Q(region_employer_id=region_id)


def people_regions(*, user: User) -> QuerySet[Region]:
    """The regions whose people the person reads: those they coordinate and those where they are a fagsjef."""
    access = access_for(user)
    regions = Region.objects.order_by("name")
    if access.is_superuser:
        return regions
    fagsjef_regions = set(HealthTrust.objects.filter(pk__in=access.fagsjef_trusts).values_list("region_id", flat=True))
    return regions.filter(pk__in=access.coordinator_regions | fagsjef_regions)


def scope_get(*, user: User, region_id: int) -> Scope:
    """The person's scope in the region: 404 outside the region, 403 in it without the coordinator's or a fagsjef's
    role there."""
    region = Region.objects.filter(pk=region_id).first()
    access = access_for(user)
    if region is None or not access.in_region(region.pk):
        raise Http404
    if user.has_perm("people.manage_people", region):
        return Scope(region=region, manages=True)
    if not user.has_perm("people.view_people", region):
        raise PermissionDenied
    trusts = frozenset(t for t in access.fagsjef_trusts if access.trust_regions.get(t) == region.pk)
    return Scope(region=region, manages=False, trusts=trusts)


def region_trusts(*, scope: Scope) -> QuerySet[HealthTrust]:
    trusts = HealthTrust.objects.filter(region=scope.region).order_by("name")
    return trusts if scope.manages else trusts.filter(pk__in=scope.trusts)


# --- The list ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFilters:
    q: str = ""
    #: a trust's id, ``RHF``, or empty for all
    trust: str = ""
    #: a regional or trust role, ``APPOINTED_ANYWHERE``, ``NO_ROLE``, or empty
    role: str = ""
    #: "never" or "ever" logged in, or empty
    login: str = ""
    #: "active", "deactivated", "merged", or empty for everyone
    status: str = ""


def _roles_prefetch(region: Region) -> list[Prefetch]:
    return [
        Prefetch("region_roles", queryset=RegionRole.objects.filter(region=region).order_by("role")),
        Prefetch(
            "trust_roles",
            queryset=TrustRole.objects.filter(trust__region=region).select_related("trust").order_by("trust__name"),
        ),
    ]


def _holds(role: str, region: Region) -> Q:
    person = OuterRef("pk")
    if role in RegionRole.Role.values:
        return Q(Exists(RegionRole.objects.filter(user=person, region=region, role=role)))
    if role in TrustRole.Role.values:
        return Q(Exists(TrustRole.objects.filter(user=person, trust__region=region, role=role)))
    appointed = Exists(Appointment.objects.filter(person=person, network__region=region, status=APPOINTED))
    if role == APPOINTED_ANYWHERE:
        return Q(appointed)
    if role == NO_ROLE:
        return ~Q(appointed) & ~_holds_any(region)
    return Q()


def _holds_any(region: Region) -> Q:
    person = OuterRef("pk")
    return Q(Exists(RegionRole.objects.filter(user=person, region=region))) | Q(
        Exists(TrustRole.objects.filter(user=person, trust__region=region))
    )


def _search(people: QuerySet[User], q: str) -> QuerySet[User]:
    """Every word in a name, the username or the e-mail address ("kari nord" finds Kari Nordmann)."""
    for word in q.lower().split():
        people = people.filter(
            Q(first_name__lower__contains=word)
            | Q(last_name__lower__contains=word)
            | Q(email__lower__contains=word)
            | Q(username__lower__contains=word)
        )
    return people


def person_list(*, scope: Scope, filters: PersonFilters | None = None) -> QuerySet[User]:
    """The region's people in the scope that match ``filters``, by name, with their roles in the region, their
    appointments counted and the record they were merged into: one query, plus two for the roles of a page."""
    filters = filters or PersonFilters()
    people: QuerySet[User] = (
        scope.people()
        .select_related("trust", "region_employer", "merge__kept")
        .prefetch_related(*_roles_prefetch(scope.region))
        .annotate(
            appointment_count=Count(
                "appointments",
                filter=Q(appointments__status=APPOINTED, appointments__network__region=scope.region),
                distinct=True,
            )
        )
        .order_by("first_name", "last_name", "pk")
    )
    if filters.q.strip():
        people = _search(people, filters.q)
    if filters.trust == RHF:
        people = people.filter(region_employer=scope.region)
    elif filters.trust:
        people = people.filter(trust_id=int(filters.trust))
    if filters.role:
        people = people.filter(_holds(filters.role, scope.region))
    if filters.login == "never":
        people = people.filter(last_login__isnull=True)
    elif filters.login == "ever":
        people = people.filter(last_login__isnull=False)
    merged = Q(Exists(PersonMerge.objects.filter(merged=OuterRef("pk"))))
    if filters.status == "active":
        people = people.filter(is_active=True)
    elif filters.status == "deactivated":
        people = people.filter(Q(is_active=False) & ~merged)
    elif filters.status == "merged":
        people = people.filter(merged)
    return people


# --- One person ----------------------------------------------------------------------------------------------------


def person_get(*, scope: Scope, person_id: int) -> User:
    """A person of the scope, with their employer; 404 for anyone else."""
    person = scope.people().select_related("trust", "region_employer", "merge__kept").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@dataclass
class PersonRoles:
    region_roles: list[RegionRole]
    trust_roles: list[TrustRole]


def person_roles(*, person: User, region: Region) -> PersonRoles:
    return PersonRoles(
        region_roles=list(RegionRole.objects.filter(user=person, region=region).order_by("role")),
        trust_roles=list(
            TrustRole.objects.filter(user=person, trust__region=region).select_related("trust").order_by("trust__name")
        ),
    )


def person_appointments(*, person: User, region: Region) -> list[Appointment]:
    """The person's appointments in the region's networks, open ones first."""
    return list(
        Appointment.objects.filter(person=person, network__region=region)
        .select_related("network", "trust")
        .order_by("status", "network__name", "pk")
    )


def person_merges(*, person: User) -> tuple[PersonMerge | None, list[PersonMerge]]:
    """The merge that made this record part of another (if it was), and the records merged into it."""
    merges = list(
        PersonMerge.objects.filter(Q(kept=person) | Q(merged=person)).select_related("kept", "merged", "merged_by")
    )
    into = next((m for m in merges if m.merged_id == person.pk), None)
    return into, [m for m in merges if m.kept_id == person.pk]


# --- Open work -----------------------------------------------------------------------------------------------------


@dataclass
class OpenWork:
    """What a person (or the region's deactivated people) still has to do, each with where it is given to others."""

    action_items: list[ActionItem] = field(default_factory=list)
    tasks: list[Case] = field(default_factory=list)
    cases_responsible: list[Case] = field(default_factory=list)
    cases_submitted: list[Case] = field(default_factory=list)
    procedures: list[Procedure] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(
            len(part)
            for part in (
                self.action_items,
                self.tasks,
                self.cases_responsible,
                self.cases_submitted,
                self.procedures,
                self.appointments,
            )
        )


def open_work(*, user: User, region: Region, people: QuerySet[User] | User) -> OpenWork:
    """Open action items, cases and tasks the people are responsible for, open cases they submitted, procedures
    they are responsible for and their current appointments, in the region: six queries."""
    who: Any = people if isinstance(people, User) else people.values("pk")
    lookup = "" if isinstance(people, User) else "__in"
    open_cases = Case.objects.filter(region=region, status__in=OPEN_STATUSES).select_related(
        "network", "responsible", "submitted_by"
    )
    responsible = list(open_cases.filter(**{f"responsible{lookup}": who}).order_by("due_date", "pk"))
    items = (
        ActionItem.objects.filter(network__region=region, status=ActionItem.Status.OPEN, **{f"owner{lookup}": who})
        .select_related("network", "owner", "case")
        .order_by("due_date", "pk")
    )
    return OpenWork(
        action_items=mark_cases(items, case_reader(user)),
        tasks=[case for case in responsible if case.source == Case.Source.RHF_TASK],
        cases_responsible=[case for case in responsible if case.source != Case.Source.RHF_TASK],
        cases_submitted=list(open_cases.filter(**{f"submitted_by{lookup}": who}).order_by("submitted_at", "pk")),
        procedures=list(
            Procedure.objects.filter(network__region=region, **{f"responsible{lookup}": who})
            .exclude(status=Status.WITHDRAWN)
            .select_related("network", "responsible")
            .order_by("review_date", "pk")
        ),
        appointments=list(
            Appointment.objects.filter(
                network__region=region,
                status__in=(Appointment.Status.NOMINATED, Appointment.Status.APPOINTED),
                **{f"person{lookup}": who},
            )
            .select_related("network", "person")
            .order_by("network__name", "pk")
        ),
    )


def deactivated_people(*, scope: Scope) -> QuerySet[User]:
    """The region's deactivated people (records merged into others have nothing left to give away)."""
    return scope.people().filter(is_active=False).exclude(Exists(PersonMerge.objects.filter(merged=OuterRef("pk"))))


# --- Merging -------------------------------------------------------------------------------------------------------


def merge_candidates(*, scope: Scope, person: User, q: str = "", limit: int = 20) -> list[User]:
    """Records that may be the same person as ``person``: those matching ``q`` or, without it, those with the same
    name or the same e-mail address; never the person, a record merged away, or an administrator."""
    people = (
        scope.people()
        .exclude(pk=person.pk)
        .exclude(Exists(PersonMerge.objects.filter(merged=OuterRef("pk"))))
        .exclude(Q(is_staff=True) | Q(is_superuser=True))
        .select_related("trust", "region_employer")
        .order_by("first_name", "last_name", "pk")
    )
    if q.strip():
        people = _search(people, q)
    else:
        same = Q(first_name__iexact=person.first_name, last_name__iexact=person.last_name)
        if person.email:
            same |= Q(email__iexact=person.email)
            local = person.email.split("@", 1)[0]
            if local:
                same |= Q(email__istartswith=f"{local}@")
        people = people.filter(same)
    return list(people[:limit])


@dataclass
class RecordSummary:
    """What each of two records holds, side by side on the merge page."""

    appointments: int
    cases_submitted: int
    action_items: int
    roles: int


def record_summary(*, person: User) -> RecordSummary:
    counts = User.objects.filter(pk=person.pk).aggregate(
        appointments=Count("appointments", distinct=True),
        cases_submitted=Count("cases_submitted", distinct=True),
        action_items=Count("action_items", distinct=True),
        region_roles=Count("region_roles", distinct=True),
        trust_roles=Count("trust_roles", distinct=True),
    )
    return RecordSummary(
        appointments=counts["appointments"],
        cases_submitted=counts["cases_submitted"],
        action_items=counts["action_items"],
        roles=counts["region_roles"] + counts["trust_roles"],
    )
