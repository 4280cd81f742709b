from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from django.test import Client

from fagnett.core.testing import Migrator, World, make_world


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def login_as(world: World, client: Client) -> Callable[[str], Client]:
    """``login_as("coordinator")`` returns the test client logged in as that person of the world."""

    def login(role: str) -> Client:
        client.force_login(world[role])
        return client

    return login


@pytest.fixture
def migrator(transactional_db: None) -> Iterator[Migrator]:
    """Migrate the test database back and forth (``core.testing.Migrator``); it ends fully migrated again."""
    try:
        yield Migrator()
    finally:
        call_command("migrate", verbosity=0)
