"""Giving an open action item to another of the network's people (issue 18: a deactivated person's open work)."""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.core.exceptions import ConflictError
from fagnett.meetings import services
from fagnett.meetings.models import ActionItem
from tests.factories import World, appoint, make_user


@pytest.fixture(autouse=True)
def english(world: World) -> None:
    """The pages in English, so the tests read the words they assert whatever nb says."""
    User.objects.update(language="en")


def _item(world: World, **kwargs: Any) -> ActionItem:
    return ActionItem.objects.create(
        network=world.network,
        title="Sende ut utkast",
        owner=kwargs.pop("owner", world["member"]),
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        **kwargs,
    )


def test_the_coordinator_gives_an_item_to_another_member_who_is_told(world: World) -> None:
    item = _item(world)
    with_history = item.history.count()
    services.action_item_reassign(
        user=world["coordinator"], item=item, owner=world["secretary"], expected_owner_id=world["member"].pk
    )
    item.refresh_from_db()
    assert item.owner == world["secretary"]
    assert item.history.count() == with_history + 1
    assert item.history.first().history_change_reason == "Reassigned"  # type: ignore[union-attr]


def test_the_new_owner_is_mailed_after_commit(world: World, django_capture_on_commit_callbacks: Any) -> None:
    item = _item(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.action_item_reassign(
            user=world["leader"], item=item, owner=world["secretary"], expected_owner_id=world["member"].pk
        )
    assert [m.to for m in mail.outbox] == [[world["secretary"].email]]


@pytest.mark.parametrize("role", ["member", "coordinator_b", "employee", "other_member"])
def test_only_those_who_keep_the_networks_meetings_reassign(world: World, role: str) -> None:
    item = _item(world)
    with pytest.raises(PermissionDenied):
        services.action_item_reassign(
            user=world[role], item=item, owner=world["secretary"], expected_owner_id=world["member"].pk
        )
    item.refresh_from_db()
    assert item.owner == world["member"]


def test_someone_else_reassigning_first_is_a_conflict(world: World) -> None:
    item = _item(world)
    services.action_item_reassign(
        user=world["leader"], item=item, owner=world["secretary"], expected_owner_id=world["member"].pk
    )
    with pytest.raises(ConflictError):
        services.action_item_reassign(
            user=world["coordinator"], item=item, owner=world["leader"], expected_owner_id=world["member"].pk
        )
    item.refresh_from_db()
    assert item.owner == world["secretary"]


@pytest.mark.parametrize("who", ["outsider", "deactivated", "same"])
def test_the_new_owner_must_be_an_active_member_of_the_network(world: World, who: str) -> None:
    item = _item(world)
    if who == "outsider":
        owner = world["employee"]
    elif who == "deactivated":
        owner = make_user("gone", trust=world.trusts_a[0], is_active=False)
        appoint(world.network, owner)
    else:
        owner = world["member"]
    with pytest.raises(ValidationError) as refused:
        services.action_item_reassign(
            user=world["coordinator"], item=item, owner=owner, expected_owner_id=world["member"].pk
        )
    assert "owner" in refused.value.message_dict
    item.refresh_from_db()
    assert item.owner == world["member"]


def test_a_done_item_is_not_reassigned(world: World) -> None:
    item = _item(world, status=ActionItem.Status.DONE)
    with pytest.raises(ValidationError):
        services.action_item_reassign(
            user=world["coordinator"], item=item, owner=world["secretary"], expected_owner_id=world["member"].pk
        )


def test_the_page_reassigns_and_goes_back(world: World, login_as: Any) -> None:
    item = _item(world)
    client = login_as("secretary")
    page = client.get(f"/action-items/{item.pk}/reassign/?next=/networks/")
    assert page.status_code == 200
    assert world["member"].get_full_name() in page.content.decode()
    response = client.post(
        f"/action-items/{item.pk}/reassign/",
        {"owner": world["leader"].pk, "expected_owner": world["member"].pk, "next": "/networks/"},
    )
    assert response.status_code == 302 and response["Location"] == "/networks/"
    item.refresh_from_db()
    assert item.owner == world["leader"]


def test_the_page_refuses_another_site_as_the_way_back(world: World, login_as: Any) -> None:
    item = _item(world)
    response = login_as("secretary").post(
        f"/action-items/{item.pk}/reassign/",
        {"owner": world["leader"].pk, "expected_owner": world["member"].pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == world.network.get_absolute_url()


def test_the_page_tells_of_a_conflict_and_saves_nothing(world: World, login_as: Any) -> None:
    item = _item(world)
    response = login_as("secretary").post(
        f"/action-items/{item.pk}/reassign/", {"owner": world["leader"].pk, "expected_owner": world["leader"].pk}
    )
    assert response.status_code == 200
    assert "Someone else changed the action item" in response.content.decode()
    item.refresh_from_db()
    assert item.owner == world["member"]


def test_a_missing_choice_is_named(world: World, login_as: Any) -> None:
    item = _item(world)
    response = login_as("secretary").post(f"/action-items/{item.pk}/reassign/", {"expected_owner": world["member"].pk})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("coordinator", 200), ("member", 403), ("coordinator_b", 404)])
def test_who_opens_the_page(world: World, login_as: Any, role: str, status: int) -> None:
    item = _item(world)
    assert login_as(role).get(f"/action-items/{item.pk}/reassign/").status_code == status
