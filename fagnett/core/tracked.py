"""Bulk writes that say so: a signal for the writes Django's model signals skip.

``Model.save()`` and ``delete()`` (also a queryset's ``delete()`` and cascades, once anyone listens) send Django's
``pre_save``/``post_save``/``pre_delete``; ``QuerySet.update()``, ``bulk_create()``, ``bulk_update()`` and
``core.bulk.update_with_history`` send nothing. A model whose rows others must hear about (what decides a person's
access: ``fagnett.access``) takes ``objects = TrackedQuerySet.as_manager()``, and those writes send ``rows_written``
as well, inside the write's transaction:

- ``stage="before"``: the rows as they are before the write (``update``, ``bulk_update``), so a receiver can read whom
  they concerned;
- ``stage="after"``: the rows after it (every write), so a receiver can read whom they concern now.

``pks`` are the rows' primary keys; ``fields`` the names of the fields written, ``None`` for new rows. A write that
nobody listens to costs nothing extra.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.dispatch import Signal

#: sender: the model; pks: list of primary keys; fields: frozenset of field names or None (new rows); stage: "before"
#: or "after"
rows_written = Signal()


def field_names(model: type[models.Model], fields: Iterable[str]) -> frozenset[str]:
    """Field names for names or attribute names (``trust`` for ``trust_id``)."""
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    return frozenset(by_attname.get(name, name) for name in fields)


def announce(model: type[models.Model], pks: Sequence[Any], fields: frozenset[str] | None, stage: str) -> None:
    if pks and rows_written.has_listeners(model):
        rows_written.send(sender=model, pks=list(pks), fields=fields, stage=stage)


class TrackedQuerySet(models.QuerySet):
    """A queryset whose bulk writes send ``rows_written``; see the module's text."""

    def update(self, **kwargs: Any) -> int:
        if not rows_written.has_listeners(self.model):
            return super().update(**kwargs)
        fields = field_names(self.model, kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            announce(self.model, pks, fields, "before")
            count = super().update(**kwargs)
            announce(self.model, pks, fields, "after")
        return count

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if not rows_written.has_listeners(self.model):
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            pks = [obj.pk for obj in created]
            if any(pk is None for pk in pks):
                # ignore_conflicts/update_conflicts leave the keys unknown: whom the rows concern cannot be told.
                raise TypeError(f"{self.model.__name__}: bulk_create must return the new rows' keys here.")
            announce(self.model, pks, None, "after")
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], *args: Any, **kwargs: Any) -> int:
        objs, fields = list(objs), list(fields)
        if not rows_written.has_listeners(self.model):
            return super().bulk_update(objs, fields, *args, **kwargs)
        names = field_names(self.model, fields)
        pks = [obj.pk for obj in objs]
        with transaction.atomic(using=self.db, savepoint=False):
            announce(self.model, pks, names, "before")
            count = super().bulk_update(objs, fields, *args, **kwargs)
            announce(self.model, pks, names, "after")
        return count
