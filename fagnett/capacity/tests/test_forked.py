"""Documents are made in forked child processes: results and errors come back, memory and the database stay."""

import os
import resource
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fagnett.capacity.excel import ImportFailed, ImportProblem
from fagnett.core import forked
from fagnett.organisations.models import Region


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _raise_validation() -> None:
    raise ValidationError({"file": ["Filen er tom."]})


def _raise_import_failed() -> None:
    raise ImportFailed([ImportProblem("Kapasitet", 7, "staffed_beds", "Skriv et helt tall.")])


class _Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("cannot travel")
        self.handle = lambda: None  # lambdas cannot be pickled


def _raise_unpicklable() -> None:
    raise _Unpicklable


def _die() -> None:
    os._exit(3)


def _allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _query() -> int:
    return Region.objects.count()


def test_the_value_comes_back_from_another_process() -> None:
    pid, value = forked.call(_pid_and, 21)
    assert value == 42 and pid != os.getpid()


def test_errors_are_raised_again_in_the_caller() -> None:
    with pytest.raises(ValidationError) as validation:
        forked.call(_raise_validation)
    assert validation.value.message_dict == {"file": ["Filen er tom."]}
    with pytest.raises(ImportFailed) as failed:
        forked.call(_raise_import_failed)
    assert failed.value.problems == [ImportProblem("Kapasitet", 7, "staffed_beds", "Skriv et helt tall.")]
    with pytest.raises(forked.ChildFailed, match="_Unpicklable: cannot travel"):
        forked.call(_raise_unpicklable)
    with pytest.raises(forked.ChildFailed, match="ended without a result"):
        forked.call(_die)


def test_a_child_can_wait_for_another() -> None:
    first = forked.Child(_pid_and, 1)
    try:
        pid, (other_pid, value) = forked.call(_receive_in_child, first)
    finally:
        first.close()
    assert value == 2 and len({pid, other_pid, os.getpid()}) == 3


def _receive_in_child(other: forked.Child) -> tuple[int, tuple[int, int]]:
    return os.getpid(), other.receive()


def test_an_unread_result_does_not_block_closing() -> None:
    child = forked.Child(_allocate, 1)  # its result is never read
    child.close()


def test_the_memory_a_child_uses_is_not_the_callers() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    child_peak = forked.call(_allocate, 300)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    assert child_peak >= 300 and after - before < 50


@pytest.mark.django_db
def test_the_child_cannot_touch_the_database_and_the_caller_keeps_it() -> None:
    Region.objects.create(name="Helse Test RHF", short_name="Test")
    with pytest.raises(forked.DatabaseInChild):
        forked.call(_query)
    assert Region.objects.count() == 1  # the worker's connection (and its transaction) is still fine
    assert connection.is_usable()


def _spin() -> None:
    while True:
        pass


def _core_limit() -> tuple[int, int]:
    return resource.getrlimit(resource.RLIMIT_CORE)


MB = 1024 * 1024


def test_a_child_over_its_memory_allowance_raises_limit_exceeded() -> None:
    with pytest.raises(forked.LimitExceeded, match="memory"):
        forked.call(_allocate, 200, limits=forked.Limits(memory_bytes=64 * MB))
    assert forked.call(_allocate, 200, limits=forked.Limits(memory_bytes=400 * MB)) >= 200


def test_the_memory_the_child_shares_with_the_worker_is_not_counted() -> None:
    held = bytearray(300 * MB)  # the worker already holds 300 MB when it forks
    held[::4096] = b"x" * len(held[::4096])
    assert forked.call(_allocate, 32, limits=forked.Limits(memory_bytes=64 * MB)) >= 32
    del held


def test_a_child_over_its_cpu_time_is_ended_and_raises_limit_exceeded() -> None:
    started = time.monotonic()
    with pytest.raises(forked.LimitExceeded, match="exit code"):
        forked.call(_spin, limits=forked.Limits(cpu_seconds=1))
    assert time.monotonic() - started < 10
    assert forked.call(_pid_and, 2, limits=forked.Limits(cpu_seconds=1))[1] == 4


def test_a_limited_child_writes_no_core_file() -> None:
    """A child ended for its CPU time would otherwise dump a core of the worker's memory."""
    assert forked.call(_core_limit, limits=forked.Limits(cpu_seconds=5)) == (0, 0)


def test_the_upload_limits_come_from_the_settings(settings: Any) -> None:
    settings.UPLOAD_READER_MEMORY_MB, settings.UPLOAD_READER_CPU_SECONDS = 100, 7
    assert forked.upload_limits() == forked.Limits(memory_bytes=100 * MB, cpu_seconds=7)
    settings.UPLOAD_READER_MEMORY_MB, settings.UPLOAD_READER_CPU_SECONDS = 0, 0
    assert forked.upload_limits() == forked.Limits()
