"""Workflow steps: one table per workflow that the services ask to refuse and the views ask to show buttons.

Before, a view decided which buttons to show from status conditions of its own while the service kept its own list
of statuses it allowed, and the two could drift apart. Now each app declares its workflow once, in its own
``workflow.py`` (cases, applications, annual reports, minutes), as a ``Workflow``: a table of ``Step``s over a
model's status field. Each step names

- the statuses it may start from (``sources``),
- the django-rules permission it needs (asked on ``perm_object(obj)``: the record itself, or e.g. its network),
- the status it leads to (``target``; ``None`` when the status stays, e.g. routing a case or naming a responsible),
- and optionally a ``guard``: a condition on the record beyond its status ("the case has no network yet"), with the
  message a refusal gives.

A service checks the permission with ``require_permission`` where it did before, and calls ``require(step, obj)``
on the row it has locked (``core.locking.locked_get``), so the check is made on the row as it is saved now; a
refusal is the ``ValidationError`` the service raised before, with the same text. A view passes
``available(user, obj)`` (permission and status and guard, one boolean per step) to its template instead of
computing status conditions. The checks a step makes on what the person typed (a reason, an amount) stay in the
service: they are about the input, not about whether the step may be taken.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise

from fagnett.core.permissions import HoldsPermissions, require_perm

#: A message: a text marked with ``gettext_lazy`` (translated when shown) or a function of the record giving one.
Message = str | Promise | Callable[[Any], str]


def _identity(obj: Any) -> Any:
    return obj


@dataclass(frozen=True)
class Step:
    """One step of a workflow: from which statuses, with which permission, to which status, under what guard."""

    name: str
    sources: Iterable[str]  # kept as a frozenset
    perm: str
    target: str | None = None
    #: A condition on the record beyond its status; the step is refused with ``guard_message`` when it is false.
    guard: Callable[[Any], bool] | None = None
    guard_message: Message | None = None
    #: The field a guard's refusal belongs to on the step's form, if any (``ValidationError({field: message})``).
    guard_field: str | None = None
    #: This step's own refusal when the status does not allow it (else the workflow's ``refusal``).
    refusal: Message | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(self.sources))
        if self.guard is not None and self.guard_message is None:
            raise ValueError(f"Step {self.name!r}: a guard needs the message its refusal gives.")


def _text(message: Message, obj: Any) -> str:
    if callable(message) and not isinstance(message, Promise):
        return message(obj)
    return str(message)


@dataclass(frozen=True)
class Workflow:
    """The steps of one workflow over ``status_field`` of a model.

    ``refusal`` is the message when a record's status does not allow a step (a text, or a function of the record,
    e.g. "This step is not possible while the case is received."); a step may have its own, and every step must
    have one or the other. ``perm_object`` gives
    the object the permissions are asked on (the record itself unless told otherwise)."""

    name: str
    steps: tuple[Step, ...]
    refusal: Message | None = None
    status_field: str = "status"
    perm_object: Callable[[Any], Any] = _identity
    _by_name: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Step] = {}
        for step in self.steps:
            if step.name in by_name:
                raise ValueError(f"Workflow {self.name!r}: step {step.name!r} is declared twice.")
            if step.refusal is None and self.refusal is None:
                raise ValueError(f"Workflow {self.name!r}: step {step.name!r} has no refusal, nor has the workflow.")
            by_name[step.name] = step
        object.__setattr__(self, "_by_name", by_name)

    def __getitem__(self, name: str) -> Step:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"Workflow {self.name!r} has no step {name!r}.") from None

    def sources(self, name: str) -> frozenset[str]:
        """The statuses ``name`` may start from."""
        return frozenset(self[name].sources)

    def status_allows(self, name: str, obj: Any) -> bool:
        return getattr(obj, self.status_field) in self[name].sources

    def allows(self, name: str, obj: Any) -> bool:
        """Whether the record's status and the step's guard allow the step (not asking about anyone's permission)."""
        step = self[name]
        return self.status_allows(name, obj) and (step.guard is None or bool(step.guard(obj)))

    def require(self, name: str, obj: Any) -> None:
        """Raise the step's ``ValidationError`` unless the record's status, then the step's guard, allow it. Call it
        on the row the service has locked."""
        step = self[name]
        if not self.status_allows(name, obj):
            raise ValidationError(_text(step.refusal or self.refusal or "", obj))
        if step.guard is not None and not step.guard(obj):
            message = _text(step.guard_message or "", obj)
            raise ValidationError({step.guard_field: message} if step.guard_field else message)

    def may(self, user: HoldsPermissions, name: str, obj: Any) -> bool:
        """Whether ``user`` holds the step's permission on the record (its status aside)."""
        return user.has_perm(self[name].perm, self.perm_object(obj))

    def require_permission(self, user: HoldsPermissions, name: str, obj: Any) -> None:
        """Raise ``PermissionDenied`` unless ``user`` holds the step's permission (``core.permissions``)."""
        require_perm(user, self[name].perm, self.perm_object(obj))

    def available(self, user: HoldsPermissions, obj: Any) -> dict[str, bool]:
        """Each step's name → whether ``user`` may take it on the record now: permission and status and guard. This
        is what the pages show buttons by; each permission is asked once."""
        held: dict[str, bool] = {}
        result = {}
        for step in self.steps:
            if not self.allows(step.name, obj):
                result[step.name] = False
                continue
            if step.perm not in held:
                held[step.perm] = user.has_perm(step.perm, self.perm_object(obj))
            result[step.name] = held[step.perm]
        return result
