"""Reads for events and registrations, scoped to the person asking.

Who is invited is never stored: it is everyone appointed, at the time of asking, in one of the event's
networks in one of the roles its audience names. The lists below cost the same few queries however many
events, networks and registrations there are.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.core.rows import raw_date, raw_datetime, url_pattern
from fagnett.events.models import AUDIENCE_ROLES, Event, Registration
from fagnett.networks.models import Appointment, Network
from fagnett.organisations.models import HealthTrust

ACTIVE = (Registration.Status.REGISTERED, Registration.Status.WAITING)


# --- Who is invited --------------------------------------------------------------------------------------------------


def invitations(*, event: Event) -> list[Appointment]:
    """Every appointment through which someone is invited (a person may be invited through several networks)."""
    return list(
        Appointment.objects.filter(
            network__events=event,
            status=Appointment.Status.APPOINTED,
            role__in=event.roles,
            person__is_active=True,
        )
        .select_related("person", "network", "trust")
        .order_by("person__first_name", "person__last_name", "person_id", "network__name", "pk")
    )


@dataclass(frozen=True)
class Invitee:
    person: User
    network: Network
    trust: HealthTrust | None


def invitees(*, event: Event, rows: list[Appointment] | None = None) -> list[Invitee]:
    """Each invited person once, with the first network (by name) they are invited through."""
    result: dict[int, Invitee] = {}
    for appointment in invitations(event=event) if rows is None else rows:
        if appointment.person_id not in result:
            result[appointment.person_id] = Invitee(appointment.person, appointment.network, appointment.trust)
    return list(result.values())


def invitation_for(*, user: User, event: Event) -> list[Appointment]:
    """The person's appointments through which they are invited; empty if they are not invited."""
    if not user.is_authenticated:
        return []
    return list(
        Appointment.objects.filter(
            person=user, network__events=event, status=Appointment.Status.APPOINTED, role__in=event.roles
        )
        .select_related("network", "trust")
        .order_by("network__name", "pk")
    )


def _invited(user: User) -> Exists:
    """True for each event the person is invited to, for use in an annotation or a filter."""
    # One filter() call, so every condition speaks of the same event row of the many-to-many join.
    in_audience = Q()
    for value, roles in AUDIENCE_ROLES.items():
        in_audience |= Q(network__events__audience=value, role__in=sorted(roles))
    return Exists(
        Appointment.objects.filter(
            Q(network__events=OuterRef("pk")) & in_audience, person=user, status=Appointment.Status.APPOINTED
        )
    )


def _invited_by_access(user: User) -> Q:
    """The same events as ``_invited``, from the person's appointments already in ``access_for``.

    One semi-join per audience instead of a correlated subquery over appointments × the four audiences: the start
    page's query took PostgreSQL about 9 ms to plan (more than to run) before.
    """
    through = Event.networks.through
    invited = Q(pk__in=[])
    for audience, roles in AUDIENCE_ROLES.items():
        networks = sorted(n for n, held in access_for(user).network_roles.items() if held & roles)
        if networks:
            in_networks = through.objects.filter(network_id__in=networks).values("event_id")
            invited |= Q(audience=audience, pk__in=in_networks)
    return invited


def _my_status(user: User) -> Subquery:
    return Subquery(Registration.objects.filter(event=OuterRef("pk"), person=user).values("status")[:1])


