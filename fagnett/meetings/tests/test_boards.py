"""Meetings as boards run them: item types, proposed resolutions and decisions; answers to the invitation and the
deputy called on; attendance and action items on the web minutes; comments per item and "no remarks"; the pack."""

import datetime
import io
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document
from icalendar import Calendar
from pypdf import PdfReader

from fagnett.accounts.models import User
from fagnett.core.models import Download
from fagnett.core.testing_files import blank_pdf
from fagnett.meetings import services
from fagnett.meetings.models import (
    AttendanceReply,
    DeputyInvitation,
    Meeting,
    MinutesComment,
    MinutesNoRemarks,
)
from fagnett.meetings.selectors import meeting_invitees, meeting_replies, reply_counts
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.networks.models import AppointmentRole
from tests.factories import World, appoint, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def ics_of(message: mail.EmailMessage) -> Calendar:
    attachment = next(a for a in message.attachments if a[0] == "invitation.ics")
    return Calendar.from_ical(attachment[1])


@pytest.fixture
def deputy(world: World) -> User:
    """A deputy from the member's trust (A2), registered in the world so ``login_as("deputy")`` works."""
    person = make_user("deputy", trust=world.trusts_a[1], first_name="Vara", last_name="Varesen")
    appoint(world.network, person, AppointmentRole.DEPUTY)
    world.people["deputy"] = person
    return person


def _invited(world: World, capture: Callable[..., object]) -> Meeting:
    meeting = make_meeting(world.network)
    with capture(execute=True):  # type: ignore[attr-defined]
        services.meeting_send_invitations(user=world["secretary"], meeting=meeting)
    meeting.refresh_from_db()
    return meeting


