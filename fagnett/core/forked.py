"""Heavy document work in short-lived child processes.

WeasyPrint lays out a 60-page PDF in a few hundred megabytes, and python-docx and matplotlib add their own. Done in
a gunicorn worker, that memory stays with the worker for the rest of its life (Python rarely gives it back), so
every worker would have to be sized for the largest document anyone ever downloads. Done in a child forked from the
worker, it is returned to the operating system the moment the document is ready. The fork starts in a few
milliseconds and inherits everything already imported and computed, so only the result, the document's bytes,
crosses back, pickled through a pipe; an exception raised in the child is raised again in the caller.

The function run in a child must not use the database: the child shares the worker's connection socket. Gather
the data first, in the worker, and hand the child plain values (a built document, HTML, figures).

A child that reads what someone uploaded (a workbook to import, a document to scan) runs under ``Limits``: the
operating system caps the memory it may add to what it inherited and the CPU time it may use, so a crafted file
that would take gigabytes or minutes ends the child, not the worker, and the caller gets ``LimitExceeded``.
"""

import contextlib
import gc
import multiprocessing
import os
import re
import resource
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

_FORK = multiprocessing.get_context("fork")


class ChildFailed(RuntimeError):
    """The child process ended without sending a result (killed, out of memory)."""


class LimitExceeded(ChildFailed):
    """The child ran out of the memory or CPU time its ``Limits`` allow (or died without a result while under them)."""


class DatabaseInChild(RuntimeError):
    pass


@dataclass(frozen=True)
class Limits:
    """What a child may use: ``memory_bytes`` more address space than it inherited from the worker (the worker's own
    memory is shared, not copied, and does not count against it), and ``cpu_seconds`` of CPU time. ``None``: no cap."""

    memory_bytes: int | None = None
    cpu_seconds: int | None = None


def upload_limits() -> Limits:
    """The limits for reading an uploaded file (settings ``UPLOAD_READER_MEMORY_MB`` and
    ``UPLOAD_READER_CPU_SECONDS``; 0 turns one off)."""
    memory = int(settings.UPLOAD_READER_MEMORY_MB)
    cpu = int(settings.UPLOAD_READER_CPU_SECONDS)
    return Limits(memory_bytes=memory * 1024 * 1024 if memory > 0 else None, cpu_seconds=cpu if cpu > 0 else None)


def _address_space() -> int | None:
    """This process's virtual size in bytes (Linux), or ``None`` where /proc cannot tell."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmSize:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _lower(kind: int, soft: int, hard: int) -> None:
    _, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))


def _apply(limits: Limits) -> None:
    """In the child, before the work starts. The address space (RLIMIT_AS) is capped at what the fork inherited plus
    the allowance: an allocation beyond it fails, which Python raises as ``MemoryError``. CPU time (RLIMIT_CPU)
    counts from the fork; at the soft limit the kernel sends SIGXCPU, whose default action ends the process, and a
    second later SIGKILL, in case something caught it. No core file is written: it would hold the worker's memory."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.cpu_seconds is not None:
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)
        _lower(resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)
    if limits.memory_bytes is not None:
        inherited = _address_space()
        if inherited is not None:
            _lower(resource.RLIMIT_AS, inherited + limits.memory_bytes, inherited + limits.memory_bytes)


_KEPT: list[Any] = []


def _no_database(*args: Any, **kwargs: Any) -> None:
    raise DatabaseInChild("A document process must not use the database: gather the data before it starts.")


def _cut_database() -> None:
    """In the child: the worker's database connections are out of reach (kept, never closed: closing one would end
    the worker's session on the server), and any attempt to connect raises."""
    for connection in connections.all():
        if connection.connection is not None:
            _KEPT.append(connection.connection)
            connection.connection = None
        connection.connect = _no_database  # type: ignore[method-assign]


def _run(send: Connection, func: Callable[..., Any], args: tuple[Any, ...], limits: Limits | None) -> None:
    # No cyclic garbage collection in the child: it would walk the worker's million inherited objects at every full
    # collection (and copy their pages, which the fork shares with the worker). The child lives for one document
    # and all its memory goes back at exit; measured, the regional PDF's child peaks at the same size without it
    # and finishes 0.6-0.9 s sooner (bench/RESULTS.md).
    gc.freeze()
    gc.disable()
    _cut_database()
    if limits is not None:
        _apply(limits)
    try:
        outcome: tuple[bool, Any] = (True, func(*args))
    except MemoryError as error:
        # Dropping the traceback frees what the work had built, so the answer can still be pickled and sent.
        error.__traceback__ = None
        if limits is not None and limits.memory_bytes is not None:
            outcome = (False, LimitExceeded("the process ran out of the memory it may use"))
        else:
            outcome = (False, error)
    except BaseException as error:
        outcome = (False, error)
    try:
        send.send(outcome)
    except Exception as error:
        send.send((False, ChildFailed(f"{type(outcome[1]).__name__}: {outcome[1]} ({error})")))


class Child:
    """``func(*args)`` running in a forked child process."""

    def __init__(self, func: Callable[..., Any], *args: Any, limits: Limits | None = None) -> None:
        self._receive, send = _FORK.Pipe(duplex=False)
        self._limits = limits
        self._starter = os.getpid()
        self._process = _FORK.Process(target=_run, args=(send, func, args, limits), daemon=True)
        self._process.start()
        send.close()
        self._received = False

    def receive(self) -> Any:
        """The function's value (or its exception raised here). Works in any process forked after this one
        started, e.g. another child that needs this one's result; only the starting process may ``close()``."""
        try:
            ok, value = self._receive.recv()
        except EOFError:
            raise self._ended_without_result() from None
        finally:
            self._received = True
        if not ok:
            raise value
        return value

    def _ended_without_result(self) -> ChildFailed:
        code = None
        if os.getpid() == self._starter:
            self._process.join(5)
            code = self._process.exitcode
        if self._limits is not None and (self._limits.memory_bytes or self._limits.cpu_seconds):
            # Killed for its CPU time (SIGXCPU, SIGKILL), or a library that could not allocate and aborted: under
            # limits, all of these mean the input asked for more than it may have.
            return LimitExceeded(f"the process ended without a result (exit code {code})")
        return ChildFailed(f"the document process ended without a result (exit code {code})")

    def close(self) -> None:
        """Wait for the child to end (reading and dropping a result nobody took, so it is not left blocked on a
        full pipe); a child still running after that is killed."""
        if not self._received and self._receive.poll(60):
            with contextlib.suppress(EOFError, OSError):
                self._receive.recv()
        self._receive.close()
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def result(self) -> Any:
        """``receive()`` then ``close()``: the usual way to wait for a child."""
        try:
            return self.receive()
        finally:
            self.close()


def call(func: Callable[..., Any], *args: Any, limits: Limits | None = None) -> Any:
    """``func(*args)`` run in a forked child process (under ``limits``, if given); returns its value or raises its
    exception."""
    return Child(func, *args, limits=limits).result()