def _count(status: str) -> Coalesce:
    counts = (
        Registration.objects.filter(event=OuterRef("pk"), status=status)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _network_count() -> Coalesce:
    through = Event.networks.through
    counts = through.objects.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk")).values("n")  # type: ignore[misc]
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _with_counts(events: QuerySet[Event], user: User) -> QuerySet[Event]:
    return events.annotate(
        registered_count=_count(Registration.Status.REGISTERED),
        waiting_count=_count(Registration.Status.WAITING),
        network_count=_network_count(),
        is_invited=_invited(user),
        my_status=_my_status(user),
    )


# --- Events ----------------------------------------------------------------------------------------------------------


@dataclass
class EventList:
    upcoming: list[Event]
    past: list[Event]


def event_list(*, user: User, region_id: int) -> EventList:
    """The region's events, upcoming first-coming first and past most recent first, in one query.

    Each event carries ``registered_count``, ``waiting_count``, ``network_count``, ``is_invited`` (the person
    asking) and ``my_status`` (their registration, if any). The caller has checked the region.
    """
    now = timezone.now()
    events_of_region = Event.objects.filter(region_id=region_id)
    if not access_for(user).is_coordinator(region_id):
        events_of_region = events_of_region.exclude(status=Event.Status.PLANNED)  # drafts are the coordinator's
    events = list(_with_counts(events_of_region, user).select_related("region").order_by("starts_at"))
    return EventList(
        upcoming=[e for e in events if e.ends_at > now],
        past=sorted((e for e in events if e.ends_at <= now), key=lambda e: e.starts_at, reverse=True),
    )


def event_get(*, user: User, event_id: int) -> Event:
    """The event if the person may see it; 404 otherwise (no hint that it exists)."""
    try:
        event = Event.objects.select_related("region", "created_by").get(pk=event_id)
    except Event.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("events.view_event", event):
        raise Http404
    return event


def event_networks(*, event: Event) -> list[Network]:
    """The invited networks, each council and working group after its parent network."""
    networks = list(event.networks.select_related("parent").order_by("name"))
    return sorted(networks, key=lambda n: ((n.parent.name if n.parent else n.name).lower(), n.parent_id is not None))


def upcoming_events(*, user: User, limit: int = 5) -> list[Event]:
    """Events the person is invited to or registered for that have not ended, for the start page.

    Each carries ``my_status`` (the person's registration status or ``None``) and ``is_invited``.
    """
    if not user.is_authenticated:
        return []
    active = Exists(Registration.objects.filter(event=OuterRef("pk"), person=user, status__in=ACTIVE))
    invited = _invited_by_access(user)
    return list(
        Event.objects.filter(status=Event.Status.INVITED, ends_at__gt=timezone.now())
        .filter(invited | active)
        .annotate(my_status=_my_status(user), is_invited=ExpressionWrapper(invited, output_field=BooleanField()))
        .select_related("region")
        .order_by("starts_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class UpcomingEventRow:
    """One of the start page's events, as it prints it: address made once, registration status and whether one can
    still register (``Event.registration_open``) worked out here."""

    pk: int
    title: str
    starts_at: datetime.datetime
    registration_deadline: datetime.date
    my_status: str | None
    registration_open: bool
    url: str


def upcoming_event_rows(*, user: User, limit: int = 5) -> list[UpcomingEventRow]:
    """``upcoming_events`` as plain rows from one hand-written statement (the same on PostgreSQL and SQLite; held to
    ``upcoming_events`` by a test): the ORM's per-audience semi-joins and subqueries cost ~2.5 ms of Python to
    compile, the statement itself a fraction of that."""
    if not user.is_authenticated:
        return []
    ops = connection.ops
    through = Event.networks.through._meta.db_table
    registration = Registration._meta.db_table
    roles = access_for(user).network_roles
    invited: list[str] = []
    params: list[str | int] = []
    for audience, wanted in AUDIENCE_ROLES.items():
        networks = sorted(n for n, held in roles.items() if held & wanted)
        if networks:
            marks = ", ".join(["%s"] * len(networks))
            part = f"(e.audience = %s AND e.id IN (SELECT t.event_id FROM {through} t WHERE t.network_id IN ({marks})))"  # noqa: S608
            invited.append(part)
            params += [audience, *networks]
    now = timezone.now()
    sql = f"""
        SELECT e.id, e.title, e.starts_at, e.registration_deadline,
            (SELECT r.status FROM {registration} r WHERE r.event_id = e.id AND r.person_id = %s
              ORDER BY r.id LIMIT 1)
        FROM {Event._meta.db_table} e
        WHERE e.status = %s AND e.ends_at > %s AND (
            EXISTS (SELECT 1 FROM {registration} a WHERE a.event_id = e.id AND a.person_id = %s
                    AND a.status IN (%s, %s))
            {"".join(" OR " + part for part in invited)})
        ORDER BY e.starts_at, e.id
        LIMIT %s
    """  # noqa: S608 -- only table names and placeholders are formatted in
    with connection.cursor() as db:
        db.execute(
            sql,
            [user.pk, Event.Status.INVITED, ops.adapt_datetimefield_value(now), user.pk, *ACTIVE, *params, limit],
        )
        fetched = db.fetchall()
    today = timezone.localdate()
    url = url_pattern("events:detail")
    rows = []
    for pk, title, starts_at, deadline, my_status in fetched:
        starts_at, deadline = raw_datetime(starts_at), raw_date(deadline)
        # As Event.registration_open; the status is "invited" and the event has not ended.
        rows.append(
            UpcomingEventRow(pk, title, starts_at, deadline, my_status, today <= deadline and starts_at > now, url(pk))
        )
    return rows


# --- Registrations ---------------------------------------------------------------------------------------------------


def registration_for(*, user: User, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.select_related("network").filter(event=event, person=user).first()


@dataclass(frozen=True)
class RegistrationCounts:
    registered: int = 0
    waiting: int = 0
    cancelled: int = 0
    capacity: int | None = None

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.registered, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registered >= self.capacity


def registration_counts(*, event: Event) -> RegistrationCounts:
    """How many are registered, waiting and cancelled, in one query."""
    status = Registration.Status
    counts = Registration.objects.filter(event=event).aggregate(
        registered=Count("pk", filter=Q(status=status.REGISTERED)),
        waiting=Count("pk", filter=Q(status=status.WAITING)),
        cancelled=Count("pk", filter=Q(status=status.CANCELLED)),
    )
    return RegistrationCounts(capacity=event.capacity, **counts)


def waiting_position(*, registration: Registration) -> int | None:
    """The registration's place on the waiting list (1 is next to move up), or ``None`` if it is not waiting."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITING).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


_STATUS_ORDER = Case(
    When(status=Registration.Status.REGISTERED, then=Value(0)),
    When(status=Registration.Status.WAITING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def registration_list(*, event: Event) -> list[Registration]:
    """Registered first (by trust and name), then the waiting list in its order (each with its ``waiting_position``),
    then cancellations; one query."""
    registrations: list[Registration] = list(
        Registration.objects.filter(event=event)
        .select_related("person", "network", "trust")
        .annotate(status_order=_STATUS_ORDER)
        .order_by("status_order", "registered_at", "pk")
    )
    registered = [r for r in registrations if r.status == Registration.Status.REGISTERED]
    registered.sort(key=lambda r: ((r.trust.name if r.trust else "~"), str(r.person).lower()))
    rest = [r for r in registrations if r.status != Registration.Status.REGISTERED]
    position = 0
    for registration in rest:
        if registration.status == Registration.Status.WAITING:
            position += 1
            registration.waiting_position = position  # type: ignore[attr-defined]
    return registered + rest


@dataclass
class SummaryRow:
    label: str
    invited: int = 0
    registered: int = 0
    waiting: int = 0


@dataclass
class RegistrationSummary:
    by_network: list[SummaryRow] = field(default_factory=list)
    by_trust: list[SummaryRow] = field(default_factory=list)
    invited: int = 0
    registered: int = 0
    waiting: int = 0


def registration_summary(
    *, event: Event, registrations: list[Registration], rows: list[Appointment]
) -> RegistrationSummary:
    """Invited, registered and waiting per network and per trust, from lists the page has already read.

    A person invited through two networks counts as invited in both; a registration counts in the network and
    trust the person registered from.
    """
    no_trust = _("No health trust (RHF)")
    no_network = _("No network given")
    networks: dict[str, SummaryRow] = {}
    trusts: dict[str, SummaryRow] = {}
    for network in event_networks(event=event):
        networks[network.name] = SummaryRow(network.name)
    invited_by_trust: Counter[str] = Counter()
    seen: set[int] = set()
    for appointment in rows:
        networks.setdefault(appointment.network.name, SummaryRow(appointment.network.name)).invited += 1
        if appointment.person_id not in seen:
            seen.add(appointment.person_id)
            invited_by_trust[appointment.trust.name if appointment.trust else no_trust] += 1
    for name, count in invited_by_trust.items():
        trusts.setdefault(name, SummaryRow(name)).invited = count
    registered = waiting = 0
    for registration in registrations:
        if registration.status == Registration.Status.CANCELLED:
            continue
        network_row = networks.setdefault(
            registration.network.name if registration.network else no_network,
            SummaryRow(registration.network.name if registration.network else no_network),
        )
        trust_name = registration.trust.name if registration.trust else no_trust
        trust_row = trusts.setdefault(trust_name, SummaryRow(trust_name))
        if registration.status == Registration.Status.REGISTERED:
            network_row.registered += 1
            trust_row.registered += 1
            registered += 1
        else:
            network_row.waiting += 1
            trust_row.waiting += 1
            waiting += 1
    return RegistrationSummary(
        by_network=list(networks.values()),
        by_trust=sorted(trusts.values(), key=lambda r: (r.label == no_trust, r.label)),
        invited=len(seen),
        registered=registered,
        waiting=waiting,
    )


def registration_refusal(*, event: Event, invitation: list[Appointment], cancelling: bool = False) -> str:
    """Why the person cannot register for the event now, or cancel their registration; empty if they can.

    Cancelling needs no invitation: someone registered stays free to withdraw after the audience changed.
    """
    today = timezone.localdate()
    if event.is_cancelled:
        return _("The event is cancelled.")
    if event.is_past:
        return _("The event has been held.")
    if event.starts_at <= timezone.now():
        return _("The event has already started.")
    if event.status != Event.Status.INVITED:
        return _("Registration opens when the invitations have been sent.")
    if today > event.registration_deadline:
        return _(
            "Registration closed on %(date)s. Contact the regional coordinator if you need to change your registration."
        ) % {"date": date_format(event.registration_deadline, "SHORT_DATE_FORMAT")}
    if not invitation and not cancelling:
        return _("You are not invited to this event: it is for %(audience)s in the invited networks.") % {
            "audience": str(event.get_audience_display()).lower()
        }
    return ""


def registration_get(*, user: User, registration_id: int) -> Registration:
    """The registration if the person may see its event's registrations, or it is their own; 404 otherwise."""
    try:
        registration = Registration.objects.select_related("event", "event__region", "person").get(pk=registration_id)
    except Registration.DoesNotExist:
        raise Http404 from None
    own = registration.person_id == user.pk
    if not (own or user.has_perm("events.view_registrations", registration.event)):
        raise Http404
    return registration
