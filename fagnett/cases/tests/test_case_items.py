"""An agenda item of a case is the case's (issue 16): a meeting is read by its whole region, but what an item of a
case says — the case's title and what is wanted (copied onto the item), its presenter, topics and documents, what the
minutes say about it and the action items it gave — is shown only to those who may read the case. Everyone else sees
«Sak 2026/014» and that the item is only for the case's readers, on the page, in the invitation's PDF and DOCX, in the
minutes and their documents, and in the histories."""

import datetime
import io
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from fagnett.cases import services as case_services
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.meetings import selectors, services
from fagnett.meetings.models import ActionItem, AgendaItem, Meeting, Minutes
from fagnett.meetings.tests.factories import make_meeting
from fagnett.topics.models import Topic
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]

TITLE = "Safirsedasjon av barn"
WANTED = "Safirønsket felles rutine"
PRESENTER = "Safirpresentatør"
ACTION = "Safiroppgave innhente rutiner"
SUMMARY = "Safirdrøfting i møtet"
CONCLUSION = "Safirkonklusjon"
DOCUMENT = "safirnotat.txt"
TOPIC = "Safirtema"
SECRETS = (TITLE, WANTED, PRESENTER, ACTION, SUMMARY, CONCLUSION, DOCUMENT, TOPIC)
WITHHELD = "Bare de som kan lese saken, ser hva den gjelder."

#: In the world, "other_member" (A2's member) reads A1's meetings but not its cases; the fagsjef of trust A3 reads a
#: case from trust A3 without being in any network; the member of A1 reads every case of A1.
OUTSIDER, NETWORK_MEMBER, TRUST_FAGSJEF = "other_member", "member", "fagsjef"


@pytest.fixture
def case(world: World) -> Case:
    return make_case(
        world,
        status=Case.Status.ACCEPTED,
        title=TITLE,
        wanted=WANTED,
        submitted_by=world["leader"],
        trust=world.trusts_a[2],
    )


@pytest.fixture
def meeting(world: World, case: Case, settings, tmp_path) -> Meeting:  # type: ignore[no-untyped-def]
    """A1's coming meeting with the case on its agenda (with a presenter, a topic and a document), the standard
    items, and an action item on the case."""
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting(world.network, days=10)
    (item,) = case_services.agenda_add_open_cases(user=world["secretary"], meeting=meeting)
    topic = Topic.objects.create(region=world.region_a, name=TOPIC)
    services.agenda_item_update(
        user=world["secretary"],
        item=item,
        data={"presenter": PRESENTER, "duration_minutes": 20, "topics": [topic]},
    )
    services.document_attach(
        user=world["secretary"], item=item, upload=SimpleUploadedFile(DOCUMENT, b"Notat.\n", content_type="text/plain")
    )
    services.agenda_add_standard_items(user=world["secretary"], meeting=meeting)
    services.action_item_create(
        user=world["secretary"],
        network=world.network,
        title=ACTION,
        owner=world["member"],
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        case=case,
    )
    return meeting


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return response.content.decode()


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages)


def _assert_withheld(text: str, case: Case) -> None:
    assert f"Sak {case.reference}" in text
    assert WITHHELD in " ".join(text.split())
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, leaked


def _assert_shown(text: str, *secrets: str) -> None:
    missing = [secret for secret in secrets if secret not in text]
    assert not missing, missing
    assert WITHHELD not in text


class TestMeetingPage:
    def test_someone_who_may_not_read_the_case_sees_its_number_and_nothing_written_on_it(
        self, world: World, case: Case, meeting: Meeting, login_as: LoginAs
    ) -> None:
        page = _text(login_as(OUTSIDER).get(meeting.get_absolute_url()))
        _assert_withheld(page, case)
        assert reverse("cases:detail", args=[case.pk]) not in page  # no way in to a case that answers 404
        assert f"Oppfølgingspunkt i sak {case.reference}" in page  # the action item: owner and date, not the action
        assert "20 min" in page  # the time set aside says nothing about the case

    @pytest.mark.parametrize("role", [NETWORK_MEMBER, TRUST_FAGSJEF, "coordinator", "director", "leader"])
    def test_those_who_may_read_the_case_see_it_in_full(
        self, world: World, case: Case, meeting: Meeting, login_as: LoginAs, role: str
    ) -> None:
        page = _text(login_as(role).get(meeting.get_absolute_url()))
        _assert_shown(page, TITLE, WANTED, PRESENTER, ACTION, TOPIC)
        assert reverse("cases:detail", args=[case.pk]) in page

    def test_the_page_costs_the_same_queries_for_one_case_item_as_for_many(
        self, world: World, meeting: Meeting, login_as: LoginAs
    ) -> None:
        client = login_as(OUTSIDER)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(meeting.get_absolute_url()).status_code == 200
            return len(queries)

        client.get(meeting.get_absolute_url())  # the first page reads the person's access, later ones keep it
        one = count()
        for n in range(6):
            make_case(world, status=Case.Status.ACCEPTED, title=f"Sak {n}", submitted_by=world["leader"])
        case_services.agenda_add_open_cases(user=world["secretary"], meeting=meeting)
        assert meeting.agenda_items.filter(kind=AgendaItem.Kind.CASE).count() == 7
        assert count() == one


