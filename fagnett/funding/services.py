"""Changes to funding calls and applications. Each is one transaction that checks permission; each step of an
application is written on its timeline, history is kept by django-simple-history, and e-mail leaves only after
the commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.access import access_for
from fagnett.accounts.models import TrustRole, User
from fagnett.budget.services import grant_record
from fagnett.core.locking import locked_get, locked_update
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.funding.models import Application, ApplicationEvent, BudgetLine, FundingCall
from fagnett.funding.rules import APPLYING_ROLES
from fagnett.funding.workflow import APPLICATION_WORKFLOW
from fagnett.networks.models import Network
from fagnett.networks.services import network_create
from fagnett.organisations.models import HealthTrust, Region

CALL_FIELDS = ("year", "title", "deadline", "description", "amount_available", "status")
APPLICATION_FIELDS = ("purpose", "activities", "programme", "period_start", "period_end")
CLOSED_NETWORK_STATUSES = (Network.Status.CLOSED, Network.Status.MERGED)
MAX_LINES = 30


# --- Calls -------------------------------------------------------------------------------------------------------


def _check_year_free(call: FundingCall) -> None:
    taken = FundingCall.objects.filter(region_id=call.region_id, year=call.year).exclude(pk=call.pk).exists()
    if taken:
        raise ValidationError(
            {"year": _("The region already has a call for %(year)s: edit that one.") % {"year": call.year}}
        )


@transaction.atomic
def call_create(*, user: User, region: Region, data: dict[str, Any]) -> FundingCall:
    require_perm(user, "funding.manage_calls", region)
    call = FundingCall(region=region, created_by=user, **{k: data[k] for k in CALL_FIELDS if k in data})
    if call.year is not None:
        _check_year_free(call)
    call.full_clean()
    call.save()
    return call


@transaction.atomic
def call_update(*, user: User, call: FundingCall, data: dict[str, Any], lock_version: int) -> FundingCall:
    """Save the changes unless someone else saved the call since ``lock_version`` was read."""
    require_perm(user, "funding.manage_calls", call)
    current = locked_get(FundingCall.objects, pk=call.pk, expected_version=lock_version)
    for name in CALL_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    _check_year_free(current)
    return locked_update(current)


# --- Applications: the applicant's draft --------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One budget line as the applicant wrote it."""

    kind: str
    description: str
    amount: int


def _target(user: User, call: FundingCall, network: Network | None) -> None:
    """Refuse a network the person may not apply for: they lead or keep the secretariat of it, in the call's region."""
    if network is None:
        return
    if network.region_id != call.region_id or network.status in CLOSED_NETWORK_STATUSES:
        raise ValidationError({"network": _("Choose an open network in the call's region.")})
    if not access_for(user).roles_in(network.pk) & APPLYING_ROLES:
        raise ValidationError(
            {"network": _("Only the network's leader or secretary may apply for it. Apply for a new group instead.")}
        )


def _applicant_trust(user: User, call: FundingCall) -> HealthTrust:
    trust = HealthTrust.objects.filter(pk=user.trust_id).first() if user.trust_id else None
    if trust is None or trust.region_id != call.region_id:
        raise ValidationError(
            _(
                "Only people employed by a health trust in the region can apply: the trust's management endorses "
                "the application."
            )
        )
    return trust


def _check_one_per_network(call: FundingCall, network: Network | None, exclude_pk: int | None = None) -> None:
    if network is None:
        return
    others = Application.objects.filter(call=call, network=network)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            {
                "network": _("%(network)s already has an application to this call. Open it from the call's page.")
                % {"network": network.name}
            }
        )


def _validated(application: Application, lines: Sequence[LineInput]) -> list[BudgetLine]:
    """The application and every budget line checked before anything is saved, all errors at once.

    A line's errors are keyed ``lines.<index>.<field>``, the index counting the lines given.
    """
    if len(lines) > MAX_LINES:
        raise ValidationError(
            ngettext(
                "An application can have at most %(count)s budget line.",
                "An application can have at most %(count)s budget lines.",
                MAX_LINES,
            )
            % {"count": MAX_LINES}
        )
    errors: dict[str, list[ValidationError]] = {}
    try:
        application.full_clean()
    except ValidationError as error:
        error.update_error_dict(errors)
    built = []
    for index, line in enumerate(lines):
        budget_line = BudgetLine(order=index, kind=line.kind, description=line.description, amount=line.amount)
        try:
            budget_line.full_clean(exclude=["application"])
        except ValidationError as error:
            for name, field_errors in error.error_dict.items():
                errors[f"lines.{index}.{name}"] = field_errors
        built.append(budget_line)
    if errors:
        raise ValidationError(errors)
    return built


