from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import World, make_world


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
