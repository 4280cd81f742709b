"""Changes to cases. Each is one transaction that checks permission and writes a timeline event.

The workflow: received → accepted / declined → in progress → on an agenda → recommendation given →
closed; without consensus, recommendation → escalated → decision recorded → closed. History (who,
when, what changed) is written by django-simple-history; the timeline says it in the users' words.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fagnett.access import access_for
from fagnett.accounts.models import RegionRole, User
from fagnett.cases.models import (
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    CommonCase,
    Consultation,
    EscalationTarget,
    case_reference,
)
from fagnett.cases.selectors import case_consultations
from fagnett.cases.workflow import CASE_WORKFLOW
from fagnett.core.locking import check_version, locked_get, locked_update
from fagnett.core.mail import mail_on_commit
from fagnett.core.permissions import require_perm
from fagnett.core.uploads import check_upload
from fagnett.meetings.models import AgendaItem, Meeting
from fagnett.meetings.services import CaseItem, agenda_add_case_items
from fagnett.networks.models import Appointment, Network
from fagnett.networks.selectors import network_leaders
from fagnett.organisations.models import HealthTrust, Region

CASE_FIELDS = ("title", "description", "wanted", "due_date")
CLOSED_NETWORK_STATUSES = (Network.Status.CLOSED, Network.Status.MERGED)


def _event(case: Case, user: User, kind: str, text: str = "") -> CaseEvent:
    event = CaseEvent(case=case, kind=kind, actor=user, at=timezone.now(), text=text)
    event.full_clean()
    event.save()
    return event


def _give_number(case: Case, network: Network) -> None:
    """Give ``case`` the next number in ``network``'s series for its year, and the reference made of it.

    The counter row is created if missing (a concurrent creator is ignored), then locked until the
    transaction ends, so two submissions never get the same number; the unique constraints on
    ``Case`` (number per network and year, reference per region) guard the rest.
    """
    CaseCounter.objects.bulk_create([CaseCounter(network=network, year=case.year)], ignore_conflicts=True)
    counter = CaseCounter.objects.select_for_update().get(network=network, year=case.year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    case.number = counter.last_number
    case.reference = case_reference(network.ensure_code(), case.year, case.number)


def _check_network(network: Network, region_id: int | None = None) -> None:
    if network.status in CLOSED_NETWORK_STATUSES or (region_id is not None and network.region_id != region_id):
        raise ValidationError({"network": _("Choose an open network in this region.")})


def _locked(case: Case, lock_version: int | None, step: str) -> Case:
    """The case, locked; ``ConflictError`` if someone changed it since ``lock_version`` was read, and the workflow's
    refusal unless ``step`` may be taken from the case as it is saved now (``cases/workflow.py``)."""
    current = locked_get(
        Case.objects.select_related("network", "submitted_by"), pk=case.pk, expected_version=lock_version, of=("self",)
    )
    CASE_WORKFLOW.require(step, current)
    return current


def _notify_submitter(case: Case, event: CaseEvent, actor: Any) -> None:
    if case.submitted_by_id != actor.pk:
        mail_on_commit(recipients=[case.submitted_by], template="case_update", context={"case": case, "event": event})


def _notify_network(case: Case, actor: Any) -> None:
    """Tell the receiving network's leader and secretary that a case waits for their answer (not the one who sent
    it). It may wait for a daily digest: the case waits in the network's list, not for the minute."""
    assert case.network is not None
    mail_on_commit(
        recipients=_distinct(network_leaders(network=case.network), exclude=actor),
        template="case_arrived",
        context={"case": case, "network": case.network},
        digest=True,
    )


