"""What a person holds: regions, trusts and network roles, read once and kept until it changes.

Every permission rule and every selector asks this object instead of querying roles itself, so a
page costs the same few queries however many rules it checks — none, most of the time: the ``Access`` is kept in
each worker process, keyed by the person and their ``access_version`` (a column of the person's row, which the
authentication middleware reads on every request anyway). Every change of what the person holds gives that version
a new random value, in the change's transaction (``access_changed``), so the next request on any app server reads
a new key and builds the object again; no shared cache is needed. What changes it is watched here, model by model
(``watch``): the roles, the appointments, and the regions of the trusts and networks they are in — by Django's
model signals for ``save()``/``delete()`` and by ``core.tracked.rows_written`` for ``QuerySet.update()``,
``bulk_create``, ``bulk_update`` and ``core.bulk``. The person's own row (superuser, employer) is part of the key.
docs/ARCHITECTURE.md, "Decisions that are hard to reverse", says why; ``tests/test_access_version.py`` walks every
watched model through every way of writing it.

This is the layer between accounts and networks (docs/ARCHITECTURE.md, "Layers"): networks' rules and every
app above ask it, so it may not import networks. It reads the person's appointments through the reverse
relation ``user.appointments`` (``networks.Appointment.person``) instead.
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connections, models
from django.db.models import Q
from django.db.models.signals import post_migrate, post_save, pre_delete, pre_save
from django.http import HttpRequest

from fagnett.accounts.models import RegionRole, TrustRole, User, new_access_version
from fagnett.core.memo import ProcessMemo
from fagnett.core.tracked import rows_written
from fagnett.organisations.models import HealthTrust

_CACHE_ATTR = "_fagnett_access"

#: how many people's ``Access`` a worker process keeps (a few KB each); the least recently used go first
CACHE_SIZE = 5000

#: ``networks.Appointment.Status.APPOINTED``: only an appointment that was made gives a role (networks' tests
#: check that the two agree).
APPOINTED = "appointed"


@dataclass(frozen=True)
class Access:
    is_superuser: bool = False
    trust_id: int | None = None
    coordinator_regions: frozenset[int] = frozenset()
    director_regions: frozenset[int] = frozenset()
    fagsjef_trusts: frozenset[int] = frozenset()
    reporter_trusts: frozenset[int] = frozenset()
    #: network id → roles the person is appointed to (appointed status only)
    network_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    #: every region the person belongs to in any way
    regions: frozenset[int] = frozenset()
    #: region of every trust in which the person holds a trust role
    trust_regions: dict[int, int] = field(default_factory=dict)
    #: region of every network the person is appointed in
    network_regions: dict[int, int] = field(default_factory=dict)

    def is_coordinator(self, region_id: int | None) -> bool:
        return self.is_superuser or region_id in self.coordinator_regions

    def is_director(self, region_id: int | None) -> bool:
        return region_id in self.director_regions

    def in_region(self, region_id: int | None) -> bool:
        return self.is_superuser or region_id in self.regions

    def roles_in(self, network_id: int | None) -> frozenset[str]:
        return self.network_roles.get(network_id or 0, frozenset())

    def is_fagsjef_in_region(self, region_id: int | None) -> bool:
        return any(self.trust_regions.get(t) == region_id for t in self.fagsjef_trusts)

    def leads_network_in(self, region_id: int | None, leading_roles: frozenset[str]) -> bool:
        """True if the person holds one of ``leading_roles`` in some network of the region."""
        return any(
            roles & leading_roles and self.network_regions.get(network_id) == region_id
            for network_id, roles in self.network_roles.items()
        )

    @property
    def is_coordinator_anywhere(self) -> bool:
        return self.is_superuser or bool(self.coordinator_regions)

    @property
    def is_fagsjef_anywhere(self) -> bool:
        return bool(self.fagsjef_trusts)


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind ``LoginRequiredMiddleware``: its ``user`` is a person, never anonymous."""

    user: User


