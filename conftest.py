from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client

from tests.factories import Inbox, Migrator, World, free_port, make_world


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


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    """Mail goes through Django's SMTP backend to a real server on 127.0.0.1, stopped after the test."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()
