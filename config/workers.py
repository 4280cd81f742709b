"""gunicorn's sync worker, serving every request inside one large chunk of CPython's frame stack.

CPython 3.11 keeps its Python frames in 16 KiB chunks, allocated with ``mmap`` and given back with ``munmap`` as
soon as the stack unwinds below a chunk's start (gh-142183; 3.13 and later keep a spare chunk). A page whose calls
go up and down across a chunk's edge — a template loop whose body is deep enough — pays a pair of system calls and
fresh zeroed pages each time: ``strace -c`` on a worker counted 82 pairs per request of the case list.

A frame whose code asks for a large value stack gets a chunk of its own, big enough for it and for everything it
calls: the worker's request loop runs inside such a frame, so every request's frames share one chunk that is
allocated once per worker and never returned (docs/ARCHITECTURE.md, "Decisions that are hard to reverse").
"""

from collections.abc import Callable
from types import FunctionType
from typing import Any

from gunicorn.workers.sync import SyncWorker as _SyncWorker

#: Slots (8 bytes each) reserved for the calling frame: CPython doubles 16 KiB until the frame fits, so the chunk is
#: 512 KiB and leaves about 190 KiB — some 1 500 frames of a Django page — to the frames the request makes.
RESERVED_SLOTS = 40_000


def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


_code = _call.__code__
in_large_stack_chunk: Callable[..., Any] = FunctionType(
    _code.replace(
        co_stacksize=_code.co_stacksize + RESERVED_SLOTS,
        co_name="in_large_stack_chunk",
        co_qualname="in_large_stack_chunk",
    ),
    _call.__globals__,
)
in_large_stack_chunk.__doc__ = "Call ``function(*args, **kwargs)`` with its frames in one large frame-stack chunk."


class SyncWorker(_SyncWorker):
    """``gunicorn --worker-class config.workers.SyncWorker``: the sync worker, its loop in one large chunk."""

    def run(self) -> None:
        in_large_stack_chunk(super().run)
