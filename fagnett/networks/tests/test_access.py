"""``fagnett.access`` reads appointments without importing networks: it must agree with networks' own statuses."""

import pytest

from fagnett.access import APPOINTED, access_for, forget_access
from fagnett.networks.models import Appointment, AppointmentRole
from tests.factories import World, appoint

pytestmark = pytest.mark.django_db


def test_the_access_layer_names_the_appointed_status_as_networks_does() -> None:
    assert Appointment.Status.APPOINTED == APPOINTED


def test_only_an_appointment_that_was_made_gives_a_role(world: World) -> None:
    candidate = world["candidate"]
    appointment = appoint(world.other_network, candidate, AppointmentRole.MEMBER, status=Appointment.Status.NOMINATED)
    assert access_for(candidate).roles_in(world.other_network.pk) == frozenset()
    appointment.status = Appointment.Status.APPOINTED
    appointment.save()
    forget_access(candidate)
    access = access_for(candidate)
    assert access.roles_in(world.other_network.pk) == {AppointmentRole.MEMBER}
    assert access.network_regions == {world.other_network.pk: world.region_a.pk}
    assert world.region_a.pk in access.regions
