import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from fagnett.core.exceptions import ConflictError
from fagnett.core.testing_files import blank_pdf
from fagnett.meetings import services
from fagnett.meetings.models import ActionItem, AgendaDocument, AgendaItem, Attendance, Meeting, Minutes
from fagnett.meetings.selectors import case_reader, open_action_items
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World

pytestmark = pytest.mark.django_db

PLAN_TIME = {"start": datetime.time(12, 0), "end": datetime.time(14, 0)}


def planned(day: datetime.date, **kwargs: object) -> services.PlannedMeeting:
    return services.PlannedMeeting(
        date=day, **{**PLAN_TIME, "form": "digital", "video_link": "https://teams.example.org/x", **kwargs}
    )


def ics_of(message: mail.EmailMessage) -> Calendar:
    attachment = next(a for a in message.attachments if a[0] == "invitation.ics")
    return Calendar.from_ical(attachment[1])


class TestPlan:
    def test_secretary_plans_a_year_in_one_step(self, world: World) -> None:
        days = [datetime.date(2027, m, 9) for m in (2, 4, 9, 11)]
        meetings = services.meeting_plan_year(
            user=world["secretary"], network=world.network, meetings=[planned(d) for d in days]
        )
        assert [m.starts_at.astimezone(datetime.UTC).hour for m in meetings] == [11, 10, 10, 11]  # CET/CEST
        assert world.network.meetings.count() == 4
        assert all(m.status == Meeting.Status.PLANNED for m in meetings)

    def test_one_bad_row_saves_nothing_and_names_the_meeting(self, world: World) -> None:
        rows = [planned(datetime.date(2027, 2, 9)), planned(datetime.date(2027, 4, 13), form="physical")]
        with pytest.raises(ValidationError) as error:
            services.meeting_plan_year(user=world["secretary"], network=world.network, meetings=rows)
        assert "13.04.2027" in error.value.messages[0]
        assert world.network.meetings.count() == 0

    @pytest.mark.parametrize("role", ["member", "fagsjef", "coordinator_b", "director"])
    def test_only_leader_secretary_or_coordinator_plan(self, world: World, role: str) -> None:
        with pytest.raises(PermissionDenied):
            services.meeting_plan_year(
                user=world[role], network=world.network, meetings=[planned(datetime.date(2027, 2, 9))]
            )


class TestInvitations:
    def test_invitation_goes_to_every_appointed_member_after_commit(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        meeting = make_meeting(world.network)
        with django_capture_on_commit_callbacks(execute=True):
            count = services.meeting_send_invitations(user=world["secretary"], meeting=meeting)
            assert mail.outbox == []
        assert count == 4
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            f"{u}@example.org" for u in ("leader", "secretary", "member", "rhf_rep")
        )
        calendar = ics_of(mail.outbox[0])
        assert calendar["METHOD"] == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"{meeting.uid}@fagnett"
        assert event["SEQUENCE"] == 0
        assert event["DTSTART"].dt.tzinfo.key == "Europe/Oslo"
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Oslo"
        assert len(event.get("ATTENDEE")) == 4
        assert str(event["ORGANIZER"]) == "mailto:fagnett@localhost"  # the mailbox the invitations come from
        assert event["ORGANIZER"].params["CN"] == world.network.name
        assert "https://teams.example.org/meet/123" in str(event["LOCATION"])
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.INVITED

    def test_change_raises_sequence_and_sends_an_update_with_the_same_uid(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        meeting = make_meeting(world.network)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_send_invitations(user=world["secretary"], meeting=meeting)
        first_uid = str(ics_of(mail.outbox[0]).walk("VEVENT")[0]["UID"])
        mail.outbox.clear()
        meeting.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_update(
                user=world["secretary"],
                meeting=meeting,
                data={
                    "starts_at": meeting.starts_at + datetime.timedelta(hours=1),
                    "ends_at": meeting.ends_at + datetime.timedelta(hours=1),
                },
                lock_version=meeting.lock_version,
            )
        event = ics_of(mail.outbox[0]).walk("VEVENT")[0]
        assert str(event["UID"]) == first_uid
        assert event["SEQUENCE"] == 1

    def test_a_change_that_matters_to_no_calendar_sends_nothing(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        meeting = make_meeting(world.network, invitation_sent_at=timezone.now(), status="invited")
        with django_capture_on_commit_callbacks(execute=True):
            updated = services.meeting_update(
                user=world["secretary"], meeting=meeting, data={"title": ""}, lock_version=meeting.lock_version
            )
        assert updated.sequence == 0
        assert mail.outbox == []

    def test_cancellation_is_method_cancel_with_status_cancelled(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        meeting = make_meeting(world.network)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_send_invitations(user=world["secretary"], meeting=meeting)
        mail.outbox.clear()
        meeting.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_cancel(user=world["leader"], meeting=meeting, reason="Kollisjon med seminaret")
        calendar = ics_of(mail.outbox[0])
        event = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event["SEQUENCE"] == 1
        part = next(p for p in mail.outbox[0].message().walk() if p.get_content_type() == "text/calendar")
        assert part["Content-Type"] == 'text/calendar; method="CANCEL"; charset="utf-8"'  # the charset once
        assert str(event["ORGANIZER"]) == "mailto:fagnett@localhost"  # as on the invitation, whoever cancelled

    def test_nothing_is_sent_when_the_transaction_fails(self, world: World) -> None:
        from django.db import transaction

        meeting = make_meeting(world.network)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.meeting_send_invitations(user=world["secretary"], meeting=meeting)
            raise RuntimeError("rolled back")
        assert mail.outbox == []
        meeting.refresh_from_db()
        assert meeting.invitation_sent_at is None

    def test_stale_edit_is_a_conflict(self, world: World) -> None:
        meeting = make_meeting(world.network)
        services.meeting_update(user=world["secretary"], meeting=meeting, data={"title": "A"}, lock_version=1)
        with pytest.raises(ConflictError):
            services.meeting_update(user=world["leader"], meeting=meeting, data={"title": "B"}, lock_version=1)
        meeting.refresh_from_db()
        assert meeting.title == "A"


class TestAgenda:
    def test_standard_items_keep_any_other_business_last(self, world: World) -> None:
        meeting = make_meeting(world.network)
        services.agenda_add_standard_items(user=world["secretary"], meeting=meeting)
        services.agenda_item_add(
            user=world["secretary"], meeting=meeting, data={"title": "Intensivkapasitet", "kind": "case"}
        )
        kinds = list(meeting.agenda_items.order_by("order").values_list("kind", flat=True))
        assert kinds == ["approval", "orientation", "follow_up", "case", "aob"]
        assert list(meeting.agenda_items.order_by("order").values_list("order", flat=True)) == [1, 2, 3, 4, 5]
        services.agenda_add_standard_items(user=world["secretary"], meeting=meeting)  # idempotent
        assert meeting.agenda_items.count() == 5

    def test_moving_items(self, world: World) -> None:
        meeting = make_meeting(world.network)
        _a, _b, c = add_items(meeting, "A", "B", "C")
        services.agenda_item_move(user=world["secretary"], item=c, up=True)
        assert list(meeting.agenda_items.order_by("order").values_list("title", flat=True)) == ["A", "C", "B"]

    def test_documents_are_checked_for_size_and_type(self, world: World, settings, tmp_path) -> None:
        settings.MEDIA_ROOT = tmp_path
        meeting = make_meeting(world.network)
        (item,) = add_items(meeting, "Sak")
        pdf = SimpleUploadedFile("notat.pdf", blank_pdf(), content_type="application/pdf")
        document = services.document_attach(user=world["secretary"], item=item, upload=pdf)
        assert document.original_name == "notat.pdf"
        assert "notat" not in document.file.name  # stored under a random name
        assert str(tmp_path) in document.file.path
        for bad in (
            SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
            SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
            SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
        ):
            with pytest.raises(ValidationError):
                services.document_attach(user=world["secretary"], item=item, upload=bad)
        big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
        with pytest.raises(ValidationError) as error:
            services.document_attach(user=world["secretary"], item=item, upload=big)
        assert "10" in error.value.messages[0]
        assert AgendaDocument.objects.count() == 1


class TestAttendanceAndMinutes:
    def held_meeting(self, world: World) -> Meeting:
        meeting = make_meeting(world.network, days=-3)
        add_items(meeting, "Godkjenning av referat", "Intensivkapasitet", "Eventuelt")
        return meeting

    def test_attendance_marks_the_meeting_held_and_keeps_the_trust(self, world: World) -> None:
        meeting = self.held_meeting(world)
        services.attendance_record(
            user=world["secretary"],
            meeting=meeting,
            statuses={world["leader"].pk: "present", world["member"].pk: "excused"},
        )
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.HELD
        member = Attendance.objects.get(person=world["member"])
        assert member.trust == world.trusts_a[1]
        with pytest.raises(ValidationError):
            services.attendance_record(
                user=world["secretary"], meeting=meeting, statuses={world["employee"].pk: "present"}
            )

    def test_attendance_for_a_future_meeting_is_refused(self, world: World) -> None:
        meeting = make_meeting(world.network, days=10)
        with pytest.raises(ValidationError):
            services.attendance_record(
                user=world["secretary"], meeting=meeting, statuses={world["leader"].pk: "present"}
            )

    def test_lifecycle_draft_circulated_approved_locked_corrected(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        meeting = self.held_meeting(world)
        minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
        item = meeting.agenda_items.get(title="Intensivkapasitet")
        services.minutes_save(
            user=world["secretary"],
            minutes=minutes,
            texts={item.pk: ("Drøftet kapasiteten.", "Nettverket anbefaler flere K2-senger.")},
            lock_version=minutes.lock_version,
            new_action_items=[
                services.NewActionItem(
                    item.pk, "Innhente tall fra HF-ene", world["member"].pk, datetime.date(2027, 1, 15)
                )
            ],
        )
        assert ActionItem.objects.get().owner == world["member"]
        minutes.refresh_from_db()
        with pytest.raises(ValidationError):
            services.minutes_approve(user=world["leader"], minutes=minutes)  # not circulated yet
        with django_capture_on_commit_callbacks(execute=True):
            services.minutes_circulate(user=world["secretary"], minutes=minutes, comments_due=timezone.localdate())
        assert {m.to[0] for m in mail.outbox} >= {"member@example.org", "leader@example.org"}
        services.minutes_comment(user=world["member"], minutes=minutes, text="Legg til tallene fra Ålesund.")
        with pytest.raises(PermissionDenied):
            services.minutes_comment(user=world["other_member"], minutes=minutes, text="Jeg er ikke med")
        with pytest.raises(PermissionDenied):
            services.minutes_approve(user=world["secretary"], minutes=minutes)  # the leader approves
        approved = services.minutes_approve(user=world["leader"], minutes=minutes)
        assert approved.status == Minutes.Status.APPROVED
        with pytest.raises(ValidationError):
            services.minutes_save(
                user=world["secretary"],
                minutes=approved,
                texts={item.pk: ("x", "y")},
                lock_version=approved.lock_version,
            )
        with pytest.raises(ValidationError):
            services.minutes_correct(user=world["secretary"], minutes=approved, reason=" ")
        correction = services.minutes_correct(user=world["secretary"], minutes=approved, reason="Feil tall i sak 2")
        assert correction.version == 2
        assert correction.status == Minutes.Status.DRAFT
        assert correction.items.get(agenda_item=item).conclusion == "Nettverket anbefaler flere K2-senger."
        approved.refresh_from_db()
        assert approved.status == Minutes.Status.APPROVED
        assert approved.items.get(agenda_item=item).summary == "Drøftet kapasiteten."

    def test_minutes_refuse_a_national_identity_number(self, world: World) -> None:
        meeting = self.held_meeting(world)
        minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
        item = meeting.agenda_items.first()
        with pytest.raises(ValidationError):
            services.minutes_save(
                user=world["secretary"], minutes=minutes, texts={item.pk: ("Pasient 15108695088", "")}, lock_version=1
            )
        assert minutes.items.get(agenda_item=item).summary == ""

    def test_two_secretaries_saving_the_same_minutes(self, world: World) -> None:
        meeting = self.held_meeting(world)
        minutes = services.minutes_start(user=world["secretary"], meeting=meeting)
        item = meeting.agenda_items.first()
        services.minutes_save(user=world["secretary"], minutes=minutes, texts={item.pk: ("Først", "")}, lock_version=1)
        with pytest.raises(ConflictError):
            services.minutes_save(user=world["leader"], minutes=minutes, texts={item.pk: ("Sist", "")}, lock_version=1)
        assert minutes.items.get(agenda_item=item).summary == "Først"


class TestActionItems:
    def test_open_items_are_carried_onto_the_next_agenda_until_done(self, world: World) -> None:
        first = make_meeting(world.network, days=-30)
        second = make_meeting(world.network, days=10)
        item = services.action_item_create(
            user=world["secretary"],
            network=world.network,
            title="Lage prosedyre",
            owner=world["member"],
            due_date=datetime.date(2027, 1, 1),
            meeting=first,
        )
        assert open_action_items(
            network=world.network, reader=case_reader(world["member"]), before=second.starts_at
        ) == [item]
        services.agenda_add_standard_items(user=world["secretary"], meeting=second)
        assert second.agenda_items.filter(kind=AgendaItem.Kind.FOLLOW_UP).exists()
        services.action_item_close(user=world["member"], item=item, note="Prosedyren er sendt", expected_version=1)
        assert (
            open_action_items(network=world.network, reader=case_reader(world["member"]), before=second.starts_at) == []
        )

    def test_only_the_owner_or_the_networks_managers_close_an_item(self, world: World) -> None:
        item = services.action_item_create(
            user=world["leader"],
            network=world.network,
            title="X",
            owner=world["member"],
            due_date=datetime.date(2027, 1, 1),
        )
        with pytest.raises(PermissionDenied):
            services.action_item_close(user=world["rhf_rep"], item=item, note="Ferdig", expected_version=1)
