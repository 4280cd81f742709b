"""The kept ``Access`` is current on the next request after every change of what a person holds (issue 23).

``fagnett.access`` keeps each person's ``Access`` in the worker process under their ``access_version``. That is only
safe if every way of writing what the object is built from gives the person a new version, in the write's
transaction: these tests walk the models it is built from through every way of writing them (``save()``, create,
``delete()``, ``QuerySet.update()``/``delete()``, ``bulk_create``, ``bulk_update``, ``core.bulk``), and check that a
model added to what ``Access`` reads is watched too.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from fagnett import access
from fagnett.access import WATCHED, access_for
from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.core.bulk import update_with_history
from fagnett.core.tracked import TrackedQuerySet
from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.organisations.models import HealthTrust, Region
from tests.factories import appoint, make_network, make_region, make_trust, make_user

pytestmark = pytest.mark.django_db


@dataclass
class Place:
    """A person employed by a trust of region one, and a second region to move things to."""

    one: Region
    two: Region
    trust: HealthTrust
    person: User
    network: Network


def _place() -> Place:
    one, two = make_region(), make_region()
    trust = make_trust(one)
    person = make_user(trust=trust)
    return Place(one, two, trust, person, make_network(one))


@dataclass
class Case:
    #: a row concerning the person, not saved
    new: Callable[[Place], models.Model]
    #: the field to change and its new value: a change of what the person holds
    change: Callable[[Place], tuple[str, Any]]
    #: whether creating or deleting a row changes what someone holds (a role does; a bare trust or network does not)
    holds: bool = True


def _in_network(place: Place) -> Network:
    appoint(place.network, place.person, AppointmentRole.LEADER)
    return place.network


def _in_trust(place: Place) -> HealthTrust:
    TrustRole.objects.create(user=place.person, trust=place.trust, role=TrustRole.Role.FAGSJEF)
    return place.trust


CASES: dict[type[models.Model], Case] = {
    RegionRole: Case(
        lambda p: RegionRole(user=p.person, region=p.one, role=RegionRole.Role.COORDINATOR),
        lambda p: ("region", p.two),
    ),
    TrustRole: Case(
        lambda p: TrustRole(user=p.person, trust=p.trust, role=TrustRole.Role.FAGSJEF),
        lambda p: ("role", TrustRole.Role.CAPACITY_REPORTER),
    ),
    Appointment: Case(
        lambda p: Appointment(
            network=p.network, person=p.person, role=AppointmentRole.MEMBER, status=Appointment.Status.APPOINTED
        ),
        lambda p: ("status", Appointment.Status.ENDED),
    ),
    # A network's and a trust's region are the regions of everyone in them.
    Network: Case(_in_network, lambda p: ("region", p.two), holds=False),
    HealthTrust: Case(_in_trust, lambda p: ("region", p.two), holds=False),
}


def _saved(case: Case, place: Place) -> models.Model:
    obj = case.new(place)
    if obj._state.adding:
        obj.save()
    return obj


def _fresh(obj: models.Model) -> models.Model:
    return type(obj)._base_manager.get(pk=obj.pk)


def _write_save(case: Case, place: Place) -> None:
    obj = _fresh(_saved(case, place))
    name, value = case.change(place)
    setattr(obj, name, value)
    obj.save()


def _write_update(case: Case, place: Place) -> None:
    obj = _saved(case, place)
    name, value = case.change(place)
    type(obj)._default_manager.filter(pk=obj.pk).update(**{name: value})


def _write_bulk_update(case: Case, place: Place) -> None:
    obj = _fresh(_saved(case, place))
    name, value = case.change(place)
    setattr(obj, name, value)
    type(obj)._default_manager.bulk_update([obj], [name])


def _write_update_with_history(case: Case, place: Place) -> None:
    obj = _fresh(_saved(case, place))
    name, value = case.change(place)
    setattr(obj, name, value)
    update_with_history([obj], [name])


def _write_create(case: Case, place: Place) -> None:
    case.new(place).save()


def _write_objects_create(case: Case, place: Place) -> None:
    obj = case.new(place)
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    type(obj)._default_manager.create(**values)


def _write_bulk_create(case: Case, place: Place) -> None:
    obj = case.new(place)
    type(obj)._default_manager.bulk_create([obj])


def _write_delete(case: Case, place: Place) -> None:
    _fresh(_saved(case, place)).delete()


def _write_queryset_delete(case: Case, place: Place) -> None:
    obj = _saved(case, place)
    type(obj)._default_manager.filter(pk=obj.pk).delete()


#: every way of writing; ``before`` says whether the row exists before the person's access is first read
CHANGES = {"save": _write_save, "update": _write_update, "bulk_update": _write_bulk_update}
CHANGES["update_with_history"] = _write_update_with_history
CREATES = {"create": _write_create, "objects.create": _write_objects_create, "bulk_create": _write_bulk_create}
DELETES = {"delete": _write_delete, "queryset.delete": _write_queryset_delete}


def _paths() -> list[Any]:
    paths = []
    for model, case in CASES.items():
        ways = {**CHANGES, **(CREATES | DELETES if case.holds else {})}
        paths += [pytest.param(model, way, id=f"{model.__name__}-{way}") for way in ways]
    return paths


@pytest.mark.parametrize(("model", "way"), _paths())
def test_every_write_of_what_a_person_holds_shows_on_the_next_request(model: type[models.Model], way: str) -> None:
    case, place = CASES[model], _place()
    write = {**CHANGES, **CREATES, **DELETES}[way]
    if way in DELETES or way in CHANGES:
        # The row exists before the person's access is read (and kept): the write below is what changes it.
        obj = _saved(case, place)
        write = {**CHANGES, **DELETES}[way]
        place_write = write

        def write(case: Case, place: Place) -> None:  # type: ignore[misc]
            # The same row, found again by the way of writing (``case.new`` made it once).
            case_again = Case(lambda _p: _fresh(obj), case.change, case.holds)
            place_write(case_again, place)

    before = User.objects.get(pk=place.person.pk)
    kept = access_for(before)  # as a request before the change sees it; now kept in the process
    with transaction.atomic():
        write(case, place)
    after = User.objects.get(pk=place.person.pk)  # as the next request, on any server, reads the person
    assert after.access_version != before.access_version
    now = access_for(after)
    assert now == access._read(after)
    assert now != kept


def test_what_access_reads_is_watched() -> None:
    """A model whose rows ``Access`` is built from must be watched, and its manager must tell of bulk writes."""
    place = _place()
    RegionRole.objects.create(user=place.person, region=place.one, role=RegionRole.Role.COORDINATOR)
    _in_trust(place)
    _in_network(place)
    user = User.objects.get(pk=place.person.pk)
    with CaptureQueriesContext(connection) as queries:
        access._read(user)
    tables = {t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
    by_table = {m._meta.db_table: m for m in apps.get_models()}
    read = {by_table[t] for t in tables} - {User}  # the person's own row is part of the key (access._key)
    assert read == set(WATCHED) == set(CASES)
    for model in WATCHED:
        assert isinstance(model._default_manager.all(), TrackedQuerySet), model


def test_a_change_rolled_back_leaves_the_version_and_the_roles_as_they_were() -> None:
    place = _place()
    before = User.objects.get(pk=place.person.pk)
    kept = access_for(before)
    with pytest.raises(RuntimeError), transaction.atomic():
        RegionRole.objects.create(user=place.person, region=place.one, role=RegionRole.Role.COORDINATOR)
        inside = User.objects.get(pk=place.person.pk)
        assert access_for(inside).is_coordinator(place.one.pk)  # kept under the version of the rolled-back change
        raise RuntimeError
    after = User.objects.get(pk=place.person.pk)
    assert after.access_version == before.access_version
    assert access_for(after) == kept == access._read(after)
    # The next change gets a version of its own, never the rolled-back one with its roles.
    TrustRole.objects.create(user=place.person, trust=place.trust, role=TrustRole.Role.FAGSJEF)
    changed = User.objects.get(pk=place.person.pk)
    assert changed.access_version != inside.access_version
    assert access_for(changed) == access._read(changed)
    assert not access_for(changed).is_coordinator(place.one.pk)


def test_saving_a_person_read_before_a_change_does_not_put_the_old_version_back() -> None:
    place = _place()
    stale = User.objects.get(pk=place.person.pk)
    RegionRole.objects.create(user=place.person, region=place.one, role=RegionRole.Role.COORDINATOR)
    bumped = User.objects.get(pk=place.person.pk).access_version
    stale.first_name = "Renamed"
    stale.save()
    assert User.objects.get(pk=place.person.pk).access_version == bumped


def test_an_unchanged_save_or_another_field_does_not_bump() -> None:
    place = _place()
    _in_network(place)
    version = User.objects.get(pk=place.person.pk).access_version
    network = Network.objects.get(pk=place.network.pk)
    network.name = "Renamed"
    network.save()
    Network.objects.filter(pk=network.pk).update(name="Renamed again")
    assert User.objects.get(pk=place.person.pk).access_version == version


def test_a_role_change_in_the_same_request_counts_at_once() -> None:
    place = _place()
    person = place.person
    assert not access_for(person).is_coordinator(place.one.pk)
    RegionRole.objects.create(user=person, region=place.one, role=RegionRole.Role.COORDINATOR)
    access.forget_access(person)
    assert access_for(person).is_coordinator(place.one.pk)


def test_a_migration_makes_every_kept_access_be_read_again() -> None:
    """Data migrations write through historical models, which the watch does not see."""
    from django.db.models.signals import post_migrate

    place = _place()
    version = User.objects.get(pk=place.person.pk).access_version
    assert access._after_migrate in [entry[1]() for entry in post_migrate.receivers]
    access._after_migrate(app_config=apps.get_app_config("networks"))  # sent for every app: one UPDATE is enough
    assert User.objects.get(pk=place.person.pk).access_version == version
    access._after_migrate(app_config=apps.get_app_config("accounts"))
    assert User.objects.get(pk=place.person.pk).access_version != version
