"""Optimistic locking through real records (``fagnett/core/locking.py``): the compare-and-set save, the history it
leaves, two saves at the same moment on PostgreSQL, and a walk that keeps every model and form of every app on the
one mechanism, so the next one cannot write its own.

Two models stand in for all: ``Network`` (history keeps the version) and ``Topic`` (history leaves it out).
"""

import ast
import importlib
import inspect
import threading
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F

from fagnett.core.exceptions import ConflictError
from fagnett.core.locking import VersionedForm, VersionedModel, locked_get, locked_update
from fagnett.networks import services as network_services
from fagnett.networks.models import Network
from fagnett.topics.models import Topic
from tests.factories import World, make_world

ROOT = Path(__file__).resolve().parents[1] / "fagnett"


def _history_fields(row: Any, model: type) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if hasattr(row, f.attname)}


@pytest.mark.django_db
class TestOneRecord:
    def test_a_save_is_the_next_version_with_one_history_row_as_a_plain_save_makes(self, world: World) -> None:
        network = locked_get(Network.objects, pk=world.network.pk, expected_version=1)
        network.description = "Ny beskrivelse"
        history = world.network.history.count()
        saved = locked_update(network)
        assert saved.lock_version == 2
        assert Network.objects.get(pk=network.pk).lock_version == 2
        assert world.network.history.count() == history + 1
        row = world.network.history.latest()
        assert row.history_type == "~"
        # The history row is the whole record as saved, version included.
        assert _history_fields(row, Network) == _history_fields(Network.objects.get(pk=network.pk), Network)

    def test_a_form_opened_on_an_older_version_is_refused_and_nothing_is_written(self, world: World) -> None:
        network_services.network_update(
            user=world["coordinator"], network=world.network, data={"description": "Først"}, lock_version=1
        )
        history = world.network.history.count()
        with pytest.raises(ConflictError) as error:
            network_services.network_update(
                user=world["coordinator"], network=world.network, data={"description": "Sist"}, lock_version=1
            )
        assert (error.value.current.lock_version, error.value.current.description) == (2, "Først")
        assert Network.objects.get(pk=world.network.pk).description == "Først"
        assert world.network.history.count() == history

    def test_the_save_itself_is_a_compare_and_set(self, world: World) -> None:
        """Without a row lock (or on a database without them) a save between the read and the write still wins."""
        mine = Network.objects.get(pk=world.network.pk)  # read, no lock
        Network.objects.filter(pk=mine.pk).update(description="Noen andres", lock_version=F("lock_version") + 1)
        history = world.network.history.count()
        mine.description = "Min"
        with pytest.raises(ConflictError) as error, transaction.atomic():
            locked_update(mine)
        assert (error.value.current.lock_version, error.value.current.description) == (2, "Noen andres")
        assert mine.lock_version == 1  # as read: the instance does not claim a version it did not save
        assert Network.objects.get(pk=mine.pk).description == "Noen andres"
        assert world.network.history.count() == history

    def test_a_second_model_saves_some_fields_and_a_new_record_at_the_first_version(self, world: World) -> None:
        topic = locked_update(Topic(region=world.region_a, name="Beredskap", order=1))
        assert Topic.objects.get(pk=topic.pk).lock_version == 1
        topic.name, topic.description = "Beredskap og forsyning", "Ikke lagret"
        locked_update(topic, update_fields=["name"])
        saved = Topic.objects.get(pk=topic.pk)
        assert (saved.name, saved.description, saved.lock_version) == ("Beredskap og forsyning", "", 2)
        assert saved.history.latest().name == "Beredskap og forsyning"
        Topic.objects.filter(pk=topic.pk).update(lock_version=3)
        topic.name = "Tredje"
        with pytest.raises(ConflictError) as error, transaction.atomic():
            locked_update(topic, update_fields=["name"])
        assert error.value.current.lock_version == 3
        assert Topic.objects.get(pk=topic.pk).name == "Beredskap og forsyning"

    def test_a_plain_save_is_not_compared(self, world: World) -> None:
        """Admin and fixtures save as Django does; only locked_update compares."""
        network = Network.objects.get(pk=world.network.pk)
        Network.objects.filter(pk=network.pk).update(lock_version=5)
        network.description = "Fra admin"
        network.save()
        assert Network.objects.get(pk=network.pk).description == "Fra admin"


def _run_together(*work: Any) -> list[BaseException | None]:
    """Run each function in its own thread and database connection; return what each raised (None if nothing)."""
    outcomes: list[BaseException | None] = [None] * len(work)

    def run(index: int) -> None:
        try:
            work[index]()
        except BaseException as error:  # reported to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks between connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