@transaction.atomic
def case_submit(
    *,
    user: User,
    data: dict[str, Any],
    network: Network | None = None,
    region: Region | None = None,
    trust: HealthTrust | None = None,
    files: Iterable[UploadedFile] = (),
) -> Case:
    """Submit a case to ``network``, or to the ``region``'s coordinator to route when no network is chosen.

    A fagsjef submitting for their own trust proposes the case on the trust's behalf. The submitter
    gets an acknowledgement by e-mail with the case number (given at once when a network is chosen).
    """
    if network is not None:
        region = network.region
    if region is None:
        raise ValidationError({"network": _("Choose a network.")})
    require_perm(user, "cases.submit_case", region)
    if network is not None:
        _check_network(network)
    if trust is not None and trust.region_id != region.pk:
        raise ValidationError({"trust": _("Choose a health trust in the network's region.")})
    source = Case.Source.EMPLOYEE
    if trust is not None and trust.pk in access_for(user).fagsjef_trusts:
        source = Case.Source.TRUST
    files = list(files)
    for upload in files:  # every file is checked before anything is saved
        check_upload(upload)
    now = timezone.now()
    case = Case(
        region=region,
        network=network,
        year=timezone.localdate(now).year,
        trust=trust,
        source=source,
        submitted_by=user,
        submitted_at=now,
        **{k: data[k] for k in CASE_FIELDS if k in data},
    )
    case.full_clean(exclude=["number", "reference"])
    if network is not None:
        _give_number(case, network)
    case.save()
    _event(case, user, CaseEvent.Kind.SUBMITTED)
    for upload in files:
        _attach(case, user, upload)
    mail_on_commit(recipients=[user], template="case_received", context={"case": case})
    if network is not None:
        _notify_network(case, user)
    return case


@transaction.atomic
def case_assign_task(*, user: User, networks: list[Network], data: dict[str, Any]) -> list[Case]:
    """A task from the region (oppdrag): one case in each chosen network, with a deadline.

    ``progress.services.task_assign`` gives the cases a reporting schedule in the same transaction.
    """
    if not networks:
        raise ValidationError({"networks": _("Choose at least one network.")})
    region = networks[0].region
    require_perm(user, "cases.assign_task", region)
    if not data.get("due_date"):
        raise ValidationError({"due_date": _("A task from the region needs a deadline.")})
    for network in networks:
        _check_network(network, region.pk)
    cases = []
    now = timezone.now()
    for network in networks:
        case = Case(
            region=region,
            network=network,
            year=timezone.localdate(now).year,
            source=Case.Source.RHF_TASK,
            submitted_by=user,
            submitted_at=now,
            **{k: data[k] for k in CASE_FIELDS if k in data},
        )
        case.full_clean(exclude=["number", "reference"])
        _give_number(case, network)
        case.save()
        _event(case, user, CaseEvent.Kind.SUBMITTED)
        _notify_network(case, user)
        cases.append(case)
    return cases


@transaction.atomic
def common_case_send(
    *,
    user: User,
    region: Region,
    networks: list[Network] | None,
    data: dict[str, Any],
) -> CommonCase:
    """Send one common case (felles sak) to the chosen networks of ``region``, or to all its open networks."""
    require_perm(user, "cases.send_common_case", region)
    if networks is None:
        networks = list(
            Network.objects.filter(region=region, kind=Network.Kind.NETWORK)
            .exclude(status__in=CLOSED_NETWORK_STATUSES)
            .select_related("region")
        )
    if not networks:
        raise ValidationError({"networks": _("Choose at least one network.")})
    for network in networks:
        _check_network(network, region.pk)
    common = CommonCase(region=region, created_by=user, **{k: data[k] for k in CASE_FIELDS if k in data})
    common.full_clean()
    common.save()
    now = timezone.now()
    for network in sorted(networks, key=lambda n: n.name):
        case = Case(
            region=region,
            network=network,
            common_case=common,
            year=timezone.localdate(now).year,
            source=Case.Source.COMMON,
            submitted_by=user,
            submitted_at=now,
            title=common.title,
            description=common.description,
            wanted=common.wanted or common.description,
            due_date=common.due_date,
        )
        case.full_clean(exclude=["number", "reference"])
        _give_number(case, network)
        case.save()
        _event(case, user, CaseEvent.Kind.SUBMITTED)
        _notify_network(case, user)
    return common


@transaction.atomic
def case_route(*, user: User, case: Case, network: Network, note: str = "", lock_version: int | None = None) -> Case:
    """The coordinator sends a case submitted without a network to the network that should handle it, with a
    note to that network if there is something it should know (shown on the case to the network's people)."""
    CASE_WORKFLOW.require_permission(user, "route", case)
    current = _locked(case, lock_version, "route")
    _check_network(network, current.region_id)
    current.network = network
    current.routing_note = note.strip()
    _give_number(current, network)
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.ROUTED, network.name)
    _notify_submitter(current, event, user)
    _notify_network(current, user)
    return current


@transaction.atomic
def case_accept(*, user: User, case: Case, note: str = "", lock_version: int | None = None) -> Case:
    CASE_WORKFLOW.require_permission(user, "accept", case)
    current = _locked(case, lock_version, "accept")
    current.status = Case.Status.ACCEPTED
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.ACCEPTED, note.strip())
    _notify_submitter(current, event, user)
    return current


