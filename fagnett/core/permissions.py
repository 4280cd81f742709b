"""The one permission check the services share."""

from typing import Any, Protocol

from django.core.exceptions import PermissionDenied


class HoldsPermissions(Protocol):
    """A person, an anonymous visitor or an API key's principal: anything django-rules can ask."""

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


def require_perm(user: HoldsPermissions, perm: str, obj: Any) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``perm`` (a django-rules permission) on ``obj``."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied
