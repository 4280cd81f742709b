"""The meeting page as flat rows (issue 23): ``selectors.meeting_page`` reads the answers, the agenda, the follow-up
item's action items and the minutes with a fixed number of queries, and shows each person what the model-based
selectors (``agenda``, ``open_action_items``, ``meeting_replies``) would: the same items, marked the same way."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from fagnett.accounts.models import User
from fagnett.cases import services as case_services
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.meetings import selectors, services
from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import AppointmentRole
from fagnett.topics.models import Topic
from tests.factories import World, appoint, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]

#: The page's queries for the network's secretary (who manages the meeting and sees the documents): the access and
#: the meeting, the minutes with the answers and the deputies invited, the seats, the agenda (its items; their topics
#: and documents in one statement) and the follow-up item's action items.
SECRETARY_QUERIES = 7


@pytest.fixture
def meeting(world: World, settings, tmp_path, django_capture_on_commit_callbacks) -> Meeting:  # type: ignore[no-untyped-def]
    """A1's coming meeting, invited, with the standard items (the follow-up item among them), a case item with a
    topic and a document, action items (one of the case), answers, and a deputy called in for the member."""
    settings.MEDIA_ROOT = tmp_path
    deputy = make_user("deputy", trust=world.trusts_a[1], first_name="Vara", last_name="Varesen")
    appoint(world.network, deputy, AppointmentRole.DEPUTY)
    world.people["deputy"] = deputy
    meeting = make_meeting(world.network, days=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_invitations(user=world["secretary"], meeting=meeting)
    meeting.refresh_from_db()
    case = make_case(
        world, status=Case.Status.ACCEPTED, title="Sedasjon", submitted_by=world["leader"], trust=world.trusts_a[2]
    )
    (item,) = case_services.agenda_add_open_cases(user=world["secretary"], meeting=meeting)
    topic = Topic.objects.create(region=world.region_a, name="Tema")
    services.agenda_item_update(
        user=world["secretary"], item=item, data={"presenter": "Presentatør", "duration_minutes": 20, "topics": [topic]}
    )
    services.document_attach(
        user=world["secretary"],
        item=item,
        upload=SimpleUploadedFile("notat.txt", b"Notat.\n", content_type="text/plain"),
    )
    services.agenda_add_standard_items(user=world["secretary"], meeting=meeting)
    due = timezone.localdate() + datetime.timedelta(days=5)
    for title, of_case in (("Innhente rutiner", case), ("Skrive notat", None)):
        services.action_item_create(
            user=world["secretary"],
            network=world.network,
            title=title,
            owner=world["member"],
            due_date=due,
            case=of_case,
        )
    # Made before the meeting starts, as the follow-up item lists them.
    meeting.starts_at = timezone.now() + datetime.timedelta(days=10)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)  # any time of day the suite runs at
    meeting.save(update_fields=["starts_at", "ends_at"])
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_reply(user=world["leader"], meeting=meeting, answer="coming")
        services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")
    return meeting


def _page(user: User, meeting: Meeting) -> selectors.MeetingPage:
    return selectors.meeting_page(
        user=user,
        meeting=meeting,
        reader=selectors.case_reader(user),
        can_manage=user.has_perm("meetings.manage_meetings", meeting),
        can_see_documents=user.has_perm("meetings.view_documents", meeting),
    )


def _reference(user: User, meeting: Meeting) -> dict[str, Any]:
    """What the model-based selectors show the person, in the page's terms."""
    reader = selectors.case_reader(user)
    documents = user.has_perm("meetings.view_documents", meeting)
    manages = user.has_perm("meetings.manage_meetings", meeting)
    items = [
        (
            i.pk,
            i.display_title,
            i.withholds_case,
            [t.name for t in i.topics.all()],
            [d.original_name for d in i.documents.all()] if documents and not i.withholds_case else [],
        )
        for i in selectors.agenda(meeting=meeting, reader=reader)
    ]
    actions = [
        (a.pk, a.display_title, a.withholds_case, str(a.owner), a.is_overdue)
        for a in selectors.open_action_items(network=meeting.network, reader=reader, before=meeting.starts_at)
    ]
    replies = (
        [
            (
                str(r.person),
                str(r.deputy_for or ""),
                [str(d.deputy) for d in r.deputies],
                r.no_deputy,
                r.reply.answer if r.reply else "",
            )
            for r in selectors.meeting_replies(meeting=meeting)
        ]
        if manages
        else None
    )
    return {
        "invited": selectors.is_invited(user=user, meeting=meeting),
        "items": items,
        "actions": actions,
        "replies": replies,
    }


