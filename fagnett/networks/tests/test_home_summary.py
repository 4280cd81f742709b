"""The start page's "My networks" and "My roles" (``home_summary``): one hand-written statement, held to the ORM."""

import pytest

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.networks.models import Appointment, AppointmentRole
from fagnett.networks.selectors import HomeAppointment, home_summary
from tests.factories import World, appoint, make_network

pytestmark = pytest.mark.django_db


def _orm(person: User) -> tuple[list[HomeAppointment], list[tuple[str, str]], list[tuple[str, str]]]:
    appointments = (
        Appointment.objects.filter(
            person=person, status__in=[Appointment.Status.NOMINATED, Appointment.Status.APPOINTED]
        )
        .select_related("network", "trust")
        .order_by("network__name", "pk")
    )
    return (
        [
            HomeAppointment(
                a.network_id,
                str(a.network),
                a.network.get_absolute_url(),
                a.get_role_display(),
                a.status,
                a.trust.short_name if a.trust else "",
            )
            for a in appointments
        ],
        [(r.get_role_display(), str(r.region)) for r in person.region_roles.order_by("pk")],
        [(r.get_role_display(), str(r.trust)) for r in person.trust_roles.order_by("pk")],
    )


def test_the_summary_is_what_the_orm_reads(world: World) -> None:
    leader = world["leader"]
    appoint(make_network(world.region_a, name="Akuttmedisin"), leader, AppointmentRole.SECRETARY)
    appoint(make_network(world.region_a, name="Barn"), leader, status=Appointment.Status.NOMINATED)
    appoint(make_network(world.region_a, name="Diabetes"), leader, status=Appointment.Status.ENDED)
    RegionRole.objects.create(user=leader, region=world.region_b, role=RegionRole.Role.COORDINATOR)
    TrustRole.objects.create(user=leader, trust=world.trusts_a[0], role=TrustRole.Role.FAGSJEF)
    for person in (leader, world["member"], world["coordinator"], world["fagsjef"], world["employee"]):
        summary = home_summary(user=User.objects.get(pk=person.pk))
        assert (summary.appointments, summary.region_roles, summary.trust_roles) == _orm(person)
    summary = home_summary(user=leader)
    assert [a.network for a in summary.appointments] == ["Akuttmedisin", "Anestesi og intensiv", "Barn"]
    assert [a.status for a in summary.appointments][-1] == Appointment.Status.NOMINATED
    assert len(summary.region_roles) == len(summary.trust_roles) == 1
