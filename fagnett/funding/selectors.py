"""Reads for funding calls and applications, scoped to the person asking; each list is one query."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from fagnett.access import access_for, visible_region_filter
from fagnett.accounts.models import User
from fagnett.funding.models import Application, ApplicationEvent, BudgetLine, FundingCall
from fagnett.funding.rules import APPLYING_ROLES
from fagnett.networks.models import Appointment, Network

#: the order of the coordinator's table: what waits for a decision first
_STATUS_ORDER = Case(
    When(status=Application.Status.ENDORSED, then=Value(0)),
    When(status=Application.Status.SUBMITTED, then=Value(1)),
    When(status=Application.Status.GRANTED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
#: statuses that passed the trust's endorsement
ENDORSED_OR_LATER = (Application.Status.ENDORSED, Application.Status.GRANTED, Application.Status.DECLINED)


def _with_total(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.annotate(applied_total=Coalesce(Sum("lines__amount"), 0))


def call_list(*, user: User) -> QuerySet[FundingCall]:
    """The calls of the person's regions, newest year first, with how many applications were submitted."""
    return (
        FundingCall.objects.filter(visible_region_filter(user))
        .select_related("region")
        .annotate(
            submitted_count=Count("applications", filter=~Q(applications__status=Application.Status.DRAFT)),
        )
        .order_by("region__name", "-year", "pk")
    )


def call_get(*, user: User, call_id: int) -> FundingCall:
    """The call if it is in one of the person's regions; 404 otherwise."""
    try:
        call = FundingCall.objects.select_related("region").get(pk=call_id)
    except FundingCall.DoesNotExist:
        raise Http404 from None
    if not user.has_perm("funding.view_call", call):
        raise Http404
    return call


@dataclass
class CallSummary:
    """A call's applications that left the draft stage, with the sums the coordinator decides by."""

    call: FundingCall
    applications: list[Application]
    drafts: int
    applied: int = 0
    endorsed: int = 0
    granted: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def remaining(self) -> int | None:
        """What is left of the amount available after the grants; ``None`` if no amount is set."""
        if self.call.amount_available is None:
            return None
        return self.call.amount_available - self.granted

    @property
    def endorsed_beyond_available(self) -> bool:
        return self.call.amount_available is not None and self.endorsed > self.call.amount_available


def call_summary(*, call: FundingCall) -> CallSummary:
    """Every submitted application of the call with its total, and the sums, in two queries."""
    applications: list[Application] = list(
        _with_total(Application.objects.filter(call=call).exclude(status=Application.Status.DRAFT))
        .select_related("network", "applicant", "trust")
        .order_by(_STATUS_ORDER, "trust__name", "pk")
    )
    drafts = Application.objects.filter(call=call, status=Application.Status.DRAFT).count()
    summary = CallSummary(call=call, applications=applications, drafts=drafts)
    for application in applications:
        total: int = application.applied_total  # type: ignore[attr-defined]
        summary.applied += total
        if application.status in ENDORSED_OR_LATER:
            summary.endorsed += total
        summary.granted += application.amount_granted or 0
        summary.by_status[application.status] = summary.by_status.get(application.status, 0) + 1
    return summary


def my_applications_in(*, user: User, call: FundingCall) -> list[Application]:
    return list(
        _with_total(Application.objects.filter(call=call, applicant=user))
        .select_related("network", "call")
        .order_by("pk")
    )


def application_get(*, user: User, application_id: int) -> Application:
    """The application if the person may read it: 404 outside the region, 403 for others in it."""
    try:
        application = Application.objects.select_related(
            "call",
            "call__region",
            "network",
            "applicant",
            "trust",
            "endorsed_by",
            "decided_by",
            "grant",
        ).get(pk=application_id)
    except Application.DoesNotExist:
        raise Http404 from None
    if not access_for(user).in_region(application.call.region_id):
        raise Http404
    if not user.has_perm("funding.view_application", application):
        raise PermissionDenied
    return application


def line_list(*, application: Application) -> list[BudgetLine]:
    return list(application.lines.order_by("order", "pk"))


def event_list(*, application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.select_related("actor").order_by("at", "pk")


def my_applications(*, user: User) -> QuerySet[Application]:
    """The person's own applications, newest call first."""
    return (
        _with_total(Application.objects.filter(applicant=user))
        .select_related("call", "call__region", "network", "trust")
        .order_by("-call__year", "call__region__name", "pk")
    )


def awaiting_endorsement(*, user: User) -> QuerySet[Application]:
    """Applications submitted from the trusts where the person is fagsjef, waiting for them."""
    trusts = access_for(user).fagsjef_trusts
    return (
        _with_total(Application.objects.filter(trust_id__in=trusts, status=Application.Status.SUBMITTED))
        .select_related("call", "network", "applicant", "trust")
        .order_by("call__deadline", "submitted_at", "pk")
    )


def networks_to_apply_for(*, user: User, call: FundingCall) -> list[Network]:
    """The open networks of the call's region where the person is leader or secretary."""
    return list(
        Network.objects.filter(
            region_id=call.region_id,
            appointments__person=user,
            appointments__status=Appointment.Status.APPOINTED,
            appointments__role__in=APPLYING_ROLES,
        )
        .exclude(status__in=(Network.Status.CLOSED, Network.Status.MERGED))
        .distinct()
        .order_by("name")
    )


def networks_in_region(*, call: FundingCall) -> QuerySet[Network]:
    """Open networks of the call's region, for linking a proposed group to an existing network."""
    return (
        Network.objects.filter(region_id=call.region_id)
        .exclude(status__in=(Network.Status.CLOSED, Network.Status.MERGED))
        .order_by("name")
    )