class TestTwoAtOnce:
    def test_two_people_saving_the_same_version_at_once_one_is_told(self) -> None:
        world = make_world()
        barrier = threading.Barrier(2)

        def save(text: str) -> Any:
            def work() -> None:
                barrier.wait(timeout=10)
                network_services.network_update(
                    user=world["coordinator"], network=world.network, data={"description": text}, lock_version=1
                )

            return work

        outcomes = _run_together(save("Den ene"), save("Den andre"))
        assert sorted(type(o).__name__ for o in outcomes) == ["ConflictError", "NoneType"]
        saved = Network.objects.get(pk=world.network.pk)
        assert saved.lock_version == 2
        winner = "Den ene" if outcomes[0] is None else "Den andre"
        assert saved.description == winner
        assert world.network.history.filter(lock_version=2).count() == 1

    def test_without_row_locks_the_compare_and_set_still_refuses_the_second(self) -> None:
        world = make_world()
        second_read, first_updated = threading.Event(), threading.Event()

        def first() -> None:
            second_read.wait(timeout=10)
            with transaction.atomic():
                network = Network.objects.get(pk=world.network.pk)
                network.description = "Først"
                locked_update(network)
                first_updated.set()
                threading.Event().wait(0.5)  # hold the row while the second tries to write it

        def second() -> None:
            network = Network.objects.get(pk=world.network.pk)  # read at version 1, no lock taken
            second_read.set()
            first_updated.wait(timeout=10)
            network.description = "Sist"
            with transaction.atomic():
                locked_update(network)

        outcomes = _run_together(first, second)
        assert outcomes[0] is None
        assert isinstance(outcomes[1], ConflictError) and outcomes[1].current.lock_version == 2
        assert Network.objects.get(pk=world.network.pk).description == "Først"


# --- Every app on the one mechanism --------------------------------------------------------------------------------


def _versioned_models() -> list[type]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("fagnett.") and any(f.name == "lock_version" for f in m._meta.concrete_fields)
    ]


def test_every_model_with_a_version_column_uses_the_mixin() -> None:
    models = [m for m in _versioned_models() if not m.__name__.startswith("Historical")]
    assert len(models) >= 14  # networks, cases (2), topics, meetings (2), progress, events, funding (2), ...
    assert [m._meta.label for m in models if not issubclass(m, VersionedModel)] == []


def _form_classes() -> list[type]:
    found = []
    for path in sorted(ROOT.glob("*/forms.py")):
        module = importlib.import_module(f"fagnett.{path.parent.name}.forms")
        found += [
            cls
            for _name, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
        ]
    return found


#: Model forms of a versioned model that only ever create a record, so there is no version to carry.
CREATE_ONLY = {
    "fagnett.cases.forms.CaseSubmitForm": "submits a new case",
    "fagnett.cases.forms.TaskForm": "the region gives a network a new task (a new case)",
    "fagnett.progress.forms.ScheduledTaskForm": "the same new task, with a schedule for progress reports",
}


def test_every_model_form_of_a_versioned_model_uses_the_form_mixin() -> None:
    model_forms = {
        f"{cls.__module__}.{cls.__qualname__}": cls
        for cls in _form_classes()
        if issubclass(cls, forms.BaseModelForm) and issubclass(cls._meta.model, VersionedModel)  # type: ignore[attr-defined]
    }
    assert len(model_forms) >= 8
    assert set(CREATE_ONLY) <= set(model_forms)  # the allow-list names real forms
    without = [name for name, cls in model_forms.items() if not issubclass(cls, VersionedForm)]
    assert sorted(without) == sorted(CREATE_ONLY)


def test_no_form_declares_its_own_version_field() -> None:
    """The hidden version comes from VersionedForm, whose missing version is a conflict."""
    own = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _form_classes()
        if {"lock_version", "base_version"} & set(cls.base_fields)  # type: ignore[attr-defined]
    ]
    assert own == []


def _source_lines(predicate: Any) -> list[str]:
    """``file:line`` of the app code (not tests or migrations) where ``predicate(node)`` holds."""
    hits = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        hits += [f"{relative}:{node.lineno}" for node in ast.walk(ast.parse(path.read_text())) if predicate(node)]
    return hits


def test_one_place_raises_a_conflict_and_one_raises_a_version() -> None:
    def raises_conflict(node: ast.AST) -> bool:
        return isinstance(node, ast.Raise) and node.exc is not None and "ConflictError" in ast.unparse(node.exc)

    def raises_version(node: ast.AST) -> bool:
        if isinstance(node, ast.AugAssign):
            return ast.unparse(node.target).endswith("lock_version")
        if isinstance(node, ast.BinOp | ast.keyword | ast.Assign):
            text = ast.unparse(node)
            return "lock_version + " in text or "lock_version=F(" in text or "lock_version = F(" in text
        return False

    conflicts, raises = _source_lines(raises_conflict), _source_lines(raises_version)
    assert len(conflicts) == 1 and conflicts[0].startswith("core/locking.py:"), conflicts
    assert len(raises) == 1 and raises[0].startswith("core/locking.py:"), raises
