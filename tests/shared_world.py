"""Worlds built once for many tests instead of once per test: ``setUpTestData`` for pytest functions.

Three fixtures give a test a world of rows to work in: ``world`` (``tests.factories.make_world``, about 100 queries,
55 ms), ``known_region`` (the region of seed 000 whose numbers the annual report's tests check, a few seconds) and
``demo`` (``manage.py load_demo``, some 30 000 rows, 15 s). Most tests only read them and add a few rows
of their own. So a world is built once, in an outer transaction opened before the first test that asks for it, and
every test then runs in pytest-django's usual transaction — a savepoint inside the outer one, rolled back after the
test. What a test changes in the database goes with its savepoint. ``world`` also hands each test its own deep copy
of the Python objects, so what a test changes in memory (an attribute, the ``access_for`` cache on a user) never
reaches the next test. This is Django's ``TestCase.setUpTestData`` with its ``TestData`` copies
(django/test/testcases.py), driven by the order of the tests instead of by a class.

``world`` is shared by the consecutive tests of one module that ask for it, ``demo`` by all the tests of the run that
ask for it (they are moved to the front of the run, one after the other). The outer transaction is open only while
consecutive tests share it. Before any other test — one that does not ask for that world and so must not find its
rows, a transactional test, a live-server test, Django's own test classes, a test of another module — it is rolled
back, and the next test that asks for the world opens a new one. pytest-django runs the ordinary database tests
first, so a module's world tests are mostly consecutive. A test that asks for a world in a transactional database
builds its own, as before.

The limits (as with ``setUpTestData``): the world is built before the test's own fixtures, so a fixture that
changes settings, patches code or captures mail and logs does not see it being built; and a module- or class-scoped
fixture that writes to the database must roll back what it writes itself (as the two today do), or its rows would go
with the world's transaction.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test import SimpleTestCase

from fagnett.reports.tests.factories import build_known_region
from tests.factories import make_world

# What makes pytest-django give a test a TransactionTestCase (pytest_django.fixtures._django_db_helper).
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def load_demo() -> None:
    call_command("load_demo", quiet_logins=True)


@dataclass(frozen=True)
class Kind:
    build: Callable[[], Any]
    per_module: bool  # shared by the tests of a module; otherwise by every test of the run that asks for it


# The fixture a test asks for → how that world is built and how widely it is shared.
KINDS = {
    "world": Kind(make_world, per_module=True),
    "known_region": Kind(build_known_region, per_module=True),
    "demo": Kind(load_demo, per_module=False),
}


def _marker_is_transactional(transaction: bool = False, reset_sequences: bool = False, **_: Any) -> bool:
    return transaction or reset_sequences


def shared_key(item: pytest.Item) -> tuple[str, str] | None:
    """(kind, module or "") of the world the test shares, or None if it must not find one: it asks for none, or for
    both, or it does not run in an ordinary database test that rolls back to a savepoint."""
    names = set(getattr(item, "fixturenames", ()))
    kinds = names & KINDS.keys()
    if len(kinds) != 1 or names & TRANSACTIONAL_FIXTURES:
        return None
    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, SimpleTestCase):
        return None  # Django's own test classes manage their transactions themselves
    marker = item.get_closest_marker("django_db")
    if marker and _marker_is_transactional(*marker.args, **marker.kwargs):
        return None
    (kind,) = kinds
    return kind, item.nodeid.split("::")[0] if KINDS[kind].per_module else ""


def run_shared_by_the_run_together(items: list[pytest.Item]) -> None:
    """Move the tests that share a world with the whole run (the demo) to the front, one after the other, so that
    it is built once. They stay among the ordinary database tests, which pytest-django runs first."""
    keys = {item: shared_key(item) for item in items}
    together = [item for item in items if (key := keys[item]) is not None and not key[1]]
    if together:
        rest = [item for item in items if item not in set(together)]
        items[:] = sorted(together, key=lambda item: keys[item] or ("", "")) + rest


class SharedWorlds:
    """The open world (if any): what it is, its outer transactions and its pristine objects."""

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self.key: tuple[str, str] | None = None
        self.atomics: list[tuple[str, transaction.Atomic]] = []
        self.pristine: Any = None
        self.builds = 0

    def prepare(self, item: pytest.Item) -> None:
        """Called before each test's fixtures: open the world it shares, or roll back one it must not see."""
        key = shared_key(item)
        if key != self.key:
            self.close()
            if key is not None:
                self.open(key)

    def holds(self, item: pytest.Item, kind: str) -> bool:
        """Whether the open world is the ``kind`` that ``item`` shares."""
        return self.key is not None and self.key[0] == kind and self.key == shared_key(item)

    def copy_for(self, item: pytest.Item, kind: str) -> Any:
        """A private copy of the open world's objects for ``item``, or None if the test must build its own."""
        return copy.deepcopy(self.pristine) if self.holds(item, kind) else None

    def open(self, key: tuple[str, str]) -> None:
        with self.blocker.unblock():
            for alias in connections:
                atomic = transaction.atomic(using=alias)
                # As TestCase's class-level transaction: a durable atomic block inside a test is still allowed.
                atomic._from_testcase = True  # type: ignore[attr-defined]
                atomic.__enter__()
                self.atomics.append((alias, atomic))
            try:
                self.pristine = KINDS[key[0]].build()
            except BaseException:
                self._rollback()
                raise
        self.key = key
        self.builds += 1

    def close(self) -> None:
        if self.atomics:
            with self.blocker.unblock():
                self._rollback()
        self.key = None
        self.pristine = None

    def _rollback(self) -> None:
        while self.atomics:
            alias, atomic = self.atomics.pop()
            transaction.set_rollback(True, using=alias)
            atomic.__exit__(None, None, None)