ANONYMOUS = Access()


_kept: ProcessMemo[Access] = ProcessMemo(size=CACHE_SIZE)


def _key(user: User) -> tuple[Any, ...]:
    # What the object is built from on the person's own row is part of the key, so changing it needs no bump.
    return (user.pk, user.access_version, user.is_superuser, user.trust_id, user.region_employer_id)


def access_for(user: User | AnonymousUser | None) -> Access:
    """The ``Access`` of ``user``: kept on the user object for the request, and in the process under the person's
    access version, so it is read from the database only after it changed."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    cached = _kept.get_or_make(_key(user), lambda: _read(user))
    setattr(user, _CACHE_ATTR, cached)
    return cached


def _read(user: User) -> Access:
    """The person's ``Access`` from the database (3 or 4 queries)."""
    # Unordered: the models' default orderings would join and sort tables the object does not need.
    region_roles = list(RegionRole.objects.filter(user=user).order_by().values_list("region_id", "role"))
    trust_roles = list(
        TrustRole.objects.filter(user=user).order_by().values_list("trust_id", "trust__region_id", "role")
    )
    appointments = list(
        user.appointments.filter(status=APPOINTED).order_by().values_list("network_id", "network__region_id", "role")
    )
    own_region = (
        HealthTrust.objects.filter(pk=user.trust_id).order_by().values_list("region_id", flat=True).first()
        if user.trust_id
        else user.region_employer_id
    )

    network_roles: dict[int, set[str]] = {}
    regions: set[int] = {own_region} if own_region else set()
    for network_id, region_id, role in appointments:
        network_roles.setdefault(network_id, set()).add(role)
        regions.add(region_id)
    regions.update(region_id for region_id, _ in region_roles)
    regions.update(region_id for _, region_id, _ in trust_roles)

    return Access(
        is_superuser=user.is_superuser,
        trust_id=user.trust_id,
        coordinator_regions=frozenset(r for r, role in region_roles if role == RegionRole.Role.COORDINATOR),
        director_regions=frozenset(r for r, role in region_roles if role == RegionRole.Role.MEDICAL_DIRECTOR),
        fagsjef_trusts=frozenset(t for t, _, role in trust_roles if role == TrustRole.Role.FAGSJEF),
        reporter_trusts=frozenset(t for t, _, role in trust_roles if role == TrustRole.Role.CAPACITY_REPORTER),
        network_roles={k: frozenset(v) for k, v in network_roles.items()},
        regions=frozenset(regions),
        trust_regions={t: r for t, r, _ in trust_roles},
        network_regions={network_id: region_id for network_id, region_id, _ in appointments},
    )