def _replace_lines(application: Application, lines: list[BudgetLine]) -> None:
    application.lines.all().delete()
    for line in lines:
        line.application = application
    BudgetLine.objects.bulk_create(lines)


def _event(application: Application, user: User, kind: str, text: str = "") -> ApplicationEvent:
    event = ApplicationEvent(application=application, kind=kind, actor=user, at=timezone.now(), text=text)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def application_create(
    *,
    user: User,
    call: FundingCall,
    data: dict[str, Any],
    lines: Sequence[LineInput],
    network: Network | None = None,
) -> Application:
    """Save a draft for ``network``, or, without one, for a group that wants to become a network (``proposed_name``
    and ``proposed_field`` in ``data``). The budget is saved with it, all lines or none."""
    require_perm(user, "funding.apply", call)
    _target(user, call, network)
    trust = _applicant_trust(user, call)
    _check_one_per_network(call, network)
    application = Application(
        call=call,
        network=network,
        applicant=user,
        trust=trust,
        proposed_name="" if network else data.get("proposed_name", ""),
        proposed_field="" if network else data.get("proposed_field", ""),
        **{k: data[k] for k in APPLICATION_FIELDS if k in data},
    )
    built = _validated(application, lines)
    application.save()
    _replace_lines(application, built)
    _event(application, user, ApplicationEvent.Kind.CREATED)
    return application


def _locked(application: Application, lock_version: int | None) -> Application:
    """The application, locked; ``ConflictError`` if someone changed it since ``lock_version`` was read."""
    return locked_get(
        Application.objects.select_related("call", "call__region", "network", "applicant", "trust"),
        pk=application.pk,
        expected_version=lock_version,
        of=("self",),
    )


@transaction.atomic
def application_update(
    *,
    user: User,
    application: Application,
    data: dict[str, Any],
    lines: Sequence[LineInput],
    lock_version: int,
    network: Network | None = None,
) -> Application:
    """Save the applicant's changes to a draft, its budget lines replaced by ``lines`` (all or none)."""
    APPLICATION_WORKFLOW.require_permission(user, "change", application)
    current = _locked(application, lock_version)
    APPLICATION_WORKFLOW.require("change", current)
    _target(user, current.call, network)
    _check_one_per_network(current.call, network, exclude_pk=current.pk)
    current.network = network
    current.proposed_name = "" if network else data.get("proposed_name", "")
    current.proposed_field = "" if network else data.get("proposed_field", "")
    for name in APPLICATION_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    built = _validated(current, lines)
    locked_update(current, clean=False)
    _replace_lines(current, built)
    return current


def applied_total(application: Application) -> int:
    return int(application.lines.aggregate(total=Sum("amount"))["total"] or 0)


def _fagsjefs(trust_id: int) -> list[User]:
    return list(User.objects.filter(trust_roles__trust_id=trust_id, trust_roles__role=TrustRole.Role.FAGSJEF))


@transaction.atomic
def application_submit(*, user: User, application: Application, lock_version: int | None) -> Application:
    """Send the draft to the management of the applicant's trust for endorsement.

    Refused after the call's deadline (a whole day, Norwegian time) or when the call is closed, and without a
    budget line. The trust's fagsjef is told by e-mail.
    """
    APPLICATION_WORKFLOW.require_permission(user, "submit", application)
    current = _locked(application, lock_version)
    APPLICATION_WORKFLOW.require("submit", current)  # the call open and its deadline not passed, too
    if not current.lines.exists():
        raise ValidationError(_("Add at least one budget line before you submit the application."))
    current.status = Application.Status.SUBMITTED
    current.submitted_at = timezone.now()
    current.returned_reason = ""
    locked_update(current)
    _event(current, user, ApplicationEvent.Kind.SUBMITTED)
    mail_on_commit(
        recipients=_fagsjefs(current.trust_id),
        template="funding_submitted",
        context={"application": current, "total": applied_total(current)},
        digest=True,
    )
    return current


# --- Endorsement by the trust's management -------------------------------------------------------------------------


@transaction.atomic
def application_endorse(
    *, user: User, application: Application, lock_version: int | None, note: str = ""
) -> Application:
    """The fagsjef of the applicant's trust endorses: the application goes to the region for a decision."""
    APPLICATION_WORKFLOW.require_permission(user, "endorse", application)
    current = _locked(application, lock_version)
    APPLICATION_WORKFLOW.require("endorse", current)
    current.status = Application.Status.ENDORSED
    current.endorsed_by = user
    current.endorsed_at = timezone.now()
    locked_update(current)
    _event(current, user, ApplicationEvent.Kind.ENDORSED, note)
    return current