class TestItemTypes:
    def test_a_decision_item_needs_a_proposed_resolution(self, world: World) -> None:
        meeting = make_meeting(world.network)
        with pytest.raises(ValidationError) as error:
            services.agenda_item_add(
                user=world["secretary"], meeting=meeting, data={"title": "Ny prosedyre", "item_type": "decision"}
            )
        assert "proposed_resolution" in error.value.message_dict
        assert not meeting.agenda_items.exists()

    def test_standard_items_have_types_and_approval_a_proposed_resolution(self, world: World) -> None:
        meeting = make_meeting(world.network)
        services.agenda_add_standard_items(user=world["secretary"], meeting=meeting)
        types = dict(meeting.agenda_items.values_list("kind", "item_type"))
        assert types == {
            "approval": "decision",
            "orientation": "orientation",
            "follow_up": "orientation",
            "aob": "discussion",
        }
        assert meeting.agenda_items.get(kind="approval").proposed_resolution

    def test_the_agenda_page_form_and_documents_show_the_type_and_proposed_resolution(
        self, world: World, login_as: LoginAs
    ) -> None:
        meeting = make_meeting(world.network)
        client = login_as("secretary")
        url = reverse("meetings:agenda_item_add", args=[meeting.pk])
        refused = client.post(url, {"item_type": "decision", "title": "Ny prosedyre"})
        assert refused.status_code == 200 and "trenger et forslag til vedtak" in refused.content.decode()
        response = client.post(
            url, {"item_type": "decision", "title": "Ny prosedyre", "proposed_resolution": "Prosedyren vedtas."}
        )
        assert response.status_code == 302
        page = client.get(meeting.get_absolute_url()).content.decode()
        assert "Til beslutning" in page and "Prosedyren vedtas." in page
        pdf = client.get(reverse("meetings:export", args=[meeting.pk, "pdf"])).content
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "til beslutning" in text and "Forslag til vedtak" in text and "Prosedyren vedtas." in text
        docx = Document(io.BytesIO(client.get(reverse("meetings:export", args=[meeting.pk, "docx"])).content))
        cells = "\n".join(c.text for row in docx.tables[0].rows for c in row.cells)
        assert "Forslag til vedtak: Prosedyren vedtas." in cells

    def test_the_minutes_start_from_the_proposed_resolution_and_record_the_decision(
        self, world: World, login_as: LoginAs
    ) -> None:
        meeting = make_meeting(world.network, days=-1)
        item = services.agenda_item_add(
            user=world["secretary"],
            meeting=meeting,
            data={"title": "Ny prosedyre", "item_type": "decision", "proposed_resolution": "Prosedyren vedtas."},
        )
        (talk,) = add_items(meeting, "Drøfting")
        minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
        assert minutes.items.get(agenda_item=item).decision == "Prosedyren vedtas."
        assert minutes.items.get(agenda_item=talk).decision == ""
        client = login_as("secretary")
        url = minutes.get_absolute_url()
        form_page = client.get(url).content.decode()
        assert f'name="decision_{item.pk}"' in form_page and f'name="decision_{talk.pk}"' not in form_page
        response = client.post(
            url,
            {
                "lock_version": minutes.lock_version,
                f"decision_{item.pk}": "Prosedyren vedtas med endringene fra møtet.",
                "actions-TOTAL_FORMS": "0",
                "actions-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302
        assert minutes.items.get(agenda_item=item).decision == "Prosedyren vedtas med endringene fra møtet."
        services.minutes_circulate(user=world["secretary"], minutes=minutes, comments_due=datetime.date(2099, 1, 1))
        page = login_as("member").get(url).content.decode()
        assert "Vedtak" in page and "Prosedyren vedtas med endringene fra møtet." in page
        pdf = client.get(reverse("meetings:minutes_export", args=[meeting.pk, 1, "pdf"])).content
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "Vedtak: Prosedyren vedtas med endringene fra møtet." in text
        docx = Document(
            io.BytesIO(client.get(reverse("meetings:minutes_export", args=[meeting.pk, 1, "docx"])).content)
        )
        assert "Vedtak: Prosedyren vedtas med endringene fra møtet." in [p.text for p in docx.paragraphs]

    def test_a_correction_keeps_the_decisions(self, world: World) -> None:
        meeting = make_meeting(world.network, days=-1)
        services.agenda_item_add(
            user=world["secretary"],
            meeting=meeting,
            data={"title": "Ny prosedyre", "item_type": "decision", "proposed_resolution": "Vedtas."},
        )
        minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
        minutes = services.minutes_approve(user=world["leader"], minutes=minutes, via="meeting")
        correction = services.minutes_correct(user=world["secretary"], minutes=minutes, reason="Skrivefeil")
        assert [i.decision for i in correction.items.all()] == ["Vedtas."]


class TestReplies:
    def test_deputies_wait_until_someone_cannot_come_and_nothing_asks_for_rsvp(
        self, world: World, deputy: User, django_capture_on_commit_callbacks
    ) -> None:
        meeting = _invited(world, django_capture_on_commit_callbacks)
        assert deputy.email not in [m.to[0] for m in mail.outbox]
        event = ics_of(mail.outbox[0]).walk("VEVENT")[0]
        attendees = event.get("ATTENDEE")
        assert len(attendees) == 4
        assert all(a.params.get("RSVP") != "TRUE" for a in attendees)
        body = mail.outbox[0].body
        assert f"http://testserver{meeting.get_absolute_url()}#reply" in body or "#reply" in body
        assert "ikke i kalenderprogrammet" in body

    def test_cannot_come_invites_the_trusts_deputy_once_with_the_same_invitation(
        self, world: World, deputy: User, django_capture_on_commit_callbacks
    ) -> None:
        meeting = _invited(world, django_capture_on_commit_callbacks)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")
        assert [m.to[0] for m in mail.outbox] == [deputy.email]
        invitation = mail.outbox[0]
        assert "Member" in invitation.body or str(world["member"]) in invitation.body
        calendar = ics_of(invitation)
        assert calendar["METHOD"] == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"{meeting.uid}@fagnett"
        assert f"mailto:{deputy.email}" in [str(a) for a in event.get("ATTENDEE")]
        assert all(a.params.get("RSVP") != "TRUE" for a in event.get("ATTENDEE"))
        assert str(event["ORGANIZER"]) == "mailto:fagnett@localhost"  # the same as on the first invitation
        assert DeputyInvitation.objects.get(meeting=meeting).replaces == world["member"]
        assert deputy in meeting_invitees(meeting=meeting)
        # Saying it again, or changing the reason, does not call on the deputy again.
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Kurs")
        assert mail.outbox == [] and DeputyInvitation.objects.count() == 1

    def test_the_secretary_sees_who_answered_what_and_who_has_not(
        self, world: World, deputy: User, login_as: LoginAs, django_capture_on_commit_callbacks
    ) -> None:
        meeting = _invited(world, django_capture_on_commit_callbacks)
        services.attendance_reply(user=world["leader"], meeting=meeting, answer="coming")
        services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")
        services.attendance_reply(user=world["rhf_rep"], meeting=meeting, answer="not_coming", reason="Ferie")
        rows = {row.person.username: row for row in meeting_replies(meeting=meeting)}
        assert set(rows) == {"leader", "secretary", "member", "rhf_rep", "deputy"}
        assert rows["member"].deputies[0].deputy == deputy and rows["deputy"].deputy_for == world["member"]
        assert not rows["rhf_rep"].no_deputy  # the RHF's representative stands for no trust
        counts = reply_counts(list(rows.values()))
        assert (counts.coming, counts.not_coming, counts.unanswered) == (1, 2, 2)
        page = login_as("secretary").get(meeting.get_absolute_url()).content.decode()
        assert "Svar på innkallingen" in page and "Vakt" in page and "Ikke svart" in page
        assert "Vara Varesen" in page
        member_page = login_as("member").get(meeting.get_absolute_url()).content.decode()
        assert "Svar på innkallingen" not in member_page and "Ferie" not in member_page

    def test_a_trust_with_no_deputy_left_is_shown(self, world: World, django_capture_on_commit_callbacks) -> None:
        meeting = _invited(world, django_capture_on_commit_callbacks)
        services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")
        (row,) = [r for r in meeting_replies(meeting=meeting) if r.person == world["member"]]
        assert row.no_deputy

    def test_the_leader_and_secretary_are_told_when_no_deputy_is_left(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        meeting = _invited(world, django_capture_on_commit_callbacks)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")
        assert sorted(m.to[0] for m in mail.outbox) == sorted([world["leader"].email, world["secretary"].email])
        message = mail.outbox[0]
        assert "ingen vara" in message.subject and str(world["member"]) in message.subject
        assert "Vakt" in message.body and str(world["member"].trust) in message.body
        assert f"{meeting.get_absolute_url()}#replies" in message.body
        # The RHF's representative stands for no trust: nobody is missing a deputy, so nobody is told.
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.attendance_reply(user=world["rhf_rep"], meeting=meeting, answer="not_coming", reason="Ferie")
        assert mail.outbox == []

    def test_nobody_is_told_of_a_missing_deputy_when_one_was_invited(
        self, world: World, deputy: User, django_capture_on_commit_callbacks
    ) -> None:
        meeting = _invited(world, django_capture_on_commit_callbacks)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")
        assert [m.to[0] for m in mail.outbox] == [deputy.email]

    def test_the_secretary_is_told_the_innkalling_went_out_in_the_meetings_word(
        self, world: World, login_as: LoginAs, django_capture_on_commit_callbacks
    ) -> None:
        meeting = make_meeting(world.network)
        with django_capture_on_commit_callbacks(execute=True):
            response = login_as("secretary").post(reverse("meetings:invite", args=[meeting.pk]), follow=True)
        # A meeting's is an innkalling; an event's (events' own test) an invitasjon: one English text, two words.
        assert "Innkallingen ble sendt til 4 personer." in response.content.decode()

    def test_bad_answers_save_nothing(self, world: World, login_as: LoginAs) -> None:
        meeting = make_meeting(world.network)
        with pytest.raises(ValidationError):
            services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason=" ")
        with pytest.raises(PermissionDenied):
            services.attendance_reply(user=world["other_member"], meeting=meeting, answer="coming")
        past = make_meeting(world.network, days=-1)
        with pytest.raises(ValidationError):
            services.attendance_reply(user=world["member"], meeting=past, answer="coming")
        response = login_as("member").post(reverse("meetings:reply", args=[meeting.pk]), {"answer": "not_coming"})
        assert response.status_code == 400 and "Si hvorfor du ikke kan komme" in response.content.decode()
        assert not AttendanceReply.objects.exists()
        assert login_as("other_member").post(reverse("meetings:reply", args=[meeting.pk]), {}).status_code == 403

    def test_a_member_answers_on_the_meeting_page(self, world: World, login_as: LoginAs) -> None:
        meeting = make_meeting(world.network)
        client = login_as("member")
        assert 'id="reply"' in client.get(meeting.get_absolute_url()).content.decode()
        response = client.post(reverse("meetings:reply", args=[meeting.pk]), {"answer": "coming"})
        assert response.status_code == 302
        assert AttendanceReply.objects.get(meeting=meeting, person=world["member"]).answer == "coming"

    def test_a_regret_starts_as_excused_when_attendance_is_registered(self, world: World, login_as: LoginAs) -> None:
        meeting = make_meeting(world.network, days=1)
        services.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")
        meeting.starts_at -= datetime.timedelta(days=1, hours=1)
        meeting.ends_at -= datetime.timedelta(days=1, hours=1)
        meeting.save()
        response = login_as("secretary").get(reverse("meetings:attendance", args=[meeting.pk]))
        form = response.context["form"]
        assert form.fields[f"person_{world['member'].pk}"].initial == "excused"
        assert form.fields[f"person_{world['leader'].pk}"].initial is None


class TestMinutesPage:
    def test_the_web_minutes_show_attendance_per_trust_and_the_action_items(
        self, world: World, login_as: LoginAs
    ) -> None:
        meeting = make_meeting(world.network, days=-1)
        (item,) = add_items(meeting, "Intensivkapasitet")
        minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
        services.minutes_save(
            user=world["secretary"],
            minutes=minutes,
            texts={},
            lock_version=minutes.lock_version,
            new_action_items=[
                services.NewActionItem(item.pk, "Lage notat om K2", world["member"].pk, datetime.date(2099, 3, 1))
            ],
        )
        services.attendance_record(
            user=world["secretary"],
            meeting=meeting,
            statuses={world["leader"].pk: "present", world["member"].pk: "excused", world["rhf_rep"].pk: "absent"},
        )
        minutes.refresh_from_db()
        services.minutes_circulate(user=world["secretary"], minutes=minutes, comments_due=datetime.date(2099, 1, 1))
        page = login_as("member").get(minutes.get_absolute_url()).content.decode()
        assert "Oppmøte" in page and "Trust A1 HF" in page and "Trust A2 HF" in page
        assert "Leader Testesen" in page and "Lage notat om K2" in page and "Oppfølgingspunkter fra møtet" in page


class TestComments:
    @pytest.fixture
    def circulated(self, world: World):  # type: ignore[no-untyped-def]
        meeting = make_meeting(world.network, days=-1)
        add_items(meeting, "Godkjenning", "Intensivkapasitet")
        minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
        return services.minutes_circulate(
            user=world["secretary"], minutes=minutes, comments_due=datetime.date(2099, 1, 1)
        )

    def test_a_comment_on_one_item_is_shown_with_it(self, world: World, circulated, login_as: LoginAs) -> None:  # type: ignore[no-untyped-def]
        item = circulated.items.get(agenda_item__title="Intensivkapasitet")
        client = login_as("member")
        url = reverse("meetings:minutes_comment", args=[circulated.meeting_id, 1])
        assert client.post(url, {"item": item.pk, "text": "Tallene for Ålesund mangler."}).status_code == 302
        assert MinutesComment.objects.get().item == item
        page = client.get(circulated.get_absolute_url()).content.decode()
        section = page[page.index(f'id="mi-{item.pk}"') :]
        assert "Kommentarer til denne saken" in section and "Tallene for Ålesund mangler." in section
        other = make_meeting(world.network, days=-2)
        add_items(other, "Annet")
        foreign = services.minutes_start(user=world["secretary"], meeting=other).items.get()
        response = client.post(url, {"item": foreign.pk, "text": "Feil sted"})
        assert response.status_code == 400 and MinutesComment.objects.count() == 1

    def test_no_remarks_in_one_click_and_the_secretary_sees_who_answered(
        self, world: World, circulated, login_as: LoginAs
    ) -> None:  # type: ignore[no-untyped-def]
        url = reverse("meetings:minutes_no_remarks", args=[circulated.meeting_id, 1])
        assert login_as("member").post(url).status_code == 302
        assert login_as("member").post(url).status_code == 302
        assert MinutesNoRemarks.objects.filter(person=world["member"]).count() == 1
        services.minutes_comment(user=world["leader"], minutes=circulated, text="Et punkt til.")
        with pytest.raises(ValidationError):
            services.minutes_no_remarks(user=world["leader"], minutes=circulated)
        page = login_as("secretary").get(circulated.get_absolute_url()).content.decode()
        table = page[page.index("Hvem har svart") :]
        assert "Ingen merknader" in table and "1 kommentar" in table and "Ikke svart" in table
        # A comment takes "no remarks" back.
        services.minutes_comment(user=world["member"], minutes=circulated, text="Likevel en merknad.")
        assert not MinutesNoRemarks.objects.filter(person=world["member"]).exists()

    def test_no_remarks_only_while_circulated_and_for_the_networks_people(self, world: World, circulated) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(PermissionDenied):
            services.minutes_no_remarks(user=world["other_member"], minutes=circulated)
        approved = services.minutes_approve(user=world["leader"], minutes=circulated)
        with pytest.raises(ValidationError):
            services.minutes_no_remarks(user=world["member"], minutes=approved)


class TestPack:
    def test_the_pack_is_the_agenda_then_each_pdf_document_and_names_the_rest(
        self, world: World, settings, tmp_path, login_as: LoginAs
    ) -> None:  # type: ignore[no-untyped-def]
        settings.MEDIA_ROOT = tmp_path
        meeting = make_meeting(world.network)
        first, second = add_items(meeting, "Intensivkapasitet", "Budsjett")
        services.document_attach(
            user=world["secretary"], item=first, upload=SimpleUploadedFile("notat.pdf", blank_pdf(b"x"))
        )
        services.document_attach(
            user=world["secretary"], item=second, upload=SimpleUploadedFile("tall.txt", b"Tall for 2026\n")
        )
        client = login_as("member")
        response = client.post(reverse("meetings:pack", args=[meeting.pk]))
        assert response.status_code == 302
        download = Download.objects.get(owner=world["member"])
        assert download.state == Download.State.DONE, download.message
        reader = PdfReader(download.file.open("rb"))
        agenda_text = "".join(page.extract_text() for page in reader.pages[:-1])
        assert "Intensivkapasitet" in agenda_text and "tall.txt" in agenda_text and "ikke en PDF" in agenda_text
        bookmarks = [o.title for o in reader.outline if not isinstance(o, list)]
        assert bookmarks == ["Saksliste", "1. Intensivkapasitet – notat.pdf"]
        assert len(reader.pages) >= 2
