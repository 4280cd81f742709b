"""What a worker process keeps between requests: the one mechanism for "made once, kept under a key" (issue 23).

A busy page's parts that depend only on a few things — a person's access under their access version, a filter form's
HTML for the choices and what was asked, the page header for a menu and a language — are made once and kept in the
process under a key that holds everything they depend on. A key that changes with the thing (a version, the data
asked) is what makes the kept copy safe with several app servers and no shared cache: a change makes a new key on
every server, and an old key is simply never asked again and falls out of the memo.

    headers = ProcessMemo(size=256)
    html = headers.get_or_make(("nb", menu, current), lambda: render_header(...))

The memo is bounded (least recently used out first) and safe across threads; making a missing value is not locked,
so two threads may both make it (they make the same thing).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ProcessMemo(Generic[V]):
    """At most ``size`` values kept in this process, each under a hashable key."""

    def __init__(self, *, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        value = self.get(key)
        return value if value is not None else self.put(key, make())

    def forget(self, matches: Callable[[Hashable], bool]) -> None:
        """Drop the values whose key ``matches``."""
        with self._lock:
            for key in [key for key in self._values if matches(key)]:
                del self._values[key]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
