from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client

from fagnett.reports.tests.factories import Known, build_known_region
from tests.factories import Inbox, Migrator, World, free_port, make_world
from tests.shared_world import SharedWorlds, load_demo, run_shared_by_the_run_together

_shared_worlds = pytest.StashKey[SharedWorlds]()
_current_item = pytest.StashKey[pytest.Item]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """After pytest-django's order (ordinary database tests first): the demo's tests one after the other.

    A test marked ``migrations`` moves the database through the migrations, which ``--nomigrations`` (the schema
    made from the models, as scripts/test.sh's SQLite runs do) does not have: asking for both is a mistake."""
    if config.getoption("nomigrations", False) and any(item.get_closest_marker("migrations") for item in items):
        raise pytest.UsageError(
            "Tests marked 'migrations' need the migrations: deselect them (-m 'not migrations') "
            "or run without --nomigrations."
        )
    run_shared_by_the_run_together(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the test's fixtures: open the world it shares, or roll back one it must not see."""
    shared = item.config.stash.get(_shared_worlds, None)
    if shared is not None:  # None until the first test that asks for a world has set the databases up
        shared.prepare(item)
    item.config.stash[_current_item] = item


@pytest.fixture(scope="session")
def shared_worlds(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[SharedWorlds]:
    """The worlds shared by several tests (tests/shared_world.py); session-scoped, so set up before ``db``."""
    shared = SharedWorlds(django_db_blocker)
    request.config.stash[_shared_worlds] = shared
    shared.prepare(request.config.stash[_current_item])  # the hook ran for this test before the databases existed
    try:
        yield shared
    finally:
        shared.close()
        del request.config.stash[_shared_worlds]


@pytest.fixture
def world(request: pytest.FixtureRequest, shared_worlds: SharedWorlds, db: None) -> World:
    """The world of ``tests.factories.make_world``: a private copy of the one the module's tests share, or (in a
    transactional test) built for this test alone."""
    shared: World | None = shared_worlds.copy_for(request.node, "world")
    return shared or make_world()


@pytest.fixture
def known_region(request: pytest.FixtureRequest, shared_worlds: SharedWorlds, db: None) -> Known:
    """The region of seed 000 (``fagnett.reports.tests.factories.build_known_region``): a private copy of the one
    the module's tests share, or (in a transactional test) built for this test alone."""
    shared: Known | None = shared_worlds.copy_for(request.node, "known_region")
    return shared or build_known_region()


@pytest.fixture
def demo(request: pytest.FixtureRequest, shared_worlds: SharedWorlds, db: None) -> None:
    """The demo data (``manage.py load_demo``), loaded once for all the tests that ask for it (or, in a transactional
    test, for this test alone)."""
    if not shared_worlds.holds(request.node, "demo"):
        load_demo()


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
