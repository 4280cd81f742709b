"""The one permission check the services share, and its batch form for pages that check many objects."""

import functools
from collections.abc import Callable
from typing import Any, Protocol

from django.contrib import auth
from django.core.exceptions import PermissionDenied
from rules.permissions import ObjectPermissionBackend

#: A rule's batch form: given the person, ``obj -> the rule's answer`` (see ``batch_rule``).
BatchRule = Callable[[Any], Callable[[Any], bool]]

_BATCH_RULES: dict[str, BatchRule] = {}


class HoldsPermissions(Protocol):
    """A person, an anonymous visitor or an API key's principal: anything django-rules can ask."""

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


def require_perm(user: HoldsPermissions, perm: str, obj: Any) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``perm`` (a django-rules permission) on ``obj``."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def perm_checker(user: Any, perm: str) -> Callable[[Any], bool]:
    """``obj -> user.has_perm(perm, obj)``, with the same answer, for checking ``perm`` on many objects in a request.

    ``has_perm`` builds every authentication backend on each call (``auth.get_backends()``), ~20 µs per call; this
    builds them once and then asks them in the same order and the same way (the first to grant wins, one raising
    ``PermissionDenied`` refuses). The rules themselves stay in the apps' ``rules.py``; where a rule has a batch
    form (``batch_rule``), it answers in django-rules' place.
    """
    if user.is_active and getattr(user, "is_superuser", False):  # as PermissionsMixin.has_perm
        return lambda obj: True
    batch = _BATCH_RULES.get(perm)
    asks: list[Callable[[Any], bool]] = []
    for backend in auth.get_backends():
        if batch is not None and isinstance(backend, ObjectPermissionBackend):
            asks.append(batch(user))
        elif hasattr(backend, "has_perm"):
            asks.append(functools.partial(backend.has_perm, user, perm))

    def check(obj: Any) -> bool:
        for ask in asks:
            try:
                if ask(obj):
                    return True
            except PermissionDenied:
                return False
        return False

    return check


def batch_rule(perm: str) -> Callable[[BatchRule], BatchRule]:
    """Register the decorated function as the batch form of the django-rules permission ``perm``, for
    ``perm_checker``: called once with the person, it returns ``obj -> bool`` giving the rule's answer for them.

    For a rule checked on many objects per page (issue 23): a composed predicate costs ~25 µs per object in
    django-rules' machinery, the same test written once over the person's access ~2 µs. The rule and its batch form
    must share their test, and ``cases.tests.test_perm_checker`` holds every registered form to ``has_perm``.
    """

    def register(make: BatchRule) -> BatchRule:
        _BATCH_RULES[perm] = make
        return make

    return register


def batch_rules() -> list[str]:
    """The permissions with a batch form (for the tests that hold each to its rule)."""
    return sorted(_BATCH_RULES)