@transaction.atomic
def case_decline(*, user: User, case: Case, reason: str, lock_version: int | None = None) -> Case:
    """Decline the case; the reason is shown to the submitter."""
    CASE_WORKFLOW.require_permission(user, "decline", case)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason when declining a case; the submitter will see it.")})
    current = _locked(case, lock_version, "decline")
    current.status = Case.Status.DECLINED
    current.decline_reason = reason.strip()
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.DECLINED, current.decline_reason)
    _notify_submitter(current, event, user)
    return current


@transaction.atomic
def case_start(*, user: User, case: Case, lock_version: int | None = None) -> Case:
    CASE_WORKFLOW.require_permission(user, "start", case)
    current = _locked(case, lock_version, "start")
    current.status = Case.Status.IN_PROGRESS
    locked_update(current)
    _event(current, user, CaseEvent.Kind.STARTED)
    return current


@transaction.atomic
def case_set_responsible(*, user: User, case: Case, person: Any, lock_version: int | None = None) -> Case:
    """Name the person in the network who follows the case up; they are told by e-mail after commit."""
    CASE_WORKFLOW.require_permission(user, "set_responsible", case)
    current = _locked(case, lock_version, "set_responsible")
    if not Appointment.objects.filter(
        network=current.network, person=person, status=Appointment.Status.APPOINTED
    ).exists():
        raise ValidationError({"responsible": _("The responsible person must be appointed in the network.")})
    current.responsible = person
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.RESPONSIBLE, str(person))
    if person.pk != user.pk:
        mail_on_commit(recipients=[person], template="case_update", context={"case": current, "event": event})
    return current


@transaction.atomic
def case_set_on_agenda(*, user: User, case: Case, meeting_label: str) -> Case:
    """Mark an accepted or in-progress case as on a meeting's agenda (``agenda_add_open_cases`` calls this)."""
    CASE_WORKFLOW.require_permission(user, "set_on_agenda", case)
    current = _locked(case, None, "set_on_agenda")
    current.status = Case.Status.ON_AGENDA
    locked_update(current)
    _event(current, user, CaseEvent.Kind.ON_AGENDA, meeting_label)
    return current


@transaction.atomic
def agenda_add_open_cases(*, user: User, meeting: Meeting) -> list[AgendaItem]:
    """Put the network's accepted and ongoing cases on the agenda; cases already on it are left alone.

    Each case moves to "on an agenda" (with an event on its timeline); a case discussed before without an
    answer yet is carried to this agenda too. Meetings makes the items and checks that the person may change the
    agenda (``meetings.services.agenda_add_case_items``).
    """
    already = set(meeting.agenda_items.exclude(case=None).values_list("case_id", flat=True))
    cases = list(
        Case.objects.filter(
            network=meeting.network,
            # Those that may be set on an agenda, and those on one already (discussed, no answer yet).
            status__in=[*CASE_WORKFLOW.sources("set_on_agenda"), Case.Status.ON_AGENDA],
        )
        .exclude(pk__in=already)
        .order_by("year", "number")
    )
    created = agenda_add_case_items(
        user=user,
        meeting=meeting,
        items=[CaseItem(case.pk, f"{_('Case')} {case.reference}: {case.title}", case.wanted) for case in cases],
    )
    label = f"{meeting.network.name} {timezone.localtime(meeting.starts_at):%d.%m.%Y}"
    for case in cases:
        if CASE_WORKFLOW.status_allows("set_on_agenda", case):
            case_set_on_agenda(user=user, case=case, meeting_label=label)
    return created


@transaction.atomic
def case_recommend(*, user: User, case: Case, recommendation: str, lock_version: int | None = None) -> Case:
    """The network's recommendation, reached in consensus.

    Refused while a consultation (user involvement, safety service, union representatives) is required and
    open, or not yet assessed: the mandate asks for them before the network answers.
    """
    CASE_WORKFLOW.require_permission(user, "recommend", case)
    if not recommendation.strip():
        raise ValidationError({"recommendation": _("Write the network's recommendation.")})
    current = _locked(case, lock_version, "recommend")
    blocking = [str(row.label) for row in case_consultations(case=current) if row.blocks_recommendation]
    if blocking:
        raise ValidationError(
            _(
                "The recommendation cannot be given while these consultations are open or not yet assessed: "
                "%(consultations)s. Record them under Consultations on the case."
            )
            % {"consultations": ", ".join(blocking)}
        )
    current.status = Case.Status.RECOMMENDATION_GIVEN
    current.recommendation = recommendation.strip()
    current.consensus = True
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.RECOMMENDED, current.recommendation)
    _notify_submitter(current, event, user)
    return current


