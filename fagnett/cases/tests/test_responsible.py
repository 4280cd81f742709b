"""A case has a responsible person in the network, set by its leader or secretary."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fagnett.cases import services
from fagnett.cases.models import Case, CaseEvent
from fagnett.cases.tests.factories import make_case
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_leader_names_a_member_and_it_is_on_the_timeline(world: World) -> None:
    case = make_case(world, status=Case.Status.ACCEPTED)
    services.case_set_responsible(user=world["leader"], case=case, person=world["member"])
    case.refresh_from_db()
    assert case.responsible == world["member"]
    assert case.events.filter(kind=CaseEvent.Kind.RESPONSIBLE, actor=world["leader"]).exists()


def test_the_responsible_must_be_appointed_in_the_network(world: World) -> None:
    case = make_case(world, status=Case.Status.ACCEPTED)
    with pytest.raises(ValidationError):
        services.case_set_responsible(user=world["leader"], case=case, person=world["other_member"])
    assert Case.objects.get(pk=case.pk).responsible is None


@pytest.mark.parametrize("role", ["member", "employee", "other_member", "coordinator_b"])
def test_others_cannot_set_it(world: World, role: str) -> None:
    case = make_case(world, status=Case.Status.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.case_set_responsible(user=world[role], case=case, person=world["member"])


def test_not_before_the_case_is_accepted(world: World) -> None:
    case = make_case(world, status=Case.Status.RECEIVED)
    with pytest.raises(ValidationError):
        services.case_set_responsible(user=world["leader"], case=case, person=world["member"])


def test_set_from_the_case_page(world: World, client: Client) -> None:
    case = make_case(world, status=Case.Status.IN_PROGRESS)
    client.force_login(world["secretary"])
    page = client.get(case.get_absolute_url())
    assert page.context["responsible_form"] is not None
    response = client.post(
        reverse("cases:responsible", args=[case.pk]),
        {"responsible": world["member"].pk, "lock_version": case.lock_version},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).responsible == world["member"]
    client.force_login(world["member"])
    assert client.get(case.get_absolute_url()).context["responsible_form"] is None
    assert (
        client.post(reverse("cases:responsible", args=[case.pk]), {"responsible": world["member"].pk}).status_code
        == 403
    )
