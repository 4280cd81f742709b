"""Heavy document work in short-lived child processes.

WeasyPrint lays out a 60-page PDF in a few hundred megabytes, and python-docx and matplotlib add their own. Done in
a gunicorn worker, that memory stays with the worker for the rest of its life (Python rarely gives it back), so
every worker would have to be sized for the largest document anyone ever downloads. Done in a child forked from the
worker, it is returned to the operating system the moment the document is ready. The fork starts in a few
milliseconds and inherits everything already imported and computed, so only the result, the document's bytes,
crosses back, pickled through a pipe; an exception raised in the child is raised again in the caller.

The function run in a child must not use the database: the child shares the worker's connection socket. Gather
the data first, in the worker, and hand the child plain values (a built document, HTML, figures).
"""

import contextlib
import gc
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

_FORK = multiprocessing.get_context("fork")


class ChildFailed(RuntimeError):
    """The child process ended without sending a result (killed, out of memory)."""


class DatabaseInChild(RuntimeError):
    pass


_KEPT: list[Any] = []


def _no_database(*args: Any, **kwargs: Any) -> None:
    raise DatabaseInChild("A document process must not use the database: gather the data before it starts.")


def _cut_database() -> None:
    """In the child: the worker's database connections are out of reach (kept, never closed: closing one would end
    the worker's session on the server), and any attempt to connect raises."""
    from django.db import connections

    for connection in connections.all():
        if connection.connection is not None:
            _KEPT.append(connection.connection)
            connection.connection = None
        connection.connect = _no_database  # type: ignore[method-assign]


def _run(send: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # No cyclic garbage collection in the child: it would walk the worker's million inherited objects at every full
    # collection (and copy their pages, which the fork shares with the worker). The child lives for one document
    # and all its memory goes back at exit; measured, the regional PDF's child peaks at the same size without it
    # and finishes 0.6-0.9 s sooner (bench/RESULTS.md).
    gc.freeze()
    gc.disable()
    _cut_database()
    try:
        outcome: tuple[bool, Any] = (True, func(*args))
    except BaseException as error:
        outcome = (False, error)
    try:
        send.send(outcome)
    except Exception as error:
        send.send((False, ChildFailed(f"{type(outcome[1]).__name__}: {outcome[1]} ({error})")))


class Child:
    """``func(*args)`` running in a forked child process."""

    def __init__(self, func: Callable[..., Any], *args: Any) -> None:
        self._receive, send = _FORK.Pipe(duplex=False)
        self._process = _FORK.Process(target=_run, args=(send, func, args), daemon=True)
        self._process.start()
        send.close()
        self._received = False

    def receive(self) -> Any:
        """The function's value (or its exception raised here). Works in any process forked after this one
        started, e.g. another child that needs this one's result; only the starting process may ``close()``."""
        try:
            ok, value = self._receive.recv()
        except EOFError:
            raise ChildFailed("the document process ended without a result") from None
        finally:
            self._received = True
        if not ok:
            raise value
        return value

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


def call(func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)`` run in a forked child process; returns its value or raises its exception."""
    return Child(func, *args).result()
