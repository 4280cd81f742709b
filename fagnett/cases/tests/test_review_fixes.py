"""Common cases and their answers are read by the same people on every page, list and export."""

import pytest
from django.test import Client
from django.urls import reverse

from fagnett.cases import services
from fagnett.networks.models import AppointmentRole
from tests.factories import World, appoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def common(world: World):  # type: ignore[no-untyped-def]
    return services.common_case_send(
        user=world["coordinator"],
        region=world.region_a,
        networks=[world.network, world.other_network],
        data={"title": "Flytting av elektiv aktivitet", "description": "Vurder flytting.", "wanted": "Innspill."},
    )


def test_leading_a_network_in_another_region_gives_no_access(world: World, common, client: Client) -> None:  # type: ignore[no-untyped-def]
    # Works in region A, but leads a network in region B only.
    appoint(world.network_b, world["employee"], AppointmentRole.LEADER)
    client.force_login(world["employee"])
    assert client.get(reverse("cases:common_detail", args=[common.pk])).status_code == 404
    assert list(client.get(reverse("cases:common_list")).context["common_cases"]) == []


def test_plain_employees_do_not_see_the_common_case_list(world: World, common, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world["employee"])
    assert list(client.get(reverse("cases:common_list")).context["common_cases"]) == []
    client.force_login(world["coordinator"])
    assert [c.pk for c in client.get(reverse("cases:common_list")).context["common_cases"]] == [common.pk]


def test_a_leader_sees_only_the_own_networks_row_of_the_matrix(world: World, common, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world["leader"])
    response = client.get(reverse("cases:common_detail", args=[common.pk]))
    assert [row.network for row in response.context["matrix"].rows] == [world.network]
    client.force_login(world["coordinator"])
    response = client.get(reverse("cases:common_detail", args=[common.pk]))
    assert {row.network for row in response.context["matrix"].rows} == {world.network, world.other_network}


def test_members_see_the_common_case_name_without_a_link_they_cannot_open(world: World, common, client: Client) -> None:  # type: ignore[no-untyped-def]
    case = common.cases.get(network=world.network)
    client.force_login(world["member"])
    response = client.get(case.get_absolute_url())
    assert response.context["can_view_common"] is False
    assert common.get_absolute_url() not in response.content.decode()
