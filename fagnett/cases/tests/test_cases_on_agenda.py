"""Cases reach the agenda from the network's open cases, and action items can follow a case."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.cases import services as case_services
from fagnett.cases.models import Case, CaseEvent
from fagnett.cases.tests.factories import make_case
from fagnett.meetings import services
from fagnett.meetings.models import AgendaItem
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_open_cases_are_put_on_the_agenda_once_and_marked(world: World) -> None:
    accepted = make_case(world, status=Case.Status.ACCEPTED, title="Overflytting til intensiv")
    ongoing = make_case(world, status=Case.Status.IN_PROGRESS)
    make_case(world, status=Case.Status.RECEIVED)  # not accepted yet
    make_case(world, status=Case.Status.ACCEPTED, network=world.other_network)  # another network
    meeting = make_meeting(world.network)

    created = case_services.agenda_add_open_cases(user=world["secretary"], meeting=meeting)

    assert [item.case for item in created] == [accepted, ongoing]
    assert created[0].title == f"Sak {accepted.reference}: Overflytting til intensiv"  # in the default language
    accepted.refresh_from_db()
    assert accepted.status == Case.Status.ON_AGENDA
    assert accepted.events.filter(kind=CaseEvent.Kind.ON_AGENDA).count() == 1
    assert case_services.agenda_add_open_cases(user=world["secretary"], meeting=meeting) == []
    assert meeting.agenda_items.filter(kind=AgendaItem.Kind.CASE).count() == 2


def test_a_case_without_an_answer_is_carried_to_the_next_meeting(world: World) -> None:
    case = make_case(world, status=Case.Status.ACCEPTED)
    first, second = make_meeting(world.network, days=5), make_meeting(world.network, days=40)
    case_services.agenda_add_open_cases(user=world["secretary"], meeting=first)
    (item,) = case_services.agenda_add_open_cases(user=world["secretary"], meeting=second)
    assert item.case == case
    assert Case.objects.get(pk=case.pk).events.filter(kind=CaseEvent.Kind.ON_AGENDA).count() == 1


def test_action_items_from_a_case_item_belong_to_the_case(world: World) -> None:
    case = make_case(world, status=Case.Status.ACCEPTED)
    meeting = make_meeting(world.network)
    (item,) = case_services.agenda_add_open_cases(user=world["secretary"], meeting=meeting)
    action = services.action_item_create(
        user=world["secretary"], network=world.network, title="Skrive anbefaling", owner=world["member"],
        due_date=datetime.date(2027, 1, 10), meeting=meeting, agenda_item=item,
    )  # fmt: skip
    assert action.case == case
    other = make_case(world, status=Case.Status.ACCEPTED, network=world.other_network)
    with pytest.raises(ValidationError):
        services.action_item_create(
            user=world["secretary"], network=world.network, title="Feil", owner=world["member"],
            due_date=datetime.date(2027, 1, 10), case=other,
        )  # fmt: skip


def test_managers_add_an_action_item_on_the_case_page(world: World, client) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world, status=Case.Status.IN_PROGRESS)
    url = reverse("cases:action_item_add", args=[case.pk])
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    client.force_login(world["member"])
    assert client.post(url, {"title": "X", "owner": world["member"].pk, "due_date": due}).status_code == 403
    client.force_login(world["leader"])
    page = client.get(case.get_absolute_url())
    assert page.context["action_item_form"] is not None
    client.post(url, {"title": "Innhente erfaringer", "owner": world["member"].pk, "due_date": "2020-01-01"})
    assert not case.action_items.exists()  # a due date in the past is refused
    response = client.post(url, {"title": "Innhente erfaringer", "owner": world["member"].pk, "due_date": due})
    assert response.status_code == 302
    (item,) = case.action_items.all()
    assert (item.owner, item.network) == (world["member"], world.network)
    page = client.get(case.get_absolute_url())
    assert [a.title for a in page.context["action_items"]] == ["Innhente erfaringer"]
    client.force_login(world["member"])
    # The item is among the member's own (the page's rows are HTML since issue 23: meetings/pages.py).
    assert item.title in client.get(reverse("meetings:my_action_items")).content.decode()


def test_the_secretary_puts_the_open_cases_on_the_agenda_from_the_meeting_page(world: World, client: Client) -> None:
    case = make_case(world, status=Case.Status.ACCEPTED, title="Overflytting til intensiv")
    meeting = make_meeting(world.network)
    url = reverse("cases:agenda_cases", args=[meeting.pk])
    client.force_login(world["member"])
    assert client.post(url).status_code == 403
    client.force_login(world["secretary"])
    assert f'action="{url}"' in client.get(meeting.get_absolute_url()).content.decode()
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(meeting.get_absolute_url(), 302)]
    assert [item.case for item in meeting.agenda_items.all()] == [case]
    assert [str(m) for m in response.context["messages"]] == ["1 åpen sak ble satt på sakslisten."]  # singular