def forget_access(user: User | AnonymousUser | None) -> None:
    """Drop the ``Access`` kept on the user object after a change of the person's roles within the same request,
    and read the person's new access version (the object was read before the change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if isinstance(user, User) and user.pk is not None:
        user.access_version = User._base_manager.filter(pk=user.pk).values_list("access_version", flat=True).get()


# --- The access version ----------------------------------------------------------------------------------------------


def access_changed(person_ids: Iterable[int | None]) -> None:
    """What these people hold has changed (or is changing in the current transaction): their access version goes
    a new random value. Call it in the change's transaction, so the new version and the new roles commit together; every
    watched model calls it on its own (``watch``), so a service needs to only for a change made in raw SQL."""
    ids = sorted({pk for pk in person_ids if pk is not None})
    if not ids:
        return
    # Random, not one higher: a change rolled back after this process kept an ``Access`` under its version (read
    # inside that transaction) must never see the version come back with the next change.
    User._base_manager.filter(pk__in=ids).update(access_version=new_access_version())
    # This process's kept objects of them go too: an instance read before the change (the rest of this request)
    # still carries the old version.
    _kept.forget(lambda key: key[0] in ids)  # type: ignore[index]


PeopleOf = Callable[[Collection[Any]], Iterable[int | None]]
#: model → (the fields that decide access, whom rows of the model concern: primary keys → people's keys)
WATCHED: dict[type[models.Model], tuple[frozenset[str], PeopleOf]] = {}


def watch(model: type[models.Model], fields: Iterable[str], people_of: PeopleOf) -> None:
    """Keep the access version of the people ``people_of(pks)`` current through every write of ``model``'s
    ``fields``: ``save()`` (a change of one of the fields, read from the row before), ``delete()`` (cascades too),
    and the bulk writes of ``core.tracked`` (the model's manager must be a ``TrackedQuerySet``'s)."""
    names = frozenset(fields)
    WATCHED[model] = (names, people_of)
    uid = f"fagnett.access.{model._meta.label}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
    rows_written.connect(_written, sender=model, dispatch_uid=uid)


def _attnames(model: type[models.Model], names: Collection[str]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name in names]


def _before_save(sender: type[models.Model], instance: models.Model, update_fields: Any = None, **kw: Any) -> None:
    names, people_of = WATCHED[sender]
    instance._access_changes = False  # type: ignore[attr-defined]
    if instance._state.adding or (update_fields is not None and not names & set(update_fields)):
        return
    attnames = _attnames(sender, names)
    saved = sender._base_manager.using(instance._state.db).filter(pk=instance.pk).values_list(*attnames).first()
    if saved is None or tuple(saved) != tuple(getattr(instance, a) for a in attnames):
        access_changed(people_of([instance.pk]))  # whom the row concerned
        instance._access_changes = True  # type: ignore[attr-defined]


def _after_save(sender: type[models.Model], instance: models.Model, created: bool = False, **kw: Any) -> None:
    if created or getattr(instance, "_access_changes", False):
        access_changed(WATCHED[sender][1]([instance.pk]))  # whom it concerns now
        instance._access_changes = False  # type: ignore[attr-defined]


def _before_delete(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    access_changed(WATCHED[sender][1]([instance.pk]))


def _written(sender: type[models.Model], pks: list[Any], fields: frozenset[str] | None, **kw: Any) -> None:
    names, people_of = WATCHED[sender]
    if fields is None or names & fields:
        access_changed(people_of(pks))


def _holders(model: type[models.Model], person_field: str) -> PeopleOf:
    return lambda pks: model._base_manager.filter(pk__in=pks).values_list(person_field, flat=True)


def _trust_people(pks: Collection[Any]) -> Iterable[int | None]:
    # A trust's region is the region of its role holders' trust roles and of its employees' own place.
    yield from TrustRole._base_manager.filter(trust_id__in=pks).values_list("user_id", flat=True)
    yield from User._base_manager.filter(trust_id__in=pks).values_list("pk", flat=True)


def _after_migrate(app_config: Any, using: str = "default", **kwargs: Any) -> None:
    """A migration writes through historical models, which send none of the signals above: after ``migrate`` every
    person's kept access is read again (one UPDATE; a deployment starts new workers with nothing kept anyway)."""
    if app_config.label == "accounts" and User._meta.db_table in connections[using].introspection.table_names():
        User._base_manager.using(using).update(access_version=new_access_version())


post_migrate.connect(_after_migrate, dispatch_uid="fagnett.access.after_migrate")
watch(RegionRole, ["user", "region", "role"], _holders(RegionRole, "user_id"))
watch(TrustRole, ["user", "trust", "role"], _holders(TrustRole, "user_id"))
watch(HealthTrust, ["region"], _trust_people)
# networks.Appointment and networks.Network sit above this layer: networks watches them (networks/apps.py).


def visible_region_filter(user: User | AnonymousUser | None, field_name: str = "region") -> Q:
    """A filter limiting a queryset to the regions ``user`` belongs to."""
    access = access_for(user)
    if access.is_superuser:
        return Q()
    return Q(**{f"{field_name}__in": access.regions})