@transaction.atomic
def consultation_record(
    *,
    user: User,
    case: Case,
    kind: str,
    required: bool | None,
    not_required_reason: str = "",
    status: str = Consultation.Status.OPEN,
    consulted_on: datetime.date | None = None,
    consulted: str = "",
    outcome: str = "",
    lock_version: int | None = None,
    today: datetime.date | None = None,
) -> Consultation:
    """Record whether one kind of consultation is required on the case and how it went.

    ``lock_version`` is the version the person saw, 0 when nothing was recorded yet; if someone recorded this
    kind since, ``ConflictError`` is raised and nothing is written. Each change is a step on the timeline.
    """
    CASE_WORKFLOW.require_permission(user, "consult", case)
    if kind not in Consultation.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of consultation this is.")})
    today = today or timezone.localdate()
    not_required_reason, consulted, outcome = not_required_reason.strip(), consulted.strip(), outcome.strip()
    errors: dict[str, str] = {}
    if required is None:
        errors["required"] = _("Say whether this consultation is required in the case.")
    elif not required:
        if not not_required_reason:
            errors["not_required_reason"] = _("Give the reason it is not required; it becomes part of the case.")
    else:
        if status not in Consultation.Status.values:
            errors["status"] = _("Say whether the consultation is done.")
        elif status == Consultation.Status.DONE:
            if consulted_on is None:
                errors["consulted_on"] = _("Give the date of the consultation.")
            if not consulted:
                errors["consulted"] = _("Write who was consulted.")
            if not outcome:
                errors["outcome"] = _("Write what came of the consultation.")
    if consulted_on is not None and consulted_on > today:
        errors["consulted_on"] = _("The date cannot be in the future: record the consultation once it has been held.")
    if errors:
        raise ValidationError(errors)
    current = _locked(case, None, "consult")
    consultation = Consultation.objects.select_for_update().filter(case=current, kind=kind).first()
    check_version(consultation, lock_version)
    if consultation is None:
        consultation = Consultation(case=current, kind=kind)
    consultation.required = bool(required)
    if required:
        consultation.not_required_reason = ""
        consultation.status = status
        consultation.consulted_on, consultation.consulted, consultation.outcome = consulted_on, consulted, outcome
    else:
        consultation.not_required_reason = not_required_reason
        consultation.status = Consultation.Status.DONE
        consultation.consulted_on, consultation.consulted, consultation.outcome = None, "", ""
    consultation.recorded_by = user
    consultation.recorded_at = timezone.now()
    locked_update(consultation)
    if not required:
        state = _("not required")
    elif consultation.status == Consultation.Status.DONE:
        state = _("done")
    else:
        state = _("open")
    _event(current, user, CaseEvent.Kind.CONSULTATION, f"{consultation.get_kind_display()}: {state}")
    return consultation


@transaction.atomic
def case_escalate(
    *,
    user: User,
    case: Case,
    recommendation: str,
    other_view: str,
    escalate_to: str = EscalationTarget.MEDICAL_DIRECTOR,
    lock_version: int | None = None,
) -> Case:
    """No consensus: the case goes to the medical director (or the heads' meeting) with both views."""
    CASE_WORKFLOW.require_permission(user, "escalate", case)
    errors = {}
    if not recommendation.strip():
        errors["recommendation"] = _("Write the network's recommendation (the majority's view).")
    if not other_view.strip():
        errors["other_view"] = _("Without consensus, write the other view too, so both reach the medical director.")
    if escalate_to not in EscalationTarget.values:
        errors["escalate_to"] = _("Choose who decides.")
    if errors:
        raise ValidationError(errors)
    current = _locked(case, lock_version, "escalate")
    current.status = Case.Status.ESCALATED
    current.recommendation = recommendation.strip()
    current.other_view = other_view.strip()
    current.consensus = False
    current.escalated_to = escalate_to
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.ESCALATED, current.get_escalated_to_display())
    directors = User.objects.filter(
        region_roles__region_id=current.region_id, region_roles__role=RegionRole.Role.MEDICAL_DIRECTOR
    )
    mail_on_commit(
        recipients=[*directors, current.submitted_by], template="case_update", context={"case": current, "event": event}
    )
    return current


