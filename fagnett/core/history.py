"""Who made a change when no one is logged in: management commands, scripts and tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING

from simple_history.models import HistoricalRecords

_NOTHING = object()

if TYPE_CHECKING:  # a model: not importable before the app registry is ready
    from django.contrib.auth.base_user import AbstractBaseUser


@contextmanager
def acting_as(user: "AbstractBaseUser | None") -> Iterator[None]:
    """Record ``user`` as the person behind every change saved inside the block.

    In a request ``HistoryRequestMiddleware`` does this from the logged-in person; outside one (``load_demo``, a
    data fix in ``manage.py shell``) history would otherwise say that no one made the change.
    """
    previous = getattr(HistoricalRecords.context, "request", _NOTHING)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is _NOTHING:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous
