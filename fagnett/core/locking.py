"""Optimistic locking: the one way a record that people edit in long-open forms refuses a stale save.

People keep forms open for a long time, so a row lock held while someone edits would block the next person; instead
the second saver is told. The pieces, used by every app (a test in ``core/tests/test_locking.py`` walks the models
and forms so that none writes its own):

- ``VersionedModel``: the ``lock_version`` column, 1 for a new record, one higher after every save through
  ``locked_update``.
- ``VersionedForm``: the hidden version the form was opened on. A missing or garbled version counts as 0, older than
  any saved version, so it is a conflict, never a silent overwrite.
- In a service, inside its transaction: ``locked_get`` reads the row under a row lock and compares the version the
  person started from (``check_version`` for the comparisons that are not a plain get: a record that may not exist
  yet, a versioned copy such as a mandate, a capacity entry's token), then ``locked_update`` saves the next version
  as a compare-and-set. Both raise ``ConflictError(current)`` with the record as it is saved now, and nothing is
  written. django-simple-history records the save as for any other.
- In a view: ``core/views_helpers.py: rebind_after_conflict`` binds the person's input again to the version saved
  now and lists the differences for ``components/conflict.html``.

A version of ``None`` given to a service means the caller is not a person's form (another service, an Excel upload or
an API call that replaces the numbers on purpose): nothing is compared. Forms never send ``None``.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fagnett.core.exceptions import ConflictError

#: The version a form that sent none (or a garbled one) is taken to have seen: older than any saved version.
NO_VERSION = 0

_FROM_RECORD = object()


class VersionedModel(models.Model):
    """A record edited in forms kept open for long: ``lock_version`` names the version a form was opened on."""

    lock_version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def _do_update(self, base_qs: Any, using: Any, pk_val: Any, *args: Any, **kwargs: Any) -> Any:
        # Model.save() runs its UPDATE here (Django's own hook; django-concurrency uses it the same way).
        read = self.__dict__.get("_version_read")
        if read is None:  # an ordinary save (admin, fixtures): as Django does it
            return super()._do_update(base_qs, using, pk_val, *args, **kwargs)
        # Saved by locked_update(): the UPDATE matches the row only while it is still at the version it was read at
        # (compare-and-set), so a caller that took no row lock, or a database without them, cannot overwrite.
        updated = super()._do_update(base_qs.filter(lock_version=read), using, pk_val, *args, **kwargs)
        if not updated:
            # Read the row as it is now before the error: Django marks the transaction for rollback on the way out.
            check_version(type(self)._base_manager.using(using).filter(pk=pk_val).first(), read)
        return updated


M = TypeVar("M", bound=VersionedModel)


def check_version(current: Any, expected_version: Any, *, saved_version: Any = _FROM_RECORD) -> None:
    """Raise ``ConflictError(current)`` unless the record is still at the version the person started from.

    ``current`` is the record as saved now, ``None`` when there is none yet (its version then counts as 0, so a form
    opened before anything was saved expects 0). ``saved_version`` names the saved version when it is not
    ``lock_version``: a mandate's number, a capacity entry's token. ``expected_version=None`` compares nothing (the
    caller is not a person's form)."""
    if expected_version is None:
        return
    if saved_version is _FROM_RECORD:
        saved_version = current.lock_version if current is not None else NO_VERSION
    if saved_version != expected_version:
        raise ConflictError(current)


def locked_get(
    queryset: models.Manager[M] | QuerySet[M], *, pk: Any, expected_version: int | None = None, of: tuple[str, ...] = ()
) -> M:
    """The row, locked for the rest of the transaction (``SELECT … FOR UPDATE``, ``of`` as Django takes it), after
    checking that it is still at ``expected_version``. Pass ``None`` and call ``check_version`` later when something
    must be refused first (no permission, a locked record)."""
    current = queryset.select_for_update(of=of).get(pk=pk)
    check_version(current, expected_version)
    return current


def bump_version(instance: VersionedModel) -> int:
    """Raise the record's version by one (not saved) and return the version it had. ``locked_update`` does this;
    call it directly only for rows saved in bulk under the row locks the caller holds (capacity entries)."""
    read = instance.lock_version
    instance.lock_version += 1
    return read


def locked_update(instance: M, *, clean: bool = True, update_fields: Iterable[str] | None = None) -> M:
    """Save ``instance`` as the next version of its row, inside the caller's transaction.

    The UPDATE is a compare-and-set on the version the instance was read at (normally under ``locked_get``'s row
    lock, so it matches); if the row has moved on all the same, ``ConflictError`` carries it as it is saved now,
    nothing is written and the transaction is marked for rollback, as after any failed save. ``clean`` runs
    ``full_clean()`` first; ``update_fields`` saves only those fields and the version. A record not saved yet is
    saved at the first version."""
    if instance._state.adding:
        if clean:
            instance.full_clean()
        instance.save()
        return instance
    read = bump_version(instance)
    if clean:
        instance.full_clean()
    fields = None if update_fields is None else [*update_fields, "lock_version"]
    instance.__dict__["_version_read"] = read
    try:
        instance.save(force_update=True, update_fields=fields)
    except ConflictError:
        instance.lock_version = read
        raise
    finally:
        del instance.__dict__["_version_read"]
    return instance


class VersionField(forms.IntegerField):
    """The hidden version of the record the form was opened on. Missing or not a whole number, it counts as
    ``NO_VERSION``: the service refuses the save as a conflict instead of overwriting what it cannot compare."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int:
        try:
            number = super().to_python(value)
        except ValidationError:
            return NO_VERSION
        return NO_VERSION if number is None else int(number)


class VersionedForm(forms.Form):
    """A form that carries the version of the record it was opened on, in the hidden field ``version_field``.

    A ``ModelForm`` of a ``VersionedModel`` takes the version from its instance (``class F(VersionedForm,
    forms.ModelForm)``); any other passes it in ``initial``. After validation ``form.version`` is what to give the
    service. ``version_of`` says which version a record is at, for binding the form again after a conflict."""

    version_field = "lock_version"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        initial = instance.lock_version if isinstance(instance, VersionedModel) else None
        self.fields[self.version_field] = VersionField(initial=initial)

    @property
    def version(self) -> int:
        """The version the person saw (``NO_VERSION`` if the form sent none); valid after ``is_valid()``."""
        return int(self.cleaned_data.get(self.version_field, NO_VERSION))

    def version_of(self, current: Any) -> int:
        return int(current.lock_version) if current is not None else NO_VERSION
