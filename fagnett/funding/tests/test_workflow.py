"""The application workflow's table against the services and the application page: for every status and step, the
service refuses exactly when the table (permission, status, the call's deadline) says the step is not possible, and
the page offers the step exactly when ``APPLICATION_WORKFLOW.available`` says so."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.funding import services
from fagnett.funding.models import Application, FundingCall
from fagnett.funding.tests.factories import LINES, TEXTS, add_fagsjef_a1, draft, endorsed, make_call, submitted
from fagnett.funding.workflow import APPLICATION_WORKFLOW
from tests.factories import World

pytestmark = pytest.mark.django_db

S = Application.Status
Call = Callable[[Application, Any, World], Any]

STEPS: dict[str, tuple[str, Call]] = {
    "change": (
        "leader",
        lambda a, u, w: services.application_update(
            user=u, application=a, data=TEXTS, lines=LINES, lock_version=a.lock_version, network=w.network
        ),
    ),
    "submit": (
        "leader",
        lambda a, u, w: services.application_submit(user=u, application=a, lock_version=a.lock_version),
    ),
    "endorse": (
        "fagsjef_a1",
        lambda a, u, w: services.application_endorse(user=u, application=a, lock_version=a.lock_version),
    ),
    "return": (
        "fagsjef_a1",
        lambda a, u, w: services.application_return(
            user=u, application=a, reason="Mer om budsjett", lock_version=a.lock_version
        ),
    ),
    "grant": (
        "coordinator",
        lambda a, u, w: services.application_grant(
            user=u, application=a, amount=10_000, decision_reference="RHF 2026/1", lock_version=a.lock_version
        ),
    ),
    "decline": (
        "coordinator",
        lambda a, u, w: services.application_decline(
            user=u,
            application=a,
            reason="Ikke prioritert",
            decision_reference="RHF 2026/1",
            lock_version=a.lock_version,
        ),
    ),
}

BUTTONS: dict[str, str] = {
    "change": "funding:application_update",
    "submit": "funding:application_submit",
    "endorse": "funding:application_endorse",
    "grant": "funding:application_decide",
}


def _at(world: World, status: str) -> Application:
    """An application of the world's network at ``status``, brought there through the services (a new call each)."""
    call = make_call(world, year=2030 + FundingCall.objects.count())
    if status == S.DRAFT:
        return draft(world, call)
    application = submitted(world, call) if status == S.SUBMITTED else endorsed(world, call)
    coordinator = world["coordinator"]
    if status == S.GRANTED:
        services.application_grant(
            user=coordinator, application=application, amount=1, decision_reference="R", lock_version=None
        )
    elif status == S.DECLINED:
        services.application_decline(
            user=coordinator, application=application, reason="Nei", decision_reference="R", lock_version=None
        )
    application.refresh_from_db()
    assert application.status == status
    return application


def test_every_step_of_the_table_is_tested() -> None:
    assert set(STEPS) == {step.name for step in APPLICATION_WORKFLOW.steps}
    assert set(BUTTONS) == set(STEPS) - {"return", "decline"}  # on the endorse and decide pages


@pytest.mark.parametrize("status", S.values)
def test_services_refuse_exactly_when_the_table_says(world: World, status: str) -> None:
    add_fagsjef_a1(world)
    for name, (role, call) in STEPS.items():
        application = _at(world, status)
        user = world[role]
        expected = APPLICATION_WORKFLOW.available(user, application)[name]
        # The permission is held in the step's status (funding/rules.py), so the table alone decides here.
        assert expected == (status in APPLICATION_WORKFLOW.sources(name)), name
        try:
            call(application, user, world)
        except (ValidationError, PermissionDenied):
            refused = True
        else:
            refused = False
        assert refused is not expected, (name, status)
        # On the locked row the service asks the table itself: its refusal is the workflow's message.
        if status not in APPLICATION_WORKFLOW.sources(name):
            with pytest.raises(ValidationError):
                APPLICATION_WORKFLOW.require(name, application)
        application.refresh_from_db()
        target = APPLICATION_WORKFLOW[name].target
        assert application.status == (target or status if expected else status), (name, status)


def test_a_call_past_its_deadline_or_closed_refuses_the_submission_by_the_guard(world: World) -> None:
    late = draft(world, make_call(world))
    late.call.deadline = timezone.localdate() - datetime.timedelta(days=1)
    late.call.save()
    late.refresh_from_db()
    assert not APPLICATION_WORKFLOW.allows("submit", late)
    with pytest.raises(ValidationError) as refused:
        services.application_submit(user=world["leader"], application=late, lock_version=late.lock_version)
    assert late.call.title in refused.value.messages[0]
    closed = draft(world, make_call(world, year=2031))
    FundingCall.objects.filter(pk=closed.call_id).update(status=FundingCall.Status.CLOSED)
    closed.refresh_from_db()
    assert not APPLICATION_WORKFLOW.available(world["leader"], closed)["submit"]
    with pytest.raises(ValidationError) as refused:
        services.application_submit(user=world["leader"], application=closed, lock_version=closed.lock_version)
    assert closed.call.title in refused.value.messages[0]


@pytest.mark.parametrize("status", S.values)
def test_the_page_offers_exactly_the_available_steps(world: World, client: Client, status: str) -> None:
    add_fagsjef_a1(world)
    application = _at(world, status)
    for role in ("leader", "fagsjef_a1", "coordinator", "director"):
        user = world[role]
        client.force_login(user)
        response = client.get(reverse("funding:application_detail", args=[application.pk]))
        if not user.has_perm("funding.view_application", application):
            assert response.status_code in (403, 404)
            continue
        available = APPLICATION_WORKFLOW.available(user, application)
        page = response.content.decode()
        for name, url_name in BUTTONS.items():
            url = reverse(url_name, args=[application.pk])
            assert (f'"{url}"' in page) is available[name], (name, status, role)
