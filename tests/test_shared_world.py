"""The shared worlds (tests/shared_world.py): built once for many tests, yet seen by each as if built for it.

The tests of ``world`` here run in the order they are written (pytest-django moves the transactional ones to the end
of the run, and the demo's tests go to its front). The two turns of the first test each check the world as built and
then change it, in the database and in memory, so whichever runs second finds out whether the first one's changes
leaked; the demo's two turns do the same. The later tests check who must not see the world at all, and that the two
databases behave alike: this module runs in both the SQLite and the PostgreSQL run.
"""

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import TestCase

from fagnett.access import access_for, forget_access
from fagnett.accounts.models import RegionRole, User
from fagnett.networks.models import Network
from fagnett.organisations.models import Region
from tests.factories import ROLES, World, make_region
from tests.shared_world import SharedWorlds

# The copies handed out to the tests of this module and the build each came from, kept alive so that identity
# can be compared (an id() could be reused once an object is gone).
_handed_out: list[tuple[World, int]] = []


def _assert_as_built(world: World) -> None:
    """The world in the database and in memory is the one ``make_world`` builds, changed by nobody."""
    assert Region.objects.count() == 2
    assert sorted(User.objects.values_list("username", flat=True)) == sorted([*ROLES, "candidate"])
    assert Network.objects.get(pk=world.network.pk).name == "Anestesi og intensiv"
    assert world.network.name == "Anestesi og intensiv"
    assert RegionRole.objects.filter(user__username="coordinator").count() == 1
    assert access_for(world["coordinator"]).is_coordinator(world.region_a.pk)
    assert not access_for(world["employee"]).is_coordinator(world.region_a.pk)


@pytest.mark.parametrize("turn", ["first", "second"])
def test_what_a_test_changes_in_the_world_is_gone_for_the_next(
    world: World, shared_worlds: SharedWorlds, turn: str
) -> None:
    _assert_as_built(world)
    for earlier, build in _handed_out:
        # Shared, not rebuilt: the same rows (and so the same primary keys) from the same build...
        assert build == shared_worlds.builds
        assert earlier.network.pk == world.network.pk
        assert earlier["coordinator"].pk == world["coordinator"].pk
        # ...but never the same Python objects.
        assert earlier.network is not world.network
        assert earlier["member"] is not world["member"]
    _handed_out.append((world, shared_worlds.builds))

    # Change rows of the world, add one, delete some; change objects in memory.
    Network.objects.filter(pk=world.network.pk).update(name="Endret")
    make_region(name="Region C RHF", short_name="RC")
    RegionRole.objects.filter(user=world["coordinator"]).delete()
    world["candidate"].delete()
    world.network.name = "Endret i minnet"
    world["employee"].first_name = "Endret"
    # Make the employee a coordinator for a moment: the access cached on this copy says so from now on.
    forget_access(world["employee"])
    role = RegionRole.objects.create(user=world["employee"], region=world.region_a, role=RegionRole.Role.COORDINATOR)
    assert access_for(world["employee"]).is_coordinator(world.region_a.pk)
    role.delete()
    assert access_for(world["employee"]).is_coordinator(world.region_a.pk)


def test_a_test_without_the_world_in_its_module_finds_none_of_its_rows(db: None, shared_worlds: SharedWorlds) -> None:
    assert shared_worlds.key is None
    assert not Region.objects.exists()
    assert not User.objects.exists()
    assert not Network.objects.exists()


def test_the_next_test_that_asks_for_the_world_has_it_again(world: World, shared_worlds: SharedWorlds) -> None:
    _assert_as_built(world)
    assert _handed_out, "runs after the two turns above"
    assert shared_worlds.builds == _handed_out[-1][1] + 1  # built anew, because the test before had to lose it
    assert world["employee"].first_name == "Employee"


def test_a_durable_block_is_allowed_in_a_test_with_the_shared_world(world: World) -> None:
    """As in Django's TestCase: the outer transaction does not count as one a durable block may not be inside."""
    with transaction.atomic(durable=True):
        make_region(name="Region D RHF", short_name="RD")
    assert Region.objects.count() == 3


def test_a_database_error_in_a_test_is_rolled_back_with_that_test(world: World) -> None:
    """An error inside a test's own atomic block (the usual way services fail) leaves the world usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_region(name="Region A RHF", short_name="RA")
    assert Region.objects.count() == 2
    make_region(name="Region E RHF", short_name="RE")


@pytest.mark.parametrize("turn", ["first", "second"])
def test_the_demo_is_loaded_once_for_the_run_and_what_a_test_changes_is_gone_for_the_next(
    demo: None, shared_worlds: SharedWorlds, turn: str
) -> None:
    # The tests that ask for the demo run first, one after the other, wherever they are: it is the run's first world.
    assert shared_worlds.builds == 1
    assert set(Region.objects.values_list("short_name", flat=True)) == {"HMN", "Helse Nord"}  # no world's RA, RB
    assert Network.objects.filter(name="Hudsykdommer").count() == 1
    Network.objects.filter(name="Hudsykdommer").update(name="Endret")
    make_region(name="Region C RHF", short_name="RC")


class TestDjangosOwnTestCase(TestCase):
    """A test class of Django's own manages its transactions; it must find the database empty."""

    def test_it_finds_none_of_the_worlds_rows(self) -> None:
        self.assertFalse(Region.objects.exists())
        self.assertFalse(User.objects.exists())


def test_a_world_test_after_a_django_test_case_has_the_world(world: World) -> None:
    _assert_as_built(world)


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_builds_its_own_world_outside_any_transaction(
    world: World, shared_worlds: SharedWorlds
) -> None:
    assert shared_worlds.key is None
    assert not connection.in_atomic_block  # what it writes is committed, as in any transactional test
    _assert_as_built(world)
    assert all(world.network is not earlier.network for earlier, _ in _handed_out)


def test_a_transactional_test_without_the_world_finds_an_empty_database(transactional_db: None) -> None:
    assert not Region.objects.exists()
    assert not User.objects.exists()


def test_a_live_server_test_builds_its_own_world(world: World, live_server: Any) -> None:
    assert not connection.in_atomic_block
    _assert_as_built(world)
