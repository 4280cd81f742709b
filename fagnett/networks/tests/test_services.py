import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from fagnett.core.exceptions import ConflictError
from fagnett.networks import services
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network
from tests.factories import World

pytestmark = pytest.mark.django_db


def nominate(world: World, by: str = "fagsjef", person: str = "candidate", **kwargs: object) -> Appointment:
    return services.appointment_nominate(
        user=world[by], network=world.network, person=world[person], role=AppointmentRole.MEMBER, **kwargs
    )


class TestNomination:
    def test_fagsjef_nominates_a_colleague_who_then_represents_their_trust(self, world: World) -> None:
        appointment = nominate(world, note="Leder intensivseksjonen.")
        assert appointment.status == Appointment.Status.NOMINATED
        assert appointment.trust == world.trusts_a[2]
        assert appointment.nominated_by == world["fagsjef"]
        assert appointment.history.count() == 1  # the audit trail has the creation

    def test_fagsjef_cannot_nominate_someone_from_another_trust(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            nominate(world, person="employee")  # employee works in trust A2, the fagsjef leads A3
        assert "person" in error.value.message_dict
        assert not Appointment.objects.filter(person=world["employee"]).exists()

    def test_fagsjef_of_another_region_is_refused(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            nominate(world, by="fagsjef_b")

    def test_member_cannot_nominate(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            nominate(world, by="member")

    def test_the_same_person_cannot_be_nominated_twice_for_the_same_role(self, world: World) -> None:
        nominate(world)
        with pytest.raises(ValidationError):
            nominate(world)
        assert Appointment.objects.filter(person=world["candidate"]).count() == 1

    def test_only_the_coordinator_nominates_the_rhf_representative(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.appointment_nominate(
                user=world["fagsjef"],
                network=world.network,
                person=world["candidate"],
                role=AppointmentRole.RHF_REPRESENTATIVE,
            )
        appointment = services.appointment_nominate(
            user=world["coordinator"],
            network=world.network,
            person=world["director"],
            role=AppointmentRole.RHF_REPRESENTATIVE,
        )
        assert appointment.trust is None

    def test_a_note_with_a_national_identity_number_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            nominate(world, note="Se pasient 15108695088")
        assert "nomination_note" in error.value.message_dict
        assert not Appointment.objects.filter(person=world["candidate"]).exists()

    def test_end_before_start_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError):
            nominate(world, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2025, 1, 1))


class TestDecision:
    def test_coordinator_appoints_and_the_people_concerned_are_told_after_commit(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        appointment = nominate(world)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.appointment_appoint(
                user=world["coordinator"], appointment=appointment, start_date=datetime.date(2026, 1, 1)
            )
            assert mail.outbox == []  # nothing leaves before the commit
        assert len(callbacks) == 1
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.APPOINTED
        assert appointment.decided_by == world["coordinator"]
        assert sorted(m.to[0] for m in mail.outbox) == ["candidate@example.org", "fagsjef@example.org"]
        assert "Anestesi og intensiv" in mail.outbox[0].subject

    def test_declining_needs_a_reason_and_saves_nothing_without_one(self, world: World) -> None:
        appointment = nominate(world)
        with pytest.raises(ValidationError):
            services.appointment_decline(user=world["coordinator"], appointment=appointment, reason="  ")
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.NOMINATED

    def test_declined_nomination_keeps_the_reason(self, world: World) -> None:
        appointment = nominate(world)
        services.appointment_decline(
            user=world["coordinator"], appointment=appointment, reason="Trust already has two."
        )
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.DECLINED
        assert appointment.decision_reason == "Trust already has two."

    @pytest.mark.parametrize("role", ["coordinator_b", "fagsjef", "leader", "director"])
    def test_only_the_regions_coordinator_decides(self, world: World, role: str) -> None:
        appointment = nominate(world)
        with pytest.raises(PermissionDenied):
            services.appointment_appoint(user=world[role], appointment=appointment)

    def test_a_decided_nomination_cannot_be_decided_again(self, world: World) -> None:
        appointment = nominate(world)
        services.appointment_appoint(user=world["coordinator"], appointment=appointment)
        with pytest.raises(ValidationError):
            services.appointment_decline(user=world["coordinator"], appointment=appointment, reason="Changed my mind")

    def test_ending_an_appointment(self, world: World) -> None:
        appointment = world.network.appointments.get(person=world["member"])
        services.appointment_end(
            user=world["coordinator"], appointment=appointment, end_date=datetime.date(2026, 6, 30)
        )
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.ENDED
        assert appointment.end_date == datetime.date(2026, 6, 30)
        with pytest.raises(ValidationError):
            services.appointment_end(user=world["coordinator"], appointment=appointment, end_date=datetime.date.today())


class TestMandateVersions:
    def data(self, **kwargs: object) -> dict[str, object]:
        return {"purpose": "Ny formulering av formålet.", "period_start": datetime.date(2026, 1, 1), **kwargs}

    def test_a_change_is_a_new_version_and_the_old_one_is_kept(self, world: World) -> None:
        old = world.network.mandates.get()
        new = services.mandate_create_version(
            user=world["coordinator"],
            network=world.network,
            data=self.data(change_reason="Fornyet"),
            tasks=world.tasks[:1],
            base_version=1,
        )
        assert new.version == 2
        old.refresh_from_db()
        assert old.purpose == "Samling om beste praksis."
        assert list(old.tasks.all()) == world.tasks[:2]
        assert list(new.tasks.all()) == world.tasks[:1]

    def test_default_period_is_three_years_and_four_meetings(self, world: World) -> None:
        mandate = services.mandate_create_version(
            user=world["coordinator"], network=world.network, data=self.data(), tasks=[], base_version=1
        )
        assert mandate.period_end == datetime.date(2028, 12, 31)
        assert mandate.min_meetings_per_year == 4

    def test_a_version_based_on_an_old_one_is_a_conflict_and_saves_nothing(self, world: World) -> None:
        services.mandate_create_version(
            user=world["coordinator"], network=world.network, data=self.data(), tasks=[], base_version=1
        )
        with pytest.raises(ConflictError) as error:
            services.mandate_create_version(
                user=world["coordinator"], network=world.network, data=self.data(), tasks=[], base_version=1
            )
        assert error.value.current.version == 2
        assert world.network.mandates.count() == 2

    def test_tasks_must_come_from_the_networks_region(self, world: World) -> None:
        foreign = world.region_b.task_list.first()
        with pytest.raises(ValidationError):
            services.mandate_create_version(
                user=world["coordinator"], network=world.network, data=self.data(), tasks=[foreign], base_version=1
            )
        assert world.network.mandates.count() == 1

    def test_period_must_end_after_it_starts(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.mandate_create_version(
                user=world["coordinator"],
                network=world.network,
                data=self.data(period_end=datetime.date(2025, 1, 1)),
                tasks=[],
                base_version=1,
            )

    @pytest.mark.parametrize("role", ["coordinator_b", "leader", "director", "fagsjef"])
    def test_only_the_regions_coordinator_writes_mandates(self, world: World, role: str) -> None:
        with pytest.raises(PermissionDenied):
            services.mandate_create_version(
                user=world[role], network=world.network, data=self.data(), tasks=[], base_version=1
            )
        assert Mandate.objects.filter(network=world.network).count() == 1


class TestNetworks:
    def test_coordinator_creates_a_council_under_a_network(self, world: World) -> None:
        council = services.network_create(
            user=world["coordinator"],
            region=world.region_a,
            data={
                "name": "Smerte og utmattelse",
                "field": "Smerte",
                "kind": Network.Kind.COUNCIL,
                "parent": world.network,
            },
        )
        assert council.parent == world.network
        assert council.status == Network.Status.PLANNED

    def test_a_council_needs_a_parent_in_the_same_region(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.network_create(
                user=world["coordinator"],
                region=world.region_a,
                data={"name": "X", "field": "Y", "kind": Network.Kind.COUNCIL, "parent": world.network_b},
            )

    def test_coordinator_of_another_region_cannot_change_a_network(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            services.network_update(
                user=world["coordinator_b"], network=world.network, data={"name": "Hijacked"}, lock_version=1
            )
        world.network.refresh_from_db()
        assert world.network.name == "Anestesi og intensiv"

    def test_merged_needs_the_network_it_was_merged_into(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.network_update(
                user=world["coordinator"], network=world.other_network, data={"status": "merged"}, lock_version=1
            )
        network = services.network_update(
            user=world["coordinator"],
            network=world.other_network,
            data={"status": "merged", "merged_into": world.network},
            lock_version=1,
        )
        assert network.merged_into == world.network

    def test_second_save_from_the_same_starting_point_is_a_conflict(self, world: World) -> None:
        services.network_update(
            user=world["coordinator"], network=world.network, data={"description": "Første"}, lock_version=1
        )
        with pytest.raises(ConflictError):
            services.network_update(
                user=world["coordinator"], network=world.network, data={"description": "Andre"}, lock_version=1
            )
        world.network.refresh_from_db()
        assert world.network.description == "Første"
        assert world.network.history.count() == 2  # created + one change
