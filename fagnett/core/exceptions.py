from typing import Any


class ConflictError(Exception):
    """Someone else saved the record after this person opened it; nothing was written."""

    def __init__(self, current: Any) -> None:
        super().__init__("stale write")
        self.current = current