class TestInvitationDocuments:
    @pytest.mark.parametrize("fmt", ["docx", "pdf"])
    def test_the_agenda_document_withholds_the_case_from_those_who_may_not_read_it(
        self, world: World, case: Case, meeting: Meeting, login_as: LoginAs, fmt: str
    ) -> None:
        url = reverse("meetings:export", args=[meeting.pk, fmt])
        read = _docx_text if fmt == "docx" else _pdf_text
        outsider = read(login_as(OUTSIDER).get(url).content)
        _assert_withheld(outsider, case)
        assert f"Oppfølgingspunkt i sak {case.reference}" in outsider
        member = read(login_as(NETWORK_MEMBER).get(url).content)
        _assert_shown(member, TITLE, WANTED, PRESENTER, ACTION)

    def test_the_calendar_file_and_feed_hold_no_agenda(
        self, world: World, case: Case, meeting: Meeting, login_as: LoginAs
    ) -> None:
        ics = login_as(OUTSIDER).get(reverse("meetings:export", args=[meeting.pk, "ics"])).content.decode()
        unfolded = ics.replace("\r\n ", "")
        assert "BEGIN:VEVENT" in unfolded
        assert not [secret for secret in SECRETS if secret in unfolded]
        assert case.reference not in unfolded

    def test_the_invitation_email_shows_the_networks_own_case_and_only_the_number_of_another(
        self, world: World, case: Case, meeting: Meeting, django_capture_on_commit_callbacks
    ) -> None:
        # The product puts only the network's own cases on its agenda; an item tied to another network's case (as
        # an administrator could make) is shown to the network's people by its number.
        other = make_case(
            world, status=Case.Status.ACCEPTED, network=world.other_network, title="Øyesak om stær", year=2025
        )
        AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.CASE, title="Øyesak om stær", case=other)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_send_invitations(user=world["secretary"], meeting=meeting)
        bodies = [message.body for message in mail.outbox]
        assert bodies and all(TITLE in body for body in bodies)
        assert all(f"Sak {other.reference}" in body and "stær" not in body for body in bodies)


@pytest.fixture
def minutes(world: World, case: Case, meeting: Meeting) -> Minutes:
    """Approved minutes of the meeting, with text on the case's item and a new action item; A1 lets the region
    read its approved minutes."""
    world.network.minutes_visible_to_region = True
    world.network.save()
    meeting.starts_at -= datetime.timedelta(days=20)
    meeting.ends_at -= datetime.timedelta(days=20)
    meeting.status = Meeting.Status.HELD
    meeting.save()
    started = services.minutes_start(user=world["secretary"], meeting=meeting)
    item = meeting.agenda_items.get(case=case)
    saved = services.minutes_save(
        user=world["secretary"],
        minutes=started,
        texts={item.pk: (SUMMARY, CONCLUSION)},
        lock_version=started.lock_version,
        new_action_items=[
            services.NewActionItem(item.pk, "Safiroppgave fra referatet", world["member"].pk, datetime.date(2030, 1, 1))
        ],
    )
    return services.minutes_approve(user=world["secretary"], minutes=saved, via=Minutes.ApprovedVia.MEETING)