def _shown(page: selectors.MeetingPage) -> dict[str, Any]:
    return {
        "invited": page.invited,
        "items": [
            (
                i["pk"],
                i["display_title"],
                i["withholds_case"],
                i["topics"],
                [d["original_name"] for d in i["documents"]],
            )
            for i in page.items
        ],
        "actions": [
            (a["pk"], a["display_title"], a["withholds_case"], a["owner"], a["is_overdue"]) for a in page.action_items
        ],
        "replies": None
        if page.reply_rows is None
        else [
            (
                r["person"],
                r["deputy_for"],
                [d["deputy"] for d in r["deputies"]],
                r["no_deputy"],
                r["reply"]["answer"] if r["reply"] else "",
            )
            for r in page.reply_rows
        ],
    }


@pytest.mark.parametrize("role", ["secretary", "leader", "member", "deputy", "other_member", "coordinator"])
def test_the_page_shows_each_person_what_the_model_selectors_would(world: World, meeting: Meeting, role: str) -> None:
    user = world[role]
    with translation.override("nb"):
        shown, reference = _shown(_page(user, meeting)), _reference(user, meeting)
    assert shown == reference
    # The world is rich enough for the comparison to mean something.
    assert any(item[2] for item in shown["items"]) == (role == "other_member")  # A2's member may not read the case
    assert len(shown["actions"]) == 2
    if role == "secretary":
        assert shown["replies"] is not None and any(deputies for _p, _f, deputies, _n, _a in shown["replies"])


def test_my_answer_is_shown_with_its_reason(world: World, meeting: Meeting) -> None:
    page = _page(world["member"], meeting)
    assert page.invited and page.my_reply is not None
    assert (page.my_reply["answer"], page.my_reply["reason"]) == ("not_coming", "Vakt")
    assert page.reply_rows is None  # only those who manage the meeting see everyone's answers


def test_the_page_costs_the_same_queries_however_much_the_meeting_holds(
    world: World, meeting: Meeting, login_as: LoginAs
) -> None:
    client = login_as("secretary")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(meeting.get_absolute_url()).status_code == 200
        return len(queries)

    client.get(meeting.get_absolute_url())  # the first page reads the person's access, later ones keep it
    assert count() == SECRETARY_QUERIES
    topic = Topic.objects.create(region=world.region_a, name="Tema 2")
    for n in range(5):
        make_case(world, status=Case.Status.ACCEPTED, title=f"Sak {n}", submitted_by=world["leader"])
    for item in case_services.agenda_add_open_cases(user=world["secretary"], meeting=meeting):
        services.agenda_item_update(user=world["secretary"], item=item, data={"topics": [topic]})
        services.document_attach(
            user=world["secretary"], item=item, upload=SimpleUploadedFile("b.txt", b"B.\n", content_type="text/plain")
        )
    due = timezone.localdate() + datetime.timedelta(days=9)
    for n in range(5):
        services.action_item_create(
            user=world["secretary"], network=world.network, title=f"Punkt {n}", owner=world["leader"], due_date=due
        )
    services.attendance_reply(user=world["secretary"], meeting=meeting, answer="coming")
    services.minutes_start(user=world["secretary"], meeting=meeting)
    assert count() == SECRETARY_QUERIES
