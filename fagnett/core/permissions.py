"""The one permission check the services share."""

from typing import Any

from django.core.exceptions import PermissionDenied


def require_perm(user: Any, perm: str, obj: Any) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``perm`` (a django-rules permission) on ``obj``."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied
