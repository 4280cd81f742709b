"""The meeting page's hand-written statements (issue 23) read what their ORM twins read: the same rows, in the same
order, with the same values — seats and deputies, answers, the agenda with its cases, topics and documents, the
follow-up item's action items at the edges of the meeting's start, and the minutes."""

import datetime
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from fagnett.core.calendar import OSLO
from fagnett.meetings import selectors
from fagnett.meetings.models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    AttendanceReply,
    DeputyInvitation,
    Meeting,
    Minutes,
)
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Appointment, AppointmentRole
from fagnett.topics.models import Topic
from tests.factories import World, appoint, make_user

pytestmark = pytest.mark.django_db

START = datetime.datetime(2031, 3, 20, 12, 0, tzinfo=OSLO)


def _case(world: World, title: str, **kwargs: Any) -> Any:
    """A case of the network (the cases app's model, as the agenda item names it: meetings may not import cases)."""
    case_model = AgendaItem._meta.get_field("case").related_model
    number = case_model._default_manager.count() + 1
    return case_model._default_manager.create(
        region=world.region_a,
        network=kwargs.pop("network", world.network),
        year=2031,
        number=number,
        title=title,
        description="Beskrivelse",
        wanted="Anbefaling",
        submitted_by=world["leader"],
        submitted_at=timezone.now(),
        status="accepted",
        **kwargs,
    )


@pytest.fixture
def meeting(world: World) -> Meeting:
    """A meeting of ``world.network`` with something of everything the page reads, made so that the ORM's order and
    the order of the rows' creation differ."""
    network = world.network
    deputy = make_user("deputy", trust=world.trusts_a[1], first_name="Aase", last_name="Vara")
    gone = make_user("gone", trust=world.trusts_a[1], first_name="Aksel", last_name="Borte", is_active=False)
    appoint(network, deputy, AppointmentRole.DEPUTY)
    appoint(network, gone, AppointmentRole.MEMBER)  # inactive: no seat
    appoint(network, world["member"], AppointmentRole.SECRETARY, start_date=None)  # a second seat, no start date
    appoint(network, world["fagsjef"], AppointmentRole.MEMBER, status=Appointment.Status.NOMINATED)  # not appointed
    appoint(world.other_network, world["other_member"], AppointmentRole.LEADER)  # another network
    meeting = make_meeting(network, status=Meeting.Status.INVITED)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=START, ends_at=START + datetime.timedelta(hours=2))
    meeting.refresh_from_db()
    other = make_meeting(network, days=40)

    case, other_case = _case(world, "Sedasjon"), _case(world, "Annen", network=world.other_network)
    kinds = AgendaItem.Kind
    items = [
        AgendaItem.objects.create(meeting=meeting, order=3, kind=kinds.CASE, title="Sak", case=case, presenter="P"),
        AgendaItem.objects.create(meeting=meeting, order=1, kind=kinds.APPROVAL, title="Godkjenning"),
        AgendaItem.objects.create(
            meeting=meeting,
            order=2,
            kind=kinds.DISCUSSION,
            item_type=AgendaItem.ItemType.DECISION,
            title="Vedtak",
            description="Om\nsaken",
            proposed_resolution="Vedtas",
            duration_minutes=15,
        ),
        AgendaItem.objects.create(meeting=meeting, order=2, kind=kinds.CASE, title="Annen sak", case=other_case),
        AgendaItem.objects.create(meeting=meeting, order=4, kind=kinds.FOLLOW_UP, title="Oppfølging"),
        AgendaItem.objects.create(meeting=other, order=1, kind=kinds.AOB, title="Eventuelt"),
    ]
    region_b_topic = Topic.objects.create(region=world.region_b, name="Nord", order=0)
    topics = [
        Topic.objects.create(region=world.region_a, name="Zeta", order=1),
        Topic.objects.create(region=world.region_a, name="Alfa", order=2),
        Topic.objects.create(region=world.region_a, name="Beta", order=1),
    ]
    items[0].topics.set([*topics, region_b_topic])
    items[2].topics.set(topics[1:])
    items[5].topics.set(topics[:1])
    for item, name in ((items[2], "b.pdf"), (items[0], "a.pdf"), (items[2], "c.pdf"), (items[5], "d.pdf")):
        AgendaDocument.objects.create(item=item, file=f"x/{name}", original_name=name, content_type="x/y", size=1000)

    for person, answer, reason in (
        (world["member"], "not_coming", "Vakt"),
        (world["leader"], "coming", ""),
        (world["employee"], "coming", ""),  # answered, but has no seat
    ):
        AttendanceReply.objects.create(meeting=meeting, person=person, answer=answer, reason=reason)
    AttendanceReply.objects.create(meeting=other, person=world["secretary"], answer="coming")
    DeputyInvitation.objects.create(
        meeting=meeting, deputy=gone, replaces=world["member"], trust=world.trusts_a[1], invited_at=START
    )
    DeputyInvitation.objects.create(
        meeting=meeting, deputy=deputy, replaces=world["rhf_rep"], invited_at=START - datetime.timedelta(days=1)
    )

    today = timezone.localdate()
    for title, due, status, done_at, created, of_case in (
        ("Åpen", today + datetime.timedelta(days=3), "open", None, START, case),  # made as the meeting began
        ("Gammel åpen", today - datetime.timedelta(days=9), "open", None, START - datetime.timedelta(days=30), None),
        ("Lukket ved start", today, "done", START, START - datetime.timedelta(days=3), case),
        ("Lukket før", today, "done", START - datetime.timedelta(seconds=1), START - datetime.timedelta(days=3), None),
        ("Samme frist", today, "open", None, START - datetime.timedelta(days=2), other_case),
        ("Tidligere frist", today - datetime.timedelta(days=1), "open", None, START - datetime.timedelta(days=1), None),
    ):
        item = ActionItem.objects.create(
            network=world.network,
            title=title,
            owner=world["member"] if of_case else world["rhf_rep"],
            due_date=due,
            status=status,
            done_at=done_at,
            done_note="Gjort" if done_at else "",
            case=of_case,
        )
        ActionItem.objects.filter(pk=item.pk).update(created_at=created)
    ActionItem.objects.create(
        network=world.other_network, title="Annet nettverk", owner=world["other_member"], due_date=today
    )
    Minutes.objects.create(meeting=meeting, version=1)
    Minutes.objects.create(meeting=meeting, version=2, status=Minutes.Status.APPROVED)
    return meeting


def _meetings(meeting: Meeting) -> list[Meeting]:
    return list(Meeting.objects.filter(network=meeting.network).order_by("starts_at"))


def test_the_seats_and_the_deputies_invited(world: World, meeting: Meeting) -> None:
    for m in _meetings(meeting):
        seats = list(selectors._seats(m).select_related(None).values(*selectors.SEAT_VALUES))
        assert selectors.seat_values(m) == seats
        invitations = m.deputy_invitations.order_by("invited_at", "pk").values(*selectors.INVITATION_VALUES)
        assert selectors.invitation_values(m) == list(invitations)
    seats = selectors.seat_values(meeting)
    assert [s["person_id"] for s in seats].count(world["member"].pk) == 2
    assert [(i["deputy__first_name"], i["deputy__is_active"]) for i in selectors.invitation_values(meeting)] == [
        ("Aase", True),
        ("Aksel", False),
    ]


def test_the_answers(world: World, meeting: Meeting) -> None:
    def by_person(rows: Any) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda r: r["person_id"])

    for m in _meetings(meeting):
        assert by_person(selectors.reply_values(m)) == by_person(m.replies.values(*selectors.REPLY_VALUES))
        for role in ("member", "secretary"):
            mine = m.replies.filter(person=world[role]).values(*selectors.REPLY_VALUES)
            assert selectors.reply_values(m, person=world[role]) == list(mine)
    assert len(selectors.reply_values(meeting)) == 3


def _per_item(topics: Any) -> dict[int, list[str]]:
    """Each item's topics in their order, as the page groups them."""
    grouped: dict[int, list[str]] = {}
    for item_id, name in topics:
        grouped.setdefault(item_id, []).append(name)
    return grouped


