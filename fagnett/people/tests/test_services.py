"""The coordinator's changes to the region's people: roles, access and merging two records of one person."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.meetings.models import ActionItem, Attendance, CalendarFeed
from fagnett.meetings.services import calendar_feed_create
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Appointment, AppointmentRole
from fagnett.people import services
from fagnett.people.models import PersonMerge
from fagnett.provisioning.models import ProvisionedPerson, ScimGroup
from tests.factories import World, make_user


def logged_in(person: User) -> Client:
    browser = Client()
    browser.force_login(person)
    assert browser.get("/").status_code == 200
    return browser


# --- Regional roles ------------------------------------------------------------------------------------------------


def test_the_coordinator_gives_and_removes_a_regional_role_with_history(world: World) -> None:
    person = world["employee"]
    role = services.region_role_give(
        user=world["coordinator"], region=world.region_a, person=person, role=RegionRole.Role.MEDICAL_DIRECTOR
    )
    assert RegionRole.objects.filter(user=person, region=world.region_a, role="medical_director").exists()
    services.region_role_remove(user=world["coordinator"], role=role)
    assert not RegionRole.objects.filter(user=person).exists()
    history = RegionRole.history.filter(id=role.pk).order_by("history_id")
    assert [h.history_type for h in history] == ["+", "-"]
    assert [h.history_change_reason for h in history] == [
        "Given on the region's people page",
        "Removed on the region's people page",
    ]


@pytest.mark.parametrize("actor", ["coordinator_b", "director", "fagsjef", "leader", "employee"])
def test_only_the_regions_coordinator_gives_regional_roles(world: World, actor: str) -> None:
    with pytest.raises(PermissionDenied):
        services.region_role_give(
            user=world[actor], region=world.region_a, person=world["employee"], role=RegionRole.Role.COORDINATOR
        )
    assert not RegionRole.objects.filter(user=world["employee"]).exists()


def test_a_coordinator_cannot_give_a_role_to_someone_of_another_region(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.region_role_give(
            user=world["coordinator"], region=world.region_a, person=world["fagsjef_b"], role="coordinator"
        )


def test_the_same_role_twice_is_told_and_nothing_changes(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.region_role_give(
            user=world["coordinator"], region=world.region_a, person=world["director"], role="medical_director"
        )
    assert refused.value.message_dict == {"role": ["The person already has this role."]}
    assert RegionRole.objects.filter(user=world["director"]).count() == 1


def test_the_region_keeps_its_last_coordinator(world: World) -> None:
    only = RegionRole.objects.get(user=world["coordinator"], role="coordinator")
    with pytest.raises(ValidationError) as refused:
        services.region_role_remove(user=world["coordinator"], role=only)
    assert "at least one active coordinator" in refused.value.messages[0]
    second = services.region_role_give(
        user=world["coordinator"], region=world.region_a, person=world["employee"], role="coordinator"
    )
    services.region_role_remove(user=world["employee"], role=only)  # the new coordinator removes the first
    assert list(RegionRole.objects.filter(region=world.region_a, role="coordinator")) == [second]


# --- Trust roles ---------------------------------------------------------------------------------------------------


def test_the_coordinator_gives_every_trust_role_in_the_regions_trusts(world: World) -> None:
    role = services.trust_role_give(
        user=world["coordinator"], person=world["member"], trust=world.trusts_a[1], role=TrustRole.Role.FAGSJEF
    )
    assert role.history.get().history_type == "+"  # type: ignore[attr-defined]
    services.trust_role_remove(user=world["coordinator"], role=role)
    assert not TrustRole.objects.filter(user=world["member"]).exists()


def test_a_fagsjef_gives_and_removes_capacity_reporters_of_their_own_trust_only(world: World) -> None:
    fagsjef, colleague = world["fagsjef"], world["candidate"]  # both of trust A3
    a3 = world.trusts_a[2]
    role = services.trust_role_give(user=fagsjef, person=colleague, trust=a3, role=TrustRole.Role.CAPACITY_REPORTER)
    services.trust_role_remove(user=fagsjef, role=role)
    refused = [
        # The fagsjef role is the coordinator's to give; someone of another trust; another trust's role.
        {"person": colleague, "trust": a3, "role": TrustRole.Role.FAGSJEF},
        {"person": world["employee"], "trust": a3, "role": "capacity_reporter"},
        {"person": world["employee"], "trust": world.trusts_a[1], "role": "capacity_reporter"},
    ]
    for attempt in refused:
        with pytest.raises(PermissionDenied):
            services.trust_role_give(user=fagsjef, **attempt)  # type: ignore[arg-type]
    reporter = TrustRole.objects.get(user=world["reporter"])
    with pytest.raises(PermissionDenied):
        services.trust_role_remove(user=fagsjef, role=reporter)
    assert not TrustRole.objects.filter(user=colleague).exists()


def test_a_deactivated_person_gets_no_role(world: World) -> None:
    services.person_deactivate(user=world["coordinator"], person=world["employee"])
    with pytest.raises(ValidationError):
        services.trust_role_give(
            user=world["coordinator"], person=world["employee"], trust=world.trusts_a[1], role="capacity_reporter"
        )


# --- Access --------------------------------------------------------------------------------------------------------


def test_deactivating_ends_sessions_and_calendar_addresses_and_reactivating_opens_the_login(world: World) -> None:
    person = world["member"]
    browser = logged_in(person)
    feed, _token = calendar_feed_create(user=person, network=None)
    services.person_deactivate(user=world["coordinator"], person=person, reason="Sluttet 31. mars")
    person.refresh_from_db()
    assert not person.is_active
    assert browser.get("/").status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert person.history.first().history_change_reason == (  # type: ignore[union-attr]
        "Deactivated on the region's people page: Sluttet 31. mars"
    )
    with pytest.raises(ValidationError):
        services.person_deactivate(user=world["coordinator"], person=person)

    services.person_reactivate(user=world["coordinator"], person=person)
    person.refresh_from_db()
    assert person.is_active
    assert logged_in(person).get("/").status_code == 200
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at is not None  # ended addresses stay ended


@pytest.mark.parametrize("actor", ["coordinator_b", "fagsjef", "director", "leader"])
def test_only_the_regions_coordinator_deactivates(world: World, actor: str) -> None:
    with pytest.raises(PermissionDenied):
        services.person_deactivate(user=world[actor], person=world["candidate"])
    assert User.objects.get(pk=world["candidate"].pk).is_active


def test_no_one_deactivates_themselves_or_an_administrator(world: World) -> None:
    with pytest.raises(ValidationError):
        services.person_deactivate(user=world["coordinator"], person=world["coordinator"])
    admin = make_user("admin", trust=world.trusts_a[0], is_staff=True)
    with pytest.raises(ValidationError):
        services.person_deactivate(user=world["coordinator"], person=admin)
    assert User.objects.filter(pk__in=[admin.pk, world["coordinator"].pk], is_active=True).count() == 2


# --- Merging -------------------------------------------------------------------------------------------------------


@pytest.fixture
def duplicate(world: World) -> User:
    """A second record of the member (trust A2), made at a first login with a new address and an identifier."""
    return make_user(
        "member.ny",
        trust=world.trusts_a[1],
        first_name=world["member"].first_name,
        last_name=world["member"].last_name,
        email="member.ny@a2.example",
        sso_identifier="oid-1234",
    )


def test_everything_of_the_merged_record_follows_to_the_kept_one(world: World, duplicate: User) -> None:
    member = world["member"]
    case = make_case(world, Case.Status.IN_PROGRESS, submitted_by=member, responsible=member)
    version = case.lock_version
    item = ActionItem.objects.create(
        network=world.network, title="Utkast", owner=member, due_date=timezone.localdate() + datetime.timedelta(7)
    )
    meeting = make_meeting(world.network, days=-3)
    Attendance.objects.create(meeting=meeting, person=member, trust=world.trusts_a[1], status="present")
    Attendance.objects.create(meeting=meeting, person=duplicate, trust=world.trusts_a[1], status="absent")
    TrustRole.objects.create(user=member, trust=world.trusts_a[1], role="capacity_reporter")
    TrustRole.objects.create(user=duplicate, trust=world.trusts_a[1], role="capacity_reporter")
    group = ScimGroup.objects.create(region=world.region_a, display_name="Intensiv")
    group.members.add(member)
    ProvisionedPerson.objects.create(person=member, region=world.region_a, external_id="ext-1")

    record = services.person_merge(user=world["coordinator"], kept=duplicate, merged=member)

    assert Appointment.objects.get(network=world.network, role=AppointmentRole.MEMBER).person == duplicate
    case.refresh_from_db()
    assert (case.submitted_by, case.responsible) == (duplicate, duplicate)
    assert case.lock_version > version  # a form open on the case is told it changed
    assert case.history.first().history_change_reason.startswith("Merged: ")  # type: ignore[union-attr]
    assert ActionItem.objects.get(pk=item.pk).owner == duplicate
    # The kept record already had attendance at the meeting and the role: the merged record's are duplicates.
    assert list(Attendance.objects.filter(meeting=meeting).values_list("person", flat=True)) == [duplicate.pk]
    assert TrustRole.objects.filter(user=duplicate).count() == 1 and not TrustRole.objects.filter(user=member)
    assert list(group.members.all()) == [duplicate]
    assert ProvisionedPerson.objects.get(external_id="ext-1").person == duplicate

    member.refresh_from_db()
    assert not member.is_active
    assert record.merged == member and record.kept == duplicate and record.merged_by == world["coordinator"]
    assert record.moved["networks.Appointment.person"] == {"moved": 1, "dropped": 0}
    assert record.moved["meetings.Attendance.person"] == {"moved": 0, "dropped": 1}
    assert (
        member.history.first().history_change_reason
        == f"Merged: {member} (#{member.pk}) into {duplicate} (#{duplicate.pk})"
    )  # type: ignore[union-attr]


def test_the_kept_record_takes_the_address_and_identifier_it_lacks(world: World, duplicate: User) -> None:
    member = world["member"]
    bare = make_user("bare", trust=world.trusts_a[1], email="")
    User.objects.filter(pk=duplicate.pk).update(last_login=timezone.now())
    services.person_merge(user=world["coordinator"], kept=bare, merged=duplicate)
    bare.refresh_from_db()
    duplicate.refresh_from_db()
    assert (bare.email, bare.sso_identifier) == ("member.ny@a2.example", "oid-1234")
    assert (duplicate.email, duplicate.sso_identifier) == ("", "")  # never two people for one login
    assert bare.last_login is not None  # the person has logged in
    assert member.is_active


def test_where_both_differ_the_chosen_values_are_kept_and_the_other_stays_with_the_closed_record(
    world: World, duplicate: User
) -> None:
    member = world["member"]
    User.objects.filter(pk=member.pk).update(sso_identifier="hpr-99")
    member.refresh_from_db()
    choices = services.MergeChoices(email="member.ny@a2.example", sso_identifier="hpr-99")
    services.person_merge(user=world["coordinator"], kept=member, merged=duplicate, choices=choices)
    member.refresh_from_db()
    duplicate.refresh_from_db()
    assert (member.email, member.sso_identifier) == ("member.ny@a2.example", "hpr-99")
    # The closed record keeps the identifier the kept one did not take: a login with it is refused, not a new account.
    assert (duplicate.email, duplicate.sso_identifier) == ("", "oid-1234")
    with pytest.raises(ValidationError):
        services.person_merge(
            user=world["coordinator"],
            kept=world["secretary"],
            merged=world["leader"],
            choices=services.MergeChoices(email="someone@else.example"),
        )


@pytest.mark.parametrize(
    ("kept", "merged", "message"),
    [
        ("member", "member", "cannot be merged into itself"),
        ("member", "fagsjef_b", None),  # of another region: not the coordinator's to merge
        ("member", "coordinator", "you are logged in with"),
    ],
)
def test_refused_merges_change_nothing(world: World, kept: str, merged: str, message: str | None) -> None:
    before = Appointment.objects.filter(person=world[merged]).count()
    expected = ValidationError if message else PermissionDenied
    with pytest.raises(expected) as refused:
        services.person_merge(user=world["coordinator"], kept=world[kept], merged=world[merged])
    if message:
        assert message in " ".join(refused.value.messages)  # type: ignore[union-attr]
    assert Appointment.objects.filter(person=world[merged]).count() == before
    assert not PersonMerge.objects.exists()
    assert User.objects.get(pk=world[merged].pk).is_active


def test_a_merge_across_regions_is_refused_even_for_a_superuser(world: World) -> None:
    root = make_user("root", is_superuser=True, is_staff=True)
    with pytest.raises(ValidationError) as refused:
        services.person_merge(user=root, kept=world["member"], merged=world["fagsjef_b"])
    assert "different regions" in refused.value.messages[0]


def test_a_merged_record_cannot_be_merged_again_or_reactivated(world: World, duplicate: User) -> None:
    services.person_merge(user=world["coordinator"], kept=duplicate, merged=world["member"])
    with pytest.raises(ValidationError):
        services.person_merge(user=world["coordinator"], kept=world["employee"], merged=world["member"])
    with pytest.raises(ValidationError):
        services.person_merge(user=world["coordinator"], kept=world["member"], merged=world["employee"])
    with pytest.raises(ValidationError):
        services.person_reactivate(user=world["coordinator"], person=world["member"])


def test_both_provisioned_is_refused_and_rolls_back_what_moved(world: World, duplicate: User) -> None:
    member = world["member"]
    ProvisionedPerson.objects.create(person=member, region=world.region_a, external_id="ext-1")
    ProvisionedPerson.objects.create(person=duplicate, region=world.region_a, external_id="ext-2")
    with pytest.raises(ValidationError) as refused:
        services.person_merge(user=world["coordinator"], kept=duplicate, merged=member)
    assert "only one of" in refused.value.messages[0]
    # Appointments are walked before provisioning ("networks" < "provisioning"): they were moved, then rolled back.
    assert Appointment.objects.filter(person=member).exists()
    assert User.objects.get(pk=member.pk).is_active and not PersonMerge.objects.exists()


def test_a_record_merged_into_one_that_is_merged_later_follows_to_the_last(world: World, duplicate: User) -> None:
    third = make_user("member3", trust=world.trusts_a[1])
    first = services.person_merge(user=world["coordinator"], kept=duplicate, merged=world["member"])
    services.person_merge(user=world["coordinator"], kept=third, merged=duplicate)
    first.refresh_from_db()
    assert first.kept == third
    assert set(PersonMerge.objects.filter(kept=third).values_list("merged", flat=True)) == {
        world["member"].pk,
        duplicate.pk,
    }


def test_merging_needs_the_coordinator(world: World, duplicate: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.person_merge(user=world["fagsjef"], kept=duplicate, merged=world["member"])