@transaction.atomic
def application_return(*, user: User, application: Application, reason: str, lock_version: int | None) -> Application:
    """The fagsjef sends the application back to the applicant as a draft, with the reason."""
    APPLICATION_WORKFLOW.require_permission(user, "return", application)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the application is sent back.")})
    current = _locked(application, lock_version)
    APPLICATION_WORKFLOW.require("return", current)
    current.status = Application.Status.DRAFT
    current.returned_reason = reason
    locked_update(current)
    _event(current, user, ApplicationEvent.Kind.RETURNED, reason)
    mail_on_commit(
        recipients=[current.applicant],
        template="funding_returned",
        context={"application": current, "reason": reason, "by": user},
    )
    return current


# --- The region's decision ---------------------------------------------------------------------------------------


def _notify_decision(application: Application) -> None:
    recipients = [application.applicant]
    if application.endorsed_by_id and application.endorsed_by_id != application.applicant_id:
        recipients.append(application.endorsed_by)  # type: ignore[arg-type]
    mail_on_commit(
        recipients=recipients,
        template="funding_decided",
        context={"application": application, "total": applied_total(application)},
    )


def _network_for_proposal(user: User, application: Application, network: Network | None) -> Network:
    """The network the proposed group becomes: the one the coordinator chose, or a new, planned one."""
    call = application.call
    if network is not None:
        if network.region_id != call.region_id or network.status in CLOSED_NETWORK_STATUSES:
            raise ValidationError({"network": _("Choose an open network in the call's region.")})
        _check_one_per_network(call, network, exclude_pk=application.pk)
        return network
    if Network.objects.filter(region_id=call.region_id, name__iexact=application.proposed_name.strip()).exists():
        raise ValidationError(
            {
                "network": _(
                    "A network named %(name)s already exists in the region. Choose it, or let the group apply again "
                    "under another name."
                )
                % {"name": application.proposed_name}
            }
        )
    return network_create(
        user=user,
        region=call.region,
        data={
            "name": application.proposed_name.strip(),
            "field": application.proposed_field.strip(),
            "status": Network.Status.PLANNED,
            "description": application.purpose,
        },
    )


@transaction.atomic
def application_grant(
    *,
    user: User,
    application: Application,
    amount: int,
    decision_reference: str,
    lock_version: int | None,
    reason: str = "",
    network: Network | None = None,
) -> Application:
    """Grant ``amount`` (at most what was applied for) and record it as the network's grant in the budget.

    For a group that wants to become a network, ``network`` is the existing network it is linked to; without
    one, a planned network is created from the proposed name and field. The applicant and the endorser are told
    by e-mail.
    """
    APPLICATION_WORKFLOW.require_permission(user, "grant", application)
    current = _locked(application, lock_version)
    APPLICATION_WORKFLOW.require("grant", current)
    total = applied_total(current)
    if amount is None or amount < 1:
        raise ValidationError({"amount_granted": _("The amount must be more than zero.")})
    if amount > total:
        raise ValidationError(
            {
                "amount_granted": _("The amount granted cannot be more than the %(total)s kr applied for.")
                % {"total": number_format(total, force_grouping=True)}
            }
        )
    if current.network is None:
        current.network = _network_for_proposal(user, current, network)
    grant = grant_record(
        user=user,
        network=current.network,
        data={
            "amount": amount,
            "period_start": current.period_start,
            "period_end": current.period_end,
            "source": current.call.title,
            "decision_reference": decision_reference,
        },
    )
    current.status = Application.Status.GRANTED
    current.amount_granted = amount
    current.decision_reference = decision_reference
    current.decision_reason = reason
    current.decided_by = user
    current.decided_at = timezone.now()
    current.grant = grant
    locked_update(current)
    _event(current, user, ApplicationEvent.Kind.GRANTED, reason)
    _notify_decision(current)
    return current


@transaction.atomic
def application_decline(
    *, user: User, application: Application, reason: str, decision_reference: str, lock_version: int | None
) -> Application:
    APPLICATION_WORKFLOW.require_permission(user, "decline", application)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason the application is declined.")})
    current = _locked(application, lock_version)
    APPLICATION_WORKFLOW.require("decline", current)
    current.status = Application.Status.DECLINED
    current.decision_reason = reason
    current.decision_reference = decision_reference
    current.decided_by = user
    current.decided_at = timezone.now()
    locked_update(current)
    _event(current, user, ApplicationEvent.Kind.DECLINED, reason)
    _notify_decision(current)
    return current
