from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from fagnett.cases import services
from fagnett.cases.models import Case, CaseEvent, CommonCase
from fagnett.cases.tests.factories import assess_consultations, days_from_today, make_case
from fagnett.core.exceptions import ConflictError
from fagnett.networks.models import Network
from tests.factories import World, make_network

pytestmark = pytest.mark.django_db

S = Case.Status
DATA = {
    "title": "Lik praksis for tidlig mobilisering",
    "description": "Sykehusene mobiliserer intensivpasienter ulikt.",
    "wanted": "En felles anbefaling.",
}


class TestSubmission:
    def test_employee_submits_to_a_network_and_gets_a_number_and_an_acknowledgement(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            case = services.case_submit(
                user=world["employee"], data=DATA, network=world.network, trust=world.trusts_a[1]
            )
        assert case.status == S.RECEIVED
        assert case.reference == f"ANI-{case.year}/001"  # the network's code, made from "Anestesi og intensiv"
        assert case.source == Case.Source.EMPLOYEE
        assert [e.kind for e in case.events.all()] == [CaseEvent.Kind.SUBMITTED]
        assert case.history.count() == 1
        # The submitter's acknowledgement, and the network's leader and secretary are told it waits for them.
        to = {message.to[0]: message for message in mail.outbox}
        assert sorted(to) == ["employee@example.org", "leader@example.org", "secretary@example.org"]
        assert case.reference in to["employee@example.org"].subject
        assert case.reference in to["leader@example.org"].subject

    def test_numbers_run_per_network_and_year(self, world: World) -> None:
        first = services.case_submit(user=world["employee"], data=DATA, network=world.network)
        second = services.case_submit(user=world["employee"], data=DATA, network=world.network)
        other = services.case_submit(user=world["employee"], data=DATA, network=world.other_network)
        assert (first.number, second.number, other.number) == (1, 2, 1)
        assert second.reference == f"ANI-{second.year}/002"
        assert other.reference == f"{world.other_network.code}-{other.year}/001" != first.reference

    def test_without_a_network_the_case_waits_for_the_coordinator_without_a_number(self, world: World) -> None:
        case = services.case_submit(user=world["employee"], data=DATA, region=world.region_a)
        assert case.network is None
        assert case.number is None
        assert case.reference == ""
        assert case.region == world.region_a

    def test_a_fagsjef_submitting_for_their_trust_proposes_it_on_the_trusts_behalf(self, world: World) -> None:
        case = services.case_submit(user=world["fagsjef"], data=DATA, network=world.network, trust=world.trusts_a[2])
        assert case.source == Case.Source.TRUST

    def test_a_network_of_another_region_is_refused(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            services.case_submit(user=world["employee"], data=DATA, network=world.network_b)
        assert not Case.objects.exists()

    def test_a_trust_of_another_region_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.case_submit(user=world["employee"], data=DATA, network=world.network, trust=world.trust_b)
        assert "trust" in error.value.message_dict
        assert not Case.objects.exists()

    def test_a_closed_network_is_refused(self, world: World) -> None:
        world.other_network.status = Network.Status.CLOSED
        world.other_network.save()
        with pytest.raises(ValidationError):
            services.case_submit(user=world["employee"], data=DATA, network=world.other_network)

    def test_a_national_identity_number_in_any_field_saves_nothing(self, world: World) -> None:
        for field in ("title", "description", "wanted"):
            with pytest.raises(ValidationError) as error:
                services.case_submit(
                    user=world["employee"], data={**DATA, field: "Pasient 15108695088"}, network=world.network
                )
            assert field in error.value.message_dict
        assert not Case.objects.exists()


def _route(world: World, user: Any, case: Case) -> Case:
    return services.case_route(user=user, case=case, network=world.network)


def _recommend(world: World, user: Any, case: Case) -> Case:
    assess_consultations(case, world["leader"])
    return services.case_recommend(user=user, case=case, recommendation="Innfør felles rutine.")


ACTIONS: dict[str, tuple[str, Callable[[World, Any, Case], Case], str]] = {
    # action: (starting status, call, status afterwards)
    "route": (S.RECEIVED, _route, S.RECEIVED),
    "accept": (S.RECEIVED, lambda w, u, c: services.case_accept(user=u, case=c), S.ACCEPTED),
    "decline": (S.RECEIVED, lambda w, u, c: services.case_decline(user=u, case=c, reason="Ikke vårt felt"), S.DECLINED),
    "start": (S.ACCEPTED, lambda w, u, c: services.case_start(user=u, case=c), S.IN_PROGRESS),
    "on_agenda": (
        S.IN_PROGRESS,
        lambda w, u, c: services.case_set_on_agenda(user=u, case=c, meeting_label="Møte 12. mars"),
        S.ON_AGENDA,
    ),
    "recommend": (S.ON_AGENDA, _recommend, S.RECOMMENDATION_GIVEN),
    "escalate": (
        S.IN_PROGRESS,
        lambda w, u, c: services.case_escalate(user=u, case=c, recommendation="Sentraliser.", other_view="Behold."),
        S.ESCALATED,
    ),
    "decide": (
        S.ESCALATED,
        lambda w, u, c: services.case_record_decision(user=u, case=c, decision="Sentraliseres fra 2027."),
        S.DECISION_RECORDED,
    ),
    "close": (S.RECOMMENDATION_GIVEN, lambda w, u, c: services.case_close(user=u, case=c), S.CLOSED),
}
ALLOWED = {
    "route": {"coordinator"},
    "accept": {"leader", "secretary"},
    "decline": {"leader", "secretary"},
    "start": {"leader", "secretary"},
    "on_agenda": {"leader", "secretary", "coordinator"},
    "recommend": {"leader", "secretary"},
    "escalate": {"leader", "secretary"},
    "decide": {"director", "coordinator"},
    "close": {"leader", "secretary", "coordinator"},
}
ROLES = ["coordinator", "director", "leader", "secretary", "member", "rhf_rep", "employee", "fagsjef", "other_member"]
ROLES_B = ["coordinator_b", "fagsjef_b"]


@pytest.mark.parametrize("role", ROLES + ROLES_B)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_transition_is_allowed_or_refused_per_role(world: World, action: str, role: str) -> None:
    start, call, after = ACTIONS[action]
    case = make_case(world, status=start, network=None if action == "route" else world.network)
    if role in ALLOWED[action]:
        result = call(world, world[role], case)
        assert result.status == after
        assert result.lock_version == case.lock_version + 1
        last = result.events.order_by("-at", "-pk").first()
        assert last is not None and last.actor == world[role]
        if action == "route":
            assert result.network == world.network and result.number is not None
    else:
        with pytest.raises(PermissionDenied):
            call(world, world[role], case)
        case.refresh_from_db()
        assert case.status == start
        assert case.events.count() == 1


WRONG_STATES = {
    "accept": ("leader", [S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.CLOSED]),
    "decline": ("leader", [S.ACCEPTED, S.ESCALATED, S.CLOSED]),
    "start": ("leader", [S.RECEIVED, S.IN_PROGRESS, S.DECLINED, S.CLOSED]),
    "on_agenda": ("coordinator", [S.RECEIVED, S.ON_AGENDA, S.RECOMMENDATION_GIVEN, S.DECLINED, S.CLOSED]),
    "recommend": ("leader", [S.RECEIVED, S.DECLINED, S.RECOMMENDATION_GIVEN, S.ESCALATED, S.CLOSED]),
    "escalate": ("leader", [S.RECEIVED, S.DECLINED, S.ESCALATED, S.DECISION_RECORDED, S.CLOSED]),
    "decide": ("director", [S.RECEIVED, S.IN_PROGRESS, S.RECOMMENDATION_GIVEN, S.DECISION_RECORDED, S.CLOSED]),
    "close": ("coordinator", [S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.ON_AGENDA, S.ESCALATED, S.CLOSED]),
}


@pytest.mark.parametrize("action", sorted(WRONG_STATES))
def test_a_step_from_the_wrong_status_is_refused_and_changes_nothing(world: World, action: str) -> None:
    role, statuses = WRONG_STATES[action]
    _, call, _ = ACTIONS[action]
    for status in statuses:
        case = make_case(world, status=status)
        with pytest.raises(ValidationError):
            call(world, world[role], case)
        case.refresh_from_db()
        assert case.status == status
        assert case.events.count() == 1


def test_an_already_routed_case_cannot_be_routed_again(world: World) -> None:
    case = make_case(world)
    with pytest.raises(ValidationError):
        services.case_route(user=world["coordinator"], case=case, network=world.other_network)
    case.refresh_from_db()
    assert case.network == world.network


def test_routing_to_a_network_of_another_region_is_refused(world: World) -> None:
    case = make_case(world, network=None)
    with pytest.raises(ValidationError):
        services.case_route(user=world["coordinator"], case=case, network=world.network_b)
    case.refresh_from_db()
    assert case.network is None


class TestRoutingAndAnswers:
    def test_routing_numbers_the_case_and_tells_the_submitter(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        make_case(world)  # the network already has 001 this year
        case = make_case(world, network=None)
        with django_capture_on_commit_callbacks(execute=True):
            routed = services.case_route(user=world["coordinator"], case=case, network=world.network)
        assert routed.number == 2
        assert mail.outbox[0].to == ["employee@example.org"]

    def test_declining_needs_a_reason_which_the_submitter_sees(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = make_case(world)
        with pytest.raises(ValidationError) as error:
            services.case_decline(user=world["leader"], case=case, reason="  ")
        assert "reason" in error.value.message_dict
        with django_capture_on_commit_callbacks(execute=True):
            services.case_decline(user=world["leader"], case=case, reason="Hører hjemme i Akuttnettverket.")
        case.refresh_from_db()
        assert case.decline_reason == "Hører hjemme i Akuttnettverket."
        assert "Akuttnettverket" in mail.outbox[0].body

    def test_a_stale_version_is_told_and_nothing_is_saved(self, world: World) -> None:
        case = make_case(world)
        seen = case.lock_version
        services.case_accept(user=world["secretary"], case=case, lock_version=seen)
        with pytest.raises(ConflictError) as error:
            services.case_decline(user=world["leader"], case=case, reason="Nei", lock_version=seen)
        assert error.value.current.status == S.ACCEPTED
        case.refresh_from_db()
        assert case.status == S.ACCEPTED

    def test_case_set_on_agenda_records_the_meeting_on_the_timeline(self, world: World) -> None:
        """The contract with the meetings app."""
        case = make_case(world, status=S.ACCEPTED)
        result = services.case_set_on_agenda(user=world["secretary"], case=case, meeting_label="Nettverksmøte 3/2026")
        assert result.status == S.ON_AGENDA
        event = result.events.get(kind=CaseEvent.Kind.ON_AGENDA)
        assert event.text == "Nettverksmøte 3/2026"
        assert event.actor == world["secretary"]


class TestEscalation:
    def test_without_consensus_both_views_reach_the_director_who_records_the_decision(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        with pytest.raises(ValidationError) as error:
            services.case_escalate(user=world["leader"], case=case, recommendation="Sentraliser K3.", other_view="")
        assert "other_view" in error.value.message_dict
        with django_capture_on_commit_callbacks(execute=True):
            services.case_escalate(
                user=world["leader"],
                case=case,
                recommendation="Sentraliser K3-senger til St. Olavs.",
                other_view="Behold lokale K3-senger i Ålesund.",
            )
        case.refresh_from_db()
        assert (case.status, case.consensus, case.escalated_to) == (S.ESCALATED, False, "medical_director")
        assert {m.to[0] for m in mail.outbox} == {"director@example.org", "employee@example.org"}

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.case_record_decision(user=world["director"], case=case, decision="Lokale senger beholdes.")
        case.refresh_from_db()
        assert case.status == S.DECISION_RECORDED
        assert case.decided_by == world["director"]
        assert case.decision == "Lokale senger beholdes."
        # The submitter and the network's leadership are told.
        assert {m.to[0] for m in mail.outbox} == {"employee@example.org", "leader@example.org", "secretary@example.org"}
        services.case_close(user=world["leader"], case=case)
        assert [e.kind for e in case.events.order_by("at", "pk")][-3:] == ["escalated", "decided", "closed"]

    def test_the_decision_may_not_be_empty(self, world: World) -> None:
        case = make_case(world, status=S.ESCALATED)
        with pytest.raises(ValidationError):
            services.case_record_decision(user=world["director"], case=case, decision=" ")


class TestTasksAndCommonCases:
    def test_the_director_assigns_a_task_to_two_networks_with_a_deadline(self, world: World) -> None:
        cases = services.case_assign_task(
            user=world["director"],
            networks=[world.network, world.other_network],
            data={**DATA, "due_date": days_from_today(60)},
        )
        assert [c.network for c in cases] == [world.network, world.other_network]
        assert {c.source for c in cases} == {Case.Source.RHF_TASK}
        assert all(c.number == 1 and c.status == S.RECEIVED for c in cases)

    def test_a_task_needs_a_deadline_and_may_not_come_from_an_employee(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.case_assign_task(user=world["coordinator"], networks=[world.network], data=DATA)
        with pytest.raises(PermissionDenied):
            services.case_assign_task(
                user=world["leader"], networks=[world.network], data={**DATA, "due_date": days_from_today(5)}
            )
        assert not Case.objects.exists()

    def test_the_coordinator_sends_a_common_case_to_all_networks(self, world: World) -> None:
        sub = make_network(world.region_a, kind=Network.Kind.WORKING_GROUP, parent=world.network)
        common = services.common_case_send(user=world["coordinator"], region=world.region_a, networks=None, data=DATA)
        networks = {c.network for c in common.cases.all()}
        assert networks == {world.network, world.other_network}  # working groups answer through their network
        assert sub not in networks
        assert {c.source for c in common.cases.all()} == {Case.Source.COMMON}

    def test_a_common_case_is_for_the_coordinator_only(self, world: World) -> None:
        for role in ("director", "leader", "coordinator_b"):
            with pytest.raises(PermissionDenied):
                services.common_case_send(user=world[role], region=world.region_a, networks=None, data=DATA)
        assert not CommonCase.objects.exists()


class TestComments:
    def test_people_who_see_the_case_comment_others_cannot(self, world: World) -> None:
        case = make_case(world)
        for role in ("employee", "member", "director"):
            services.case_comment(user=world[role], case=case, text="Innspill")
        for role in ("other_member", "coordinator_b"):
            with pytest.raises(PermissionDenied):
                services.case_comment(user=world[role], case=case, text="Innspill")
        assert case.events.filter(kind=CaseEvent.Kind.COMMENTED).count() == 3

    def test_a_comment_with_a_national_identity_number_is_refused(self, world: World) -> None:
        case = make_case(world)
        with pytest.raises(ValidationError) as error:
            services.case_comment(user=world["member"], case=case, text="Gjelder 15108695088")
        assert "text" in error.value.message_dict
        assert not case.events.filter(kind=CaseEvent.Kind.COMMENTED).exists()
