"""The case workflow's table against the services and the case page: for every status and every step, the service
refuses exactly when the table says the step is not possible, and the page offers the step exactly when
``CASE_WORKFLOW.available`` says so."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fagnett.cases import services
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import assess_consultations, make_case
from fagnett.cases.workflow import CASE_WORKFLOW
from tests.factories import World

pytestmark = pytest.mark.django_db

S = Case.Status

# Each step: who takes it, whether the case has a network, and the service call (case, person, world) → anything.
Call = Callable[[Case, Any, World], Any]
STEPS: dict[str, tuple[str, bool, Call]] = {
    "route": (
        "coordinator",
        False,
        lambda c, u, w: services.case_route(user=u, case=c, network=w.network, lock_version=c.lock_version),
    ),
    "accept": ("leader", True, lambda c, u, w: services.case_accept(user=u, case=c, lock_version=c.lock_version)),
    "decline": (
        "leader",
        True,
        lambda c, u, w: services.case_decline(user=u, case=c, reason="Ikke vårt", lock_version=c.lock_version),
    ),
    "start": ("leader", True, lambda c, u, w: services.case_start(user=u, case=c, lock_version=c.lock_version)),
    "set_responsible": (
        "leader",
        True,
        lambda c, u, w: services.case_set_responsible(user=u, case=c, person=u, lock_version=c.lock_version),
    ),
    "set_on_agenda": ("leader", True, lambda c, u, w: services.case_set_on_agenda(user=u, case=c, meeting_label="M")),
    "consult": (
        "leader",
        True,
        lambda c, u, w: services.consultation_record(
            user=u, case=c, kind="user_involvement", required=False, not_required_reason="Ingen pasientbetydning"
        ),
    ),
    "recommend": (
        "leader",
        True,
        lambda c, u, w: services.case_recommend(
            user=u, case=c, recommendation="Gjør slik", lock_version=c.lock_version
        ),
    ),
    "escalate": (
        "leader",
        True,
        lambda c, u, w: services.case_escalate(
            user=u, case=c, recommendation="Gjør slik", other_view="Nei", lock_version=c.lock_version
        ),
    ),
    "decide": (
        "director",
        True,
        lambda c, u, w: services.case_record_decision(user=u, case=c, decision="Slik", lock_version=c.lock_version),
    ),
    "close": ("leader", True, lambda c, u, w: services.case_close(user=u, case=c, lock_version=c.lock_version)),
}

# What the case page shows for a step: a link or a form posting to the step's address.
BUTTONS: dict[str, Callable[[Case], str]] = {
    "route": lambda c: reverse("cases:route", args=[c.pk]),
    "accept": lambda c: reverse("cases:respond", args=[c.pk]),
    "start": lambda c: reverse("cases:start", args=[c.pk]),
    "set_responsible": lambda c: reverse("cases:responsible", args=[c.pk]),
    "consult": lambda c: reverse("cases:consult", args=[c.pk, "user_involvement"]),
    "recommend": lambda c: reverse("cases:recommend", args=[c.pk]),
    "decide": lambda c: reverse("cases:decide", args=[c.pk]),
    "close": lambda c: reverse("cases:close", args=[c.pk]),
}


def test_every_step_of_the_table_is_tested() -> None:
    assert set(STEPS) == {step.name for step in CASE_WORKFLOW.steps}
    # decline and escalate share their buttons' pages with accept and recommend; set_on_agenda is the meeting's.
    assert set(BUTTONS) == set(STEPS) - {"decline", "escalate", "set_on_agenda"}


@pytest.mark.parametrize("status", S.values)
def test_services_refuse_exactly_when_the_table_says(world: World, status: str) -> None:
    for name, (role, routed, call) in STEPS.items():
        case = make_case(world, status=status, network=world.network if routed else None)
        assess_consultations(case, world["leader"])  # nothing else stands in the way of a recommendation
        user = world[role]
        assert CASE_WORKFLOW.may(user, name, case), name  # the person holds the step's permission
        expected = CASE_WORKFLOW.allows(name, case)
        assert expected == (status in CASE_WORKFLOW.sources(name)), name  # the guard holds on these cases
        try:
            call(case, user, world)
        except ValidationError:
            refused = True
        else:
            refused = False
        assert refused is not expected, (name, status)
        case.refresh_from_db()
        step = CASE_WORKFLOW[name]
        if expected:
            assert case.status == (step.target or status), (name, status)
        else:
            assert case.status == status, (name, status)


def test_a_routed_case_is_not_routed_again_and_a_case_without_a_network_has_no_responsible(world: World) -> None:
    routed = make_case(world)
    assert not CASE_WORKFLOW.allows("route", routed)
    with pytest.raises(ValidationError, match="allerede sendt til et nettverk"):
        services.case_route(user=world["coordinator"], case=routed, network=world.network)
    unrouted = make_case(world, status=S.ACCEPTED, network=None)
    assert not CASE_WORKFLOW.allows("set_responsible", unrouted)


@pytest.mark.parametrize("status", S.values)
def test_the_page_offers_exactly_the_available_steps(world: World, client: Client, status: str) -> None:
    cases = [make_case(world, status=status), make_case(world, status=status, network=None)]
    for role in ("leader", "coordinator", "director", "employee"):
        user = world[role]
        client.force_login(user)
        for case in cases:
            response = client.get(case.get_absolute_url())
            if not user.has_perm("cases.view_case", case):  # a network's leader does not see a case not routed yet
                assert response.status_code == 404
                continue
            assert response.status_code == 200
            available = response.context["actions"]
            assert available == CASE_WORKFLOW.available(user, case)
            for name in available:
                step = CASE_WORKFLOW[name]
                assert available[name] == (
                    user.has_perm(step.perm, case)
                    and status in step.sources
                    and (step.guard is None or step.guard(case))
                ), (name, status, role, case.network_id)
            page = response.content.decode()
            for name, url in BUTTONS.items():
                assert (f'"{url(case)}"' in page) is available[name], (name, status, role, case.network_id)