@transaction.atomic
def case_submit_for_decision(
    *,
    user: User,
    network: Network,
    title: str,
    description: str,
    wanted: str,
    recommendation: str,
    consensus: bool,
    other_view: str = "",
) -> Case:
    """A recommendation the network has decided on its own initiative, sent to the medical director to decide.

    The network's leader sends it: the case is the network's own (numbered in its series), and it is escalated to the
    medical director at once with the recommendation and any dissent, so it follows the escalation and decision flow
    of every case (``case_record_decision`` brings the decision back). The directors are told by e-mail.
    """
    _check_network(network)
    now = timezone.now()
    case = Case(
        region_id=network.region_id,
        network=network,
        year=timezone.localdate(now).year,
        source=Case.Source.NETWORK,
        submitted_by=user,
        submitted_at=now,
        title=title,
        description=description,
        wanted=wanted,
        status=Case.Status.ESCALATED,
        recommendation=recommendation.strip(),
        consensus=consensus,
        other_view=other_view.strip(),
        escalated_to=EscalationTarget.MEDICAL_DIRECTOR,
    )
    require_perm(user, "cases.recommend_case", case)
    if not case.recommendation:
        raise ValidationError({"recommendation": _("Write the network's recommendation.")})
    if not consensus and not case.other_view:
        raise ValidationError(
            {"other_view": _("Without consensus, write the other view too, so both reach the medical director.")}
        )
    case.full_clean(exclude=["number", "reference"])
    _give_number(case, network)
    case.save()
    _event(case, user, CaseEvent.Kind.SUBMITTED)
    event = _event(case, user, CaseEvent.Kind.ESCALATED, case.get_escalated_to_display())
    directors = User.objects.filter(
        region_roles__region_id=case.region_id, region_roles__role=RegionRole.Role.MEDICAL_DIRECTOR
    )
    mail_on_commit(recipients=list(directors), template="case_update", context={"case": case, "event": event})
    return case


@transaction.atomic
def case_record_decision(*, user: User, case: Case, decision: str, lock_version: int | None = None) -> Case:
    """The decision made in the line, recorded back on the case for the network and the submitter."""
    CASE_WORKFLOW.require_permission(user, "decide", case)
    if not decision.strip():
        raise ValidationError({"decision": _("Write the decision.")})
    current = _locked(case, lock_version, "decide")
    current.status = Case.Status.DECISION_RECORDED
    current.decision = decision.strip()
    current.decided_by = user
    current.decided_at = timezone.now()
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.DECIDED, current.decision)
    leaders = User.objects.filter(
        appointments__network=current.network,
        appointments__status="appointed",
        appointments__role__in=["leader", "secretary"],
    )
    mail_on_commit(
        recipients=_distinct([current.submitted_by, *leaders], exclude=user),
        template="case_update",
        context={"case": current, "event": event},
    )
    return current


@transaction.atomic
def case_close(*, user: User, case: Case, note: str = "", lock_version: int | None = None) -> Case:
    CASE_WORKFLOW.require_permission(user, "close", case)
    current = _locked(case, lock_version, "close")
    current.status = Case.Status.CLOSED
    locked_update(current)
    event = _event(current, user, CaseEvent.Kind.CLOSED, note.strip())
    _notify_submitter(current, event, user)
    return current


@transaction.atomic
def case_comment(*, user: User, case: Case, text: str) -> CaseEvent:
    require_perm(user, "cases.comment_case", case)
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    return _event(case, user, CaseEvent.Kind.COMMENTED, text.strip())


def _attach(case: Case, user: User, upload: UploadedFile) -> CaseAttachment:
    content_type = check_upload(upload).content_type
    attachment = CaseAttachment(
        case=case,
        file=upload,
        original_name=(upload.name or "")[-255:],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=user,
    )
    attachment.full_clean()
    attachment.save()
    _event(case, user, CaseEvent.Kind.ATTACHED, attachment.original_name)
    return attachment


@transaction.atomic
def case_attach(*, user: User, case: Case, upload: UploadedFile) -> CaseAttachment:
    """Add a file to the case after checking its size and that its content is of an allowed type."""
    require_perm(user, "cases.attach_case", case)
    return _attach(case, user, upload)


def _distinct(people: Iterable[Any], exclude: Any = None) -> list[Any]:
    seen: dict[int, Any] = {}
    for person in people:
        if person is not None and (exclude is None or person.pk != exclude.pk):
            seen.setdefault(person.pk, person)
    return list(seen.values())
