import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fagnett.core.exceptions import ConflictError
from fagnett.procedures import services
from fagnett.procedures.models import Procedure, Status, StatusEvent
from fagnett.procedures.tests.factories import d, make_procedure
from tests.factories import World

pytestmark = pytest.mark.django_db

DATA = {"kind": Procedure.Kind.PROCEDURE, "title": "Arteriekran", "url": "https://example.org/doc/1"}


class TestCreate:
    @pytest.mark.parametrize("role", ["leader", "secretary", "coordinator"])
    def test_the_networks_managers_and_the_coordinator_register(self, world: World, role: str) -> None:
        procedure = services.procedure_create(
            user=world[role], network=world.network, data=DATA, status=Status.IN_PROGRESS, happened_on=d(3)
        )
        assert procedure.status == Status.IN_PROGRESS
        event = procedure.events.get()
        assert (event.from_status, event.status, event.happened_on, event.recorded_by) == (
            "",
            Status.IN_PROGRESS,
            d(3),
            world[role],
        )
        assert procedure.history.count() == 1

    @pytest.mark.parametrize("role", ["member", "director", "employee", "other_member", "coordinator_b", "fagsjef"])
    def test_others_are_refused_and_nothing_is_saved(self, world: World, role: str) -> None:
        with pytest.raises(PermissionDenied):
            services.procedure_create(
                user=world[role], network=world.network, data=DATA, status=Status.PROPOSED, happened_on=d(3)
            )
        assert not Procedure.objects.exists()

    def test_leader_of_one_network_cannot_register_in_another(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            services.procedure_create(
                user=world["leader"], network=world.other_network, data=DATA, status=Status.PROPOSED, happened_on=d(3)
            )

    def test_coordinator_of_another_region_is_refused(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            services.procedure_create(
                user=world["coordinator_b"], network=world.network, data=DATA, status=Status.PROPOSED, happened_on=d(3)
            )

    def test_future_date_and_bad_link_are_refused(self, world: World) -> None:
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as error:
            services.procedure_create(
                user=world["leader"], network=world.network, data=DATA, status=Status.PROPOSED, happened_on=tomorrow
            )
        assert "happened_on" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.procedure_create(
                user=world["leader"],
                network=world.network,
                data={**DATA, "url": "not a link"},
                status=Status.PROPOSED,
                happened_on=d(3),
            )
        assert "url" in error.value.message_dict
        assert not Procedure.objects.exists() and not StatusEvent.objects.exists()

    def test_national_id_in_title_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.procedure_create(
                user=world["leader"],
                network=world.network,
                data={**DATA, "title": "Pasient 01019010046"},
                status=Status.PROPOSED,
                happened_on=d(3),
            )


class TestChangeStatus:
    def test_moves_along_the_lifecycle_with_dated_events(self, world: World) -> None:
        procedure = make_procedure(world.network, (Status.PROPOSED, d(1)))
        services.procedure_change_status(
            user=world["secretary"], procedure=procedure, status=Status.IN_PROGRESS, happened_on=d(2)
        )
        services.procedure_change_status(
            user=world["secretary"], procedure=procedure, status=Status.PUBLISHED, happened_on=d(5), note="Godkjent"
        )
        procedure.refresh_from_db()
        assert procedure.status == Status.PUBLISHED
        assert list(procedure.events.values_list("from_status", "status", "happened_on")) == [
            ("", Status.PROPOSED, d(1)),
            (Status.PROPOSED, Status.IN_PROGRESS, d(2)),
            (Status.IN_PROGRESS, Status.PUBLISHED, d(5)),
        ]

    def test_a_move_the_lifecycle_does_not_allow_is_refused(self, world: World) -> None:
        procedure = make_procedure(world.network, (Status.PROPOSED, d(1)))
        with pytest.raises(ValidationError) as error:
            services.procedure_change_status(
                user=world["leader"], procedure=procedure, status=Status.UNDER_REVISION, happened_on=d(2)
            )
        assert "status" in error.value.message_dict
        assert procedure.events.count() == 1

    def test_date_in_the_future_or_before_the_last_change_is_refused(self, world: World) -> None:
        procedure = make_procedure(world.network, (Status.PROPOSED, d(6)))
        for day in (timezone.localdate() + datetime.timedelta(days=1), d(5)):
            with pytest.raises(ValidationError) as error:
                services.procedure_change_status(
                    user=world["leader"], procedure=procedure, status=Status.IN_PROGRESS, happened_on=day
                )
            assert "happened_on" in error.value.message_dict
        procedure.refresh_from_db()
        assert procedure.status == Status.PROPOSED and procedure.events.count() == 1

    @pytest.mark.parametrize("role", ["member", "director", "employee", "coordinator_b"])
    def test_others_cannot_change_status(self, world: World, role: str) -> None:
        procedure = make_procedure(world.network, (Status.PROPOSED, d(1)))
        with pytest.raises(PermissionDenied):
            services.procedure_change_status(
                user=world[role], procedure=procedure, status=Status.IN_PROGRESS, happened_on=d(2)
            )


class TestUpdate:
    def test_saves_and_bumps_the_version(self, world: World) -> None:
        procedure = make_procedure(world.network)
        updated = services.procedure_update(
            user=world["leader"],
            procedure=procedure,
            data={"title": "Ny tittel", "review_date": d(12)},
            lock_version=procedure.lock_version,
        )
        assert (updated.title, updated.review_date, updated.lock_version) == ("Ny tittel", d(12), 2)

    def test_stale_version_is_a_conflict_and_nothing_is_saved(self, world: World) -> None:
        procedure = make_procedure(world.network, title="Original")
        services.procedure_update(user=world["secretary"], procedure=procedure, data={"title": "B"}, lock_version=1)
        with pytest.raises(ConflictError):
            services.procedure_update(user=world["leader"], procedure=procedure, data={"title": "A"}, lock_version=1)
        procedure.refresh_from_db()
        assert procedure.title == "B"