class TestMinutes:
    def test_the_minutes_page_withholds_what_they_say_about_the_case(
        self, world: World, case: Case, minutes: Minutes, login_as: LoginAs
    ) -> None:
        outsider = _text(login_as(OUTSIDER).get(minutes.get_absolute_url()))
        _assert_withheld(outsider, case)
        assert "Godkjenning av referat" in outsider  # the other items are the minutes', shown as before
        member = _text(login_as(NETWORK_MEMBER).get(minutes.get_absolute_url()))
        _assert_shown(member, TITLE, SUMMARY, CONCLUSION)

    @pytest.mark.parametrize("fmt", ["docx", "pdf"])
    def test_the_minutes_documents_withhold_it_too(
        self, world: World, case: Case, minutes: Minutes, login_as: LoginAs, fmt: str
    ) -> None:
        url = reverse("meetings:minutes_export", args=[minutes.meeting_id, minutes.version, fmt])
        read = _docx_text if fmt == "docx" else _pdf_text
        outsider = read(login_as(OUTSIDER).get(url).content)
        _assert_withheld(outsider, case)
        assert "Safiroppgave fra referatet" not in outsider
        member = read(login_as(NETWORK_MEMBER).get(url).content)
        _assert_shown(member, TITLE, SUMMARY, CONCLUSION, "Safiroppgave fra referatet")


class TestHistories:
    def test_the_meetings_history_names_the_case_item_by_number_and_withholds_its_changes(
        self, world: World, case: Case, meeting: Meeting, login_as: LoginAs
    ) -> None:
        url = reverse("audit:history", args=["meeting", meeting.pk])
        outsider = _text(login_as(OUTSIDER).get(url))
        _assert_withheld(outsider, case)
        assert f"Sak på sakslisten: Sak {case.reference}" in outsider
        assert "Sak på sakslisten: Godkjenning av referat fra forrige møte" in outsider  # the other items as before
        member = _text(login_as(NETWORK_MEMBER).get(url))
        _assert_shown(member, TITLE, WANTED, PRESENTER)

    def test_the_minutes_history_withholds_what_they_say_about_the_case(
        self, world: World, case: Case, minutes: Minutes, login_as: LoginAs
    ) -> None:
        url = reverse("audit:history", args=["minutes", minutes.pk])
        outsider = _text(login_as(OUTSIDER).get(url))
        _assert_withheld(outsider, case)
        assert f"Punkt: Sak {case.reference}" in outsider
        member = _text(login_as(NETWORK_MEMBER).get(url))
        _assert_shown(member, TITLE, SUMMARY, CONCLUSION)


class TestSelectors:
    def test_an_item_not_marked_for_anyone_withholds_its_case(self, world: World, case: Case, meeting: Meeting) -> None:
        """Safe by default: a page that forgets to mark the items shows the number, not the case."""
        item = AgendaItem.objects.get(meeting=meeting, case=case)
        assert item.withholds_case and item.display_title == f"Sak {case.reference}"
        action = ActionItem.objects.get(case=case)
        assert action.display_title == f"Oppfølgingspunkt i sak {case.reference}"
        standard = AgendaItem.objects.filter(meeting=meeting, case=None).first()
        assert standard is not None and not standard.withholds_case and standard.display_title == standard.title

    def test_the_network_reader_reads_the_networks_own_cases_only(
        self, world: World, case: Case, meeting: Meeting
    ) -> None:
        other = make_case(world, status=Case.Status.ACCEPTED, network=world.other_network, year=2025)
        reader = selectors.network_case_reader(world.network)
        assert reader(case) and not reader(other)

    def test_a_document_of_a_case_item_is_for_the_cases_readers(
        self, world: World, meeting: Meeting, login_as: LoginAs
    ) -> None:
        # As an administrator could make it: an item of A1's meeting tied to a case of A2, with a document. A1's
        # member may open A1's agenda documents, but not this one.
        other = make_case(world, status=Case.Status.ACCEPTED, network=world.other_network, year=2025)
        item = AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.CASE, title="Øyesak", case=other)
        document = services.document_attach(
            user=world["secretary"], item=item, upload=SimpleUploadedFile("oye.txt", b"x\n", content_type="text/plain")
        )
        own = AgendaItem.objects.get(meeting=meeting, kind=AgendaItem.Kind.CASE, case__network=world.network)
        assert login_as(NETWORK_MEMBER).get(own.documents.get().get_absolute_url()).status_code == 200
        assert login_as(NETWORK_MEMBER).get(document.get_absolute_url()).status_code == 404
        assert login_as("other_member").get(document.get_absolute_url()).status_code == 404  # not A1's documents
        assert login_as("coordinator").get(document.get_absolute_url()).status_code == 200
