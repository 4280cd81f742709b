"""Events across networks: planning, invitations with calendar files, registration with a waiting list."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation

from fagnett.core.calendar import OSLO
from fagnett.core.exceptions import ConflictError
from fagnett.events import services
from fagnett.events.models import Audience, Event, Registration
from fagnett.events.tests.factories import NATIONAL_ID, ics_of, make_event, register
from fagnett.networks.models import AppointmentRole
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, the source language, whatever the catalogues say."""
    with translation.override("en"):
        yield


def event_data(**overrides: Any) -> dict[str, Any]:
    day = timezone.localdate() + datetime.timedelta(days=60)
    start = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=OSLO)
    return {
        "kind": Event.Kind.SEMINAR,
        "title": "Prioritering, standardisering og digitalisering",
        "description": "Seminar for nettverkene og fagrådene.",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=6),
        "place": "St. Olavs hospital",
        "video_link": "",
        "registration_deadline": day - datetime.timedelta(days=14),
        "capacity": 120,
        "audience": Audience.LEADERS_AND_SECRETARIES,
        **overrides,
    }


def emails(outbox: list[Any]) -> list[str]:
    return sorted(m.to[0] for m in outbox)


class TestCreate:
    def test_the_coordinator_plans_an_event_for_many_networks_and_nobody_is_told_yet(self, world: World) -> None:
        event = services.event_create(
            user=world["coordinator"],
            region=world.region_a,
            data=event_data(),
            networks=[world.network, world.other_network],
        )
        assert event.status == Event.Status.PLANNED and event.sequence == 0
        assert set(event.networks.all()) == {world.network, world.other_network}
        assert event.created_by == world["coordinator"]
        assert event.history.first().networks.count() == 2  # the audit trail holds the networks too
        assert mail.outbox == []

    @pytest.mark.parametrize("role", ["director", "leader", "secretary", "member", "fagsjef", "coordinator_b"])
    def test_only_the_regions_coordinator_creates(self, world: World, role: str) -> None:
        with pytest.raises(PermissionDenied):
            services.event_create(user=world[role], region=world.region_a, data=event_data(), networks=[world.network])
        assert not Event.objects.exists()

    def test_networks_of_another_region_are_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.event_create(
                user=world["coordinator"], region=world.region_a, data=event_data(), networks=[world.network_b]
            )
        assert "networks" in error.value.message_dict
        assert not Event.objects.exists()

    def test_at_least_one_network(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.event_create(user=world["coordinator"], region=world.region_a, data=event_data(), networks=[])
        assert error.value.message_dict["networks"] == ["Choose at least one network to invite."]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"registration_deadline": datetime.date(2020, 1, 1)}, "registration_deadline"),
            ({"registration_deadline": timezone.localdate() + datetime.timedelta(days=90)}, "registration_deadline"),
            ({"place": "", "video_link": ""}, "place"),
            ({"description": f"Kontaktperson {NATIONAL_ID}"}, "description"),
            ({"title": f"Seminar {NATIONAL_ID[:6]} {NATIONAL_ID[6:]}"}, "title"),
        ],
    )
    def test_bad_input_saves_nothing(self, world: World, overrides: dict[str, Any], field: str) -> None:
        with pytest.raises(ValidationError) as error:
            services.event_create(
                user=world["coordinator"], region=world.region_a, data=event_data(**overrides), networks=[world.network]
            )
        assert field in error.value.message_dict
        assert not Event.objects.exists()

    def test_an_identity_number_is_refused_with_a_clear_message(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.event_create(
                user=world["coordinator"],
                region=world.region_a,
                data=event_data(description=f"Pasient {NATIONAL_ID}"),
                networks=[world.network],
            )
        assert "national identity number" in error.value.message_dict["description"][0]


class TestInvitations:
    def test_one_mail_per_invited_person_with_the_calendar_file_after_commit(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        event = make_event(world, invited=False)
        with django_capture_on_commit_callbacks(execute=True):
            count = services.event_send_invitations(user=world["coordinator"], event=event)
            assert mail.outbox == []
        # Leaders and secretaries of the two networks: only "Anestesi og intensiv" has them.
        assert count == 2
        assert emails(mail.outbox) == ["leader@example.org", "secretary@example.org"]
        message = mail.outbox[0]
        assert "Regionalt seminar" in message.subject
        calendar = ics_of(message)
        assert calendar["METHOD"] == "REQUEST"
        entry = calendar.walk("VEVENT")[0]
        assert str(entry["UID"]) == f"event-{event.uid}@fagnett"
        assert entry["SEQUENCE"] == 0
        assert entry["DTSTART"].dt.tzinfo.key == "Europe/Oslo"
        assert entry["DTSTART"].dt.hour == 9 and entry["DTSTART"].dt.minute == 30
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Oslo"
        assert str(entry["ORGANIZER"]) == "mailto:fagnett@localhost"  # the mailbox the invitations come from
        # Each file names only its own recipient: an audience does not see each other's addresses.
        attendee = entry.get("ATTENDEE")
        assert str(attendee) == f"mailto:{message.to[0]}"
        assert "St. Olavs hospital" in str(entry["LOCATION"])
        part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
        assert part["Content-Type"] == 'text/calendar; method="REQUEST"; charset="utf-8"'
        event.refresh_from_db()
        assert event.status == Event.Status.INVITED and event.invitation_sent_at is not None

    @pytest.mark.parametrize(
        ("audience", "expected"),
        [
            (Audience.EVERYONE, ["leader", "member", "other_member", "rhf_rep", "secretary"]),
            (Audience.LEADERS, ["leader"]),
            (Audience.SECRETARIES, ["secretary"]),
            (Audience.LEADERS_AND_SECRETARIES, ["leader", "secretary"]),
        ],
    )
    def test_the_audience_decides_who_is_invited(
        self, world: World, django_capture_on_commit_callbacks: Any, audience: str, expected: list[str]
    ) -> None:
        event = make_event(world, invited=False, audience=audience)
        with django_capture_on_commit_callbacks(execute=True):
            services.event_send_invitations(user=world["coordinator"], event=event)
        assert emails(mail.outbox) == [f"{name}@example.org" for name in expected]

    def test_a_council_is_invited_like_a_network_and_a_person_in_two_networks_gets_one_mail(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        council = make_network(world.region_a, kind="council", parent=world.network, name="Smerte og utmattelse")
        appoint(council, world["leader"], AppointmentRole.LEADER)
        council_leader = make_user("council_leader", trust=world.trusts_a[1])
        appoint(council, council_leader, AppointmentRole.LEADER)
        event = make_event(world, invited=False, networks=[world.network, council], audience=Audience.LEADERS)
        with django_capture_on_commit_callbacks(execute=True):
            count = services.event_send_invitations(user=world["coordinator"], event=event)
        assert count == 2
        assert emails(mail.outbox) == ["council_leader@example.org", "leader@example.org"]

    def test_sending_again_keeps_the_uid_and_raises_sequence_only_after_a_significant_change(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        event = make_event(world, invited=False)
        with django_capture_on_commit_callbacks(execute=True):
            services.event_send_invitations(user=world["coordinator"], event=event)
        uid = str(ics_of(mail.outbox[0]).walk("VEVENT")[0]["UID"])

        # Sent again unchanged (say, to reach someone appointed since): the same version.
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.event_send_invitations(user=world["coordinator"], event=event)
        assert ics_of(mail.outbox[0]).walk("VEVENT")[0]["SEQUENCE"] == 0

        # A change of description alone changes no calendar.
        event.refresh_from_db()
        data = {name: getattr(event, name) for name in services.EVENT_FIELDS}
        data["description"] = "Nytt program"
        event = services.event_update(
            user=world["coordinator"],
            event=event,
            data=data,
            networks=[world.network, world.other_network],
            lock_version=event.lock_version,
        )
        assert not event.changed_since_invitation

        # Moving it an hour is significant: marked, and the next sending is an update with SEQUENCE 1.
        event = services.event_update(
            user=world["coordinator"],
            event=event,
            data={**data, "starts_at": event.starts_at + datetime.timedelta(hours=1)},
            networks=[world.network, world.other_network],
            lock_version=event.lock_version,
        )
        assert event.changed_since_invitation and event.sequence == 0
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.event_send_invitations(user=world["coordinator"], event=event)
        entry = ics_of(mail.outbox[0]).walk("VEVENT")[0]
        assert str(entry["UID"]) == uid
        assert entry["SEQUENCE"] == 1
        assert entry["DTSTART"].dt.hour == 10 and entry["DTSTART"].dt.minute == 30
        assert "Changed" in mail.outbox[0].subject or "Endret" in mail.outbox[0].subject
        event.refresh_from_db()
        assert event.sequence == 1 and not event.changed_since_invitation

    def test_cancelling_sends_method_cancel_to_the_invited_and_the_registered(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        event = make_event(world)
        register(event, world["member"])  # registered earlier, no longer in the audience
        with django_capture_on_commit_callbacks(execute=True):
            services.event_cancel(user=world["coordinator"], event=event, reason="For få påmeldte")
        assert emails(mail.outbox) == ["leader@example.org", "member@example.org", "secretary@example.org"]
        calendar = ics_of(mail.outbox[0])
        entry = calendar.walk("VEVENT")[0]
        assert calendar["METHOD"] == "CANCEL"
        assert entry["STATUS"] == "CANCELLED"
        assert entry["SEQUENCE"] == 1
        assert str(entry["UID"]) == f"event-{event.uid}@fagnett"
        part = next(p for p in mail.outbox[0].message().walk() if p.get_content_type() == "text/calendar")
        assert part["Content-Type"] == 'text/calendar; method="CANCEL"; charset="utf-8"'  # the charset once
        assert "For få påmeldte" in mail.outbox[0].body
        event.refresh_from_db()
        assert event.is_cancelled
        with pytest.raises(ValidationError):
            services.event_send_invitations(user=world["coordinator"], event=event)

    def test_cancelling_before_the_invitations_tells_nobody(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        event = make_event(world, invited=False)
        with django_capture_on_commit_callbacks(execute=True):
            services.event_cancel(user=world["coordinator"], event=event, reason="Utsatt")
        assert mail.outbox == []

    def test_nothing_is_sent_when_the_transaction_fails(self, world: World) -> None:
        event = make_event(world, invited=False)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.event_send_invitations(user=world["coordinator"], event=event)
            raise RuntimeError("rolled back")
        assert mail.outbox == []
        event.refresh_from_db()
        assert event.invitation_sent_at is None

    def test_nobody_to_invite_is_said_so(self, world: World) -> None:
        event = make_event(world, invited=False, networks=[world.other_network], audience=Audience.SECRETARIES)
        with pytest.raises(ValidationError) as error:
            services.event_send_invitations(user=world["coordinator"], event=event)
        assert "nobody to invite" in error.value.messages[0]

    @pytest.mark.parametrize("role", ["director", "leader", "secretary", "member", "coordinator_b"])
    def test_only_the_coordinator_invites_changes_and_cancels(self, world: World, role: str) -> None:
        event = make_event(world, invited=False)
        with pytest.raises(PermissionDenied):
            services.event_send_invitations(user=world[role], event=event)
        with pytest.raises(PermissionDenied):
            services.event_update(
                user=world[role], event=event, data={}, networks=[world.network], lock_version=event.lock_version
            )
        with pytest.raises(PermissionDenied):
            services.event_cancel(user=world[role], event=event, reason="x")
        assert mail.outbox == []
        event.refresh_from_db()
        assert event.status == Event.Status.PLANNED

    def test_a_stale_edit_is_a_conflict(self, world: World) -> None:
        event = make_event(world)
        Event.objects.filter(pk=event.pk).update(title="Noen andres", lock_version=2)
        with pytest.raises(ConflictError) as error:
            services.event_update(
                user=world["coordinator"], event=event, data={"title": "Mitt"}, networks=[world.network], lock_version=1
            )
        assert error.value.current.title == "Noen andres"

    def test_a_held_event_is_not_changed_or_cancelled(self, world: World) -> None:
        event = make_event(world, days=-10)
        with pytest.raises(ValidationError):
            services.event_cancel(user=world["coordinator"], event=event, reason="x")
        with pytest.raises(ValidationError):
            services.event_update(
                user=world["coordinator"], event=event, data={}, networks=[world.network], lock_version=1
            )


class TestRegistration:
    def test_an_invited_person_registers_from_their_network_and_trust(self, world: World) -> None:
        event = make_event(world)
        registration = services.registration_register(user=world["secretary"], event=event, comment=" Vegetar ")
        assert registration.status == Registration.Status.REGISTERED
        assert (registration.network, registration.trust) == (world.network, world.trusts_a[0])
        assert registration.comment == "Vegetar"
        assert registration.history.count() == 1

    def test_registering_again_updates_the_comment_and_keeps_the_place(self, world: World) -> None:
        event = make_event(world, capacity=1)
        first = services.registration_register(user=world["secretary"], event=event)
        services.registration_register(user=world["leader"], event=event)
        again = services.registration_register(user=world["secretary"], event=event, comment="Glutenfri")
        assert again.pk == first.pk and again.status == Registration.Status.REGISTERED
        assert again.comment == "Glutenfri"
        assert Registration.objects.filter(event=event).count() == 2

    def test_someone_not_invited_is_refused_with_the_reason(self, world: World) -> None:
        event = make_event(world)  # leaders and secretaries
        with pytest.raises(ValidationError) as error:
            services.registration_register(user=world["member"], event=event)
        assert error.value.messages == [
            "You are not invited to this event: it is for leaders and secretaries in the invited networks."
        ]
        assert not Registration.objects.exists()

    def test_registration_after_the_deadline_is_refused(self, world: World) -> None:
        event = make_event(world, registration_deadline=timezone.localdate() - datetime.timedelta(days=1))
        with pytest.raises(ValidationError) as error:
            services.registration_register(user=world["secretary"], event=event)
        assert error.value.messages[0].startswith("Registration closed on ")
        assert not Registration.objects.exists()

    def test_the_deadline_day_itself_is_open(self, world: World) -> None:
        event = make_event(world, registration_deadline=timezone.localdate())
        assert services.registration_register(user=world["secretary"], event=event).status == "registered"

    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            ({"invited": False}, "Registration opens when the invitations have been sent."),
            ({"status": Event.Status.CANCELLED}, "The event is cancelled."),
        ],
    )
    def test_not_open_yet_or_cancelled(self, world: World, setup: dict[str, Any], message: str) -> None:
        event = make_event(world, **setup)
        with pytest.raises(ValidationError) as error:
            services.registration_register(user=world["secretary"], event=event)
        assert error.value.messages == [message]

    @pytest.mark.parametrize("role", ["coordinator_b", "fagsjef_b"])
    def test_people_of_another_region_are_refused(self, world: World, role: str) -> None:
        event = make_event(world)
        with pytest.raises(PermissionDenied):
            services.registration_register(user=world[role], event=event)

    def test_an_identity_number_in_the_comment_saves_nothing(self, world: World) -> None:
        event = make_event(world)
        with pytest.raises(ValidationError) as error:
            services.registration_register(user=world["secretary"], event=event, comment=f"Fnr {NATIONAL_ID}")
        assert "national identity number" in error.value.message_dict["comment"][0]
        assert not Registration.objects.exists()

    def test_the_network_must_be_one_the_person_is_invited_through(self, world: World) -> None:
        event = make_event(world)
        with pytest.raises(ValidationError) as error:
            services.registration_register(user=world["secretary"], event=event, network=world.other_network)
        assert "network" in error.value.message_dict


class TestWaitingList:
    def test_when_full_new_registrations_wait_and_the_first_moves_up_when_someone_cancels(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        event = make_event(world, audience=Audience.EVERYONE, capacity=2)
        statuses = [
            services.registration_register(user=world[name], event=event).status
            for name in ("leader", "secretary", "member", "rhf_rep")
        ]
        assert statuses == ["registered", "registered", "waiting", "waiting"]

        leader = Registration.objects.get(event=event, person=world["leader"])
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(user=world["leader"], registration=leader)
        by_person = dict(Registration.objects.filter(event=event).values_list("person__username", "status"))
        assert by_person == {
            "leader": "cancelled",
            "secretary": "registered",
            "member": "registered",  # first on the list moved up …
            "rhf_rep": "waiting",
        }
        assert [m.to for m in mail.outbox] == [["member@example.org"]]  # … and is told
        assert "Regionalt seminar" in mail.outbox[0].subject

    def test_a_cancellation_from_the_waiting_list_moves_nobody(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        event = make_event(world, audience=Audience.EVERYONE, capacity=1)
        for name in ("leader", "secretary", "member"):
            services.registration_register(user=world[name], event=event)
        waiting = Registration.objects.get(event=event, person=world["secretary"])
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(user=world["secretary"], registration=waiting)
        assert mail.outbox == []
        assert Registration.objects.get(event=event, person=world["member"]).status == "waiting"

    def test_registering_again_after_cancelling_goes_to_the_back_of_the_list(self, world: World) -> None:
        event = make_event(world, audience=Audience.EVERYONE, capacity=1)
        for name in ("leader", "secretary", "member"):
            services.registration_register(user=world[name], event=event)
        secretary = Registration.objects.get(event=event, person=world["secretary"])
        services.registration_cancel(user=world["secretary"], registration=secretary)
        services.registration_register(user=world["secretary"], event=event)
        leader = Registration.objects.get(event=event, person=world["leader"])
        services.registration_cancel(user=world["leader"], registration=leader)
        assert Registration.objects.get(event=event, person=world["member"]).status == "registered"
        assert Registration.objects.get(event=event, person=world["secretary"]).status == "waiting"

    def test_more_places_move_the_waiting_list_up(self, world: World, django_capture_on_commit_callbacks: Any) -> None:
        event = make_event(world, audience=Audience.EVERYONE, capacity=1)
        for name in ("leader", "secretary", "member"):
            services.registration_register(user=world[name], event=event)
        data = {"capacity": 2}
        with django_capture_on_commit_callbacks(execute=True):
            services.event_update(
                user=world["coordinator"],
                event=event,
                data=data,
                networks=[world.network],
                lock_version=event.lock_version,
            )
        assert Registration.objects.get(event=event, person=world["secretary"]).status == "registered"
        assert Registration.objects.get(event=event, person=world["member"]).status == "waiting"
        assert [m.to for m in mail.outbox] == [["secretary@example.org"]]

    def test_the_places_cannot_be_fewer_than_those_registered(self, world: World) -> None:
        event = make_event(world, capacity=5)
        for name in ("leader", "secretary"):
            services.registration_register(user=world[name], event=event)
        with pytest.raises(ValidationError) as error:
            services.event_update(
                user=world["coordinator"],
                event=event,
                data={"capacity": 1},
                networks=[world.network],
                lock_version=event.lock_version,
            )
        assert "capacity" in error.value.message_dict
        event.refresh_from_db()
        assert event.capacity == 5


class TestCancelRegistration:
    def test_after_the_deadline_the_person_is_told_to_contact_the_coordinator(self, world: World) -> None:
        event = make_event(world, registration_deadline=timezone.localdate() - datetime.timedelta(days=1))
        registration = register(event, world["secretary"])
        with pytest.raises(ValidationError) as error:
            services.registration_cancel(user=world["secretary"], registration=registration)
        assert "Contact the regional coordinator" in error.value.messages[0]
        registration.refresh_from_db()
        assert registration.status == "registered"

    def test_the_coordinator_cancels_for_someone_after_the_deadline_and_the_list_moves_up(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        event = make_event(world, capacity=1, registration_deadline=timezone.localdate() - datetime.timedelta(days=1))
        secretary = register(event, world["secretary"])
        register(event, world["leader"], status=Registration.Status.WAITING)
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_cancel(user=world["coordinator"], registration=secretary)
        assert Registration.objects.get(event=event, person=world["leader"]).status == "registered"
        assert [m.to for m in mail.outbox] == [["leader@example.org"]]

    @pytest.mark.parametrize("role", ["leader", "member", "director", "coordinator_b"])
    def test_nobody_else_cancels_someones_registration(self, world: World, role: str) -> None:
        event = make_event(world)
        registration = register(event, world["secretary"])
        with pytest.raises(PermissionDenied):
            services.registration_cancel(user=world[role], registration=registration)
        registration.refresh_from_db()
        assert registration.status == "registered"

    def test_a_cancelled_registration_is_not_cancelled_twice(self, world: World) -> None:
        event = make_event(world)
        registration = register(event, world["secretary"], status=Registration.Status.CANCELLED)
        with pytest.raises(ValidationError):
            services.registration_cancel(user=world["secretary"], registration=registration)


def test_an_event_cannot_be_moved_to_start_in_the_past(world: World) -> None:
    event = make_event(world, invited=False)
    with pytest.raises(ValidationError) as error:
        services.event_update(
            user=world["coordinator"],
            event=event,
            data={"starts_at": timezone.now() - datetime.timedelta(hours=1)},
            networks=list(event.networks.all()),
            lock_version=event.lock_version,
        )
    assert "starts_at" in error.value.message_dict
    event.refresh_from_db()
    assert event.starts_at > timezone.now()