def test_the_agenda_its_topics_and_documents(meeting: Meeting) -> None:
    for m in _meetings(meeting):
        agenda = list(m.agenda_items.order_by("order", "pk").values(*selectors.AGENDA_VALUES))
        assert selectors.agenda_values(m) == agenda
        ids = [item["pk"] for item in agenda]
        topics = (
            AgendaItem.topics.through.objects.filter(agendaitem__meeting=m)
            .order_by("topic__region", "topic__order", "topic__name")
            .values_list("agendaitem_id", "topic__name")
        )
        assert _per_item(selectors.topic_values(ids)) == _per_item(topics)  # items sharing a topic: in any order
        documents = (
            AgendaDocument.objects.filter(item__meeting=m)
            .order_by("pk")
            .values_list("pk", "item_id", "original_name", "size")
        )
        assert selectors.document_values(ids) == list(documents)
        # The page reads both in one statement: its topics are those read alone.
        topics_read, documents_read = selectors.topics_and_documents(ids)
        assert _per_item(topics_read) == _per_item(topics) and documents_read == list(documents)
        assert selectors.topics_and_documents(ids, documents=False)[1] == []
    agenda = selectors.agenda_values(meeting)
    assert [item["title"] for item in agenda] == ["Godkjenning", "Vedtak", "Annen sak", "Sak", "Oppfølging"]
    assert agenda[3]["case__reference"] and agenda[3]["case__network_id"] == meeting.network_id
    first = agenda[3]["pk"]
    assert [name for pk, name in selectors.topic_values([first])] == ["Beta", "Zeta", "Alfa", "Nord"]


def test_the_follow_up_items_open_when_the_meeting_began(meeting: Meeting) -> None:
    for m in _meetings(meeting):
        items = ActionItem.objects.filter(network_id=m.network_id)
        orm = selectors._open_when(items, m.starts_at).order_by("due_date", "pk").values(*selectors.FOLLOWUP_VALUES)
        assert selectors.followup_values(m) == list(orm)
    titles = [row["title"] for row in selectors.followup_values(meeting)]
    assert titles == ["Gammel åpen", "Tidligere frist", "Lukket ved start", "Samme frist"]


def test_the_minutes_newest_first(meeting: Meeting) -> None:
    for m in _meetings(meeting):
        orm = [(x.pk, x.meeting_id, x.version, x.status) for x in m.minutes.order_by("-version")]
        assert [(x.pk, x.meeting_id, x.version, x.status) for x in selectors.minutes_values(m)] == orm
    assert [x.version for x in selectors.minutes_values(meeting)] == [2, 1]


def test_the_minutes_and_one_persons_answer_in_one_statement(world: World, meeting: Meeting) -> None:
    """The page reads the minutes with the answers; asking for one person's answer leaves the minutes whole."""
    for m in _meetings(meeting):
        for role in ("member", "secretary"):
            minutes, replies = selectors.minutes_and_reply_values(m, person=world[role])
            assert [(x.pk, x.version, x.status) for x in minutes] == list(
                m.minutes.order_by("-version").values_list("pk", "version", "status")
            )
            assert replies == list(m.replies.filter(person=world[role]).values(*selectors.REPLY_VALUES))
            # Read with them, the deputies' invitations are everyone's, whoever asks.
            invitations = m.deputy_invitations.order_by("invited_at", "pk").values(*selectors.INVITATION_VALUES)
            assert selectors.meeting_answers(m, person=world[role])[2] == list(invitations)
    minutes, replies = selectors.minutes_and_reply_values(meeting, person=world["member"])
    assert [x.version for x in minutes] == [2, 1]
    assert [(r["person_id"], r["answer"], r["reason"]) for r in replies] == [(world["member"].pk, "not_coming", "Vakt")]


def _fields(instance: Any) -> list[tuple[str, Any, type]]:
    return [
        (f.attname, getattr(instance, f.attname), type(getattr(instance, f.attname)))
        for f in type(instance)._meta.concrete_fields
    ]


def test_the_meeting_with_its_network_and_region(world: World, meeting: Meeting) -> None:
    """Every field of the three, of the same type (SQLite gives timestamps, booleans and UUIDs as text and numbers)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        invitation_sent_at=START - datetime.timedelta(days=5), created_by=world["secretary"]
    )
    type(world.network).objects.filter(pk=world.network.pk).update(
        established_on=datetime.date(2020, 5, 1), minutes_visible_to_region=True
    )
    type(world.region_a).objects.filter(pk=world.region_a.pk).update(early_network_reports=True)
    for m in Meeting.objects.all():
        orm = Meeting.objects.select_related("network", "network__region").get(pk=m.pk)
        mine = selectors.meeting_get(user=world["leader"], meeting_id=m.pk)
        assert _fields(mine) == _fields(orm)
        assert _fields(mine.network) == _fields(orm.network)
        assert _fields(mine.network.region) == _fields(orm.network.region)
        assert not mine._state.adding and mine._state.db == orm._state.db
    with pytest.raises(Http404):
        selectors.meeting_get(user=world["leader"], meeting_id=meeting.pk + 1000)
    with pytest.raises(Http404):  # another region's person
        selectors.meeting_get(user=world["coordinator_b"], meeting_id=meeting.pk)
