"""My action items (issue 23): plain rows, open ones by due date, the most recently done ones, query count flat."""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.meetings import selectors
from fagnett.meetings.models import ActionItem, Meeting
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def _items(world: World, n: int, *, done: bool = False, start: int = 0) -> None:
    today, now = timezone.localdate(), timezone.now()
    ActionItem.objects.bulk_create(
        ActionItem(
            network=world.network,
            title=f"{'Gjort' if done else 'Åpen'} {start + i}",
            owner=world["member"],
            due_date=today + datetime.timedelta(days=start + i - 3),
            status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN,
            done_at=now - datetime.timedelta(hours=start + i) if done else None,
        )
        for i in range(n)
    )


def test_many_done_items_do_not_crowd_out_the_open_ones(world: World) -> None:
    """Before, one query ordered by status took 300 rows, the done ones first: a person with 300 done items saw
    none of their open ones."""
    _items(world, 310, done=True)
    _items(world, 5)
    mine = selectors.my_action_item_rows(user=world["member"])
    assert [row.title for row in mine.open] == [f"Åpen {i}" for i in range(5)]
    assert [row.title for row in mine.done[:3]] == ["Gjort 0", "Gjort 1", "Gjort 2"]  # most recently done first
    assert len(mine.done) == selectors.MY_DONE_LIMIT


def test_rows_carry_addresses_dates_and_whether_overdue(world: World) -> None:
    _items(world, 5)
    item = ActionItem.objects.get(title="Åpen 0")
    row = selectors.my_action_item_rows(user=world["member"]).open[0]
    assert row.overdue and not selectors.my_action_item_rows(user=world["member"]).open[4].overdue
    assert (row.network_url, row.close_url) == (
        world.network.get_absolute_url(),
        reverse("meetings:action_item_close", args=[item.pk]),
    )
    assert row.history_url == reverse("audit:history", args=["action-item", item.pk])
    assert row.due == item.due_date.strftime("%d.%m.%Y") and row.meeting_url == ""


def test_the_page_runs_as_many_queries_with_many_items(world: World, login_as: LoginAs) -> None:
    client = login_as("member")
    client.get(reverse("meetings:my_action_items"))
    _items(world, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("meetings:my_action_items"))
    _items(world, 60, start=10)
    _items(world, 60, done=True, start=100)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("meetings:my_action_items")).content.decode()
    assert len(many) == len(few)
    assert "Åpen 69" in html and "Gjort 100" in html


def test_the_start_pages_open_items_and_counts_are_the_orms(world: World) -> None:
    """``my_open_action_items`` is hand-written SQL; it is held here to the ORM queries it replaced (the start page's
    first five open items and For you's counts of the overdue ones and those due within a week)."""
    today, week = timezone.localdate(), datetime.timedelta(days=7)
    assert selectors.my_open_action_items(user=world["member"], today=today, due_within=week) == (
        selectors.MyOpenActionItems([], 0, 0)
    )
    _items(world, 4, done=True)
    _items(world, 14, start=0)  # due from three days ago to ten days ahead
    for person, limit in ((world["member"], 5), (world["member"], 20), (world["leader"], 5)):
        got = selectors.my_open_action_items(user=person, today=today, due_within=week, limit=limit)
        open_ = selectors.my_action_items(user=person).filter(status=ActionItem.Status.OPEN)
        assert got.first == [(i.title, i.due_date, i.is_overdue) for i in open_[:limit]]
        counts = open_.filter(due_date__lte=today + week)
        assert (got.overdue, got.due_soon) == (
            counts.filter(due_date__lt=today).count(),
            counts.filter(due_date__gte=today).count(),
        )
    member = selectors.my_open_action_items(user=world["member"], today=today, due_within=week)
    assert (len(member.first), member.overdue, member.due_soon) == (5, 3, 8)


def test_the_start_pages_meeting_rows_are_upcoming_meetings(world: World) -> None:
    """``upcoming_meeting_rows`` is hand-written SQL; it is held here to ``upcoming_meetings`` (the ORM)."""
    for days in (-2, 1, 3, 5, 8, 13, 21):
        make_meeting(world.network, days=days)
    make_meeting(world.network, days=2, status=Meeting.Status.CANCELLED)
    meetings_found = 0
    for person in (world["member"], world["leader"], world["employee"], world["other_member"]):
        for limit in (5, 2):
            expected = [
                (m.get_absolute_url(), m.starts_at, m.network.name, m.get_form_display())
                for m in selectors.upcoming_meetings(user=person, limit=limit)
            ]
            rows = selectors.upcoming_meeting_rows(user=person, limit=limit)
            assert [(r.url, r.starts_at, r.network, r.form) for r in rows] == expected
            meetings_found += len(rows)
    assert meetings_found >= 14
