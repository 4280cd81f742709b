"""The start page's "My networks" and "My roles" (``home_summary``): one hand-written statement, held to the ORM."""

import datetime

import pytest
from django.utils import timezone

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.networks.models import Appointment, AppointmentRole
from fagnett.networks.selectors import HomeAppointment, expiring_mandates, home_summary
from tests.factories import World, appoint, make_mandate, make_network, make_user

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


def test_the_summarys_expiring_mandates_are_expiring_mandates_within_six_months(world: World) -> None:
    """Asked in the summary's statement, the start page's table is ``expiring_mandates`` (which a test holds to the
    ORM) for six months: a coordinator's region, a superuser's every region, nothing for anyone else."""
    today = timezone.localdate()
    for network, days in ((world.network, 60), (world.other_network, 150), (world.network_b, 90)):
        make_mandate(
            network, period_start=today - datetime.timedelta(days=300), period_end=today + datetime.timedelta(days=days)
        )
    make_mandate(make_network(world.region_a, name="Senere"), period_end=today + datetime.timedelta(days=250))
    superuser = make_user("root", is_superuser=True)
    found = {}
    for person in (world["coordinator"], world["coordinator_b"], superuser, world["leader"], world["director"]):
        fresh = User.objects.get(pk=person.pk)  # as a request sees them (no access kept on the object)
        found[person.username] = home_summary(user=fresh).expiring
        assert found[person.username] == expiring_mandates(user=fresh, today=today, months=6), person
    assert {world.network.name, world.other_network.name} <= {m.network for m in found["coordinator"]}
    assert "Senere" not in {m.network for m in found["root"]}
    assert world.network_b.name in {m.network for m in found["root"]} and found["leader"] == []
