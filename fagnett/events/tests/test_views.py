"""The pages: who may open which, the coordinator's and the invited person's flows, downloads, query counts."""

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fagnett.events.models import Audience, Event, Registration
from fagnett.events.tests.factories import NATIONAL_ID, make_event, register
from fagnett.networks.models import AppointmentRole
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def in_english(world: World, *roles: str) -> None:
    """Pages in English, the source language, so texts can be asserted whatever the catalogues say."""
    for role in roles:
        world[role].language = "en"
        world[role].save(update_fields=["language"])


def urls(world: World, event: Event, event_b: Event) -> dict[str, str]:
    return {
        "list": reverse("events:list"),
        "list_a": reverse("events:list") + f"?region={world.region_a.pk}",
        "detail": reverse("events:detail", args=[event.pk]),
        "detail_b": reverse("events:detail", args=[event_b.pk]),
        "ics": reverse("events:ics", args=[event.pk]),
        "register": reverse("events:register", args=[event.pk]),
        "create": reverse("events:create"),
        "create_a": reverse("events:create") + f"?region={world.region_a.pk}",
        "update": reverse("events:update", args=[event.pk]),
        "cancel": reverse("events:cancel", args=[event.pk]),
        "registrations": reverse("events:registrations", args=[event.pk]),
        "csv": reverse("events:registrations_export", args=[event.pk, "csv"]),
        "xlsx": reverse("events:registrations_export", args=[event.pk, "xlsx"]),
    }


READER = {
    "list": 200,
    "list_a": 200,
    "detail": 200,
    "detail_b": 404,
    "ics": 200,
    "register": 200,
    "create": 403,
    "create_a": 403,
    "update": 403,
    "cancel": 403,
    "registrations": 403,
    "csv": 403,
    "xlsx": 403,
}
COORDINATOR = dict.fromkeys(READER, 200) | {"detail_b": 404}
# Another region's pages answer 404, so their existence is not revealed.
OTHER_REGION = dict.fromkeys(READER, 404) | {"list": 200, "detail_b": 200, "create": 403}
EXPECTED: dict[str, dict[str, int]] = {
    "coordinator": COORDINATOR,
    "director": READER,
    "leader": READER,
    "secretary": READER,
    "member": READER,
    "rhf_rep": READER,
    "other_member": READER,
    "fagsjef": READER,
    "employee": READER,
    "coordinator_b": OTHER_REGION | {"create": 200, "create_a": 404},
    "fagsjef_b": OTHER_REGION | {"create_a": 403},
}


@pytest.mark.parametrize("role", EXPECTED)
def test_permission_table(world: World, login_as: LoginAs, role: str) -> None:
    event = make_event(world)
    event_b = make_event(world, region=world.region_b, networks=[world.network_b])
    client = login_as(role)
    for page, url in urls(world, event, event_b).items():
        assert client.get(url).status_code == EXPECTED[role][page], (role, page)


def test_anonymous_is_sent_to_login(world: World, client: Client) -> None:
    response = client.get(reverse("events:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["secretary", "director", "coordinator_b"])
def test_posts_are_refused_and_nothing_changes(world: World, login_as: LoginAs, role: str) -> None:
    event = make_event(world, invited=False)
    registration = register(event, world["leader"])
    client = login_as(role)
    assert client.post(reverse("events:invite", args=[event.pk])).status_code in (403, 404)
    assert client.post(reverse("events:cancel", args=[event.pk]), {"reason": "x"}).status_code in (403, 404)
    assert client.post(reverse("events:registration_cancel", args=[registration.pk])).status_code in (403, 404)
    event.refresh_from_db()
    registration.refresh_from_db()
    assert (event.status, event.invitation_sent_at, registration.status) == ("planned", None, "registered")
    assert mail.outbox == []


def form_data(world: World, **overrides: Any) -> dict[str, Any]:
    day = timezone.localdate() + datetime.timedelta(days=60)
    return {
        "kind": "seminar",
        "title": "Prioritering, standardisering og digitalisering",
        "description": "Program følger.",
        "starts_at": f"{day:%Y-%m-%d}T09:30",
        "ends_at": f"{day:%Y-%m-%d}T15:30",
        "place": "St. Olavs hospital",
        "video_link": "",
        "registration_deadline": f"{day - datetime.timedelta(days=14):%Y-%m-%d}",
        "capacity": "120",
        "audience": "leaders_and_secretaries",
        "networks": [world.network.pk],
        **overrides,
    }


class TestCoordinator:
    def test_creates_an_event_for_every_network_council_and_working_group(
        self, world: World, login_as: LoginAs
    ) -> None:
        council = make_network(world.region_a, kind="council", parent=world.network, name="Smerte og utmattelse")
        client = login_as("coordinator")
        page = client.get(reverse("events:create"))
        assert council in page.context["form"].fields["networks"].queryset
        assert world.network_b not in page.context["form"].fields["networks"].queryset
        response = client.post(reverse("events:create"), form_data(world, networks=[], all_networks="on"))
        event = Event.objects.get()
        assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
        assert set(event.networks.all()) == {world.network, world.other_network, council}
        assert event.starts_at.astimezone(datetime.UTC).hour in (7, 8)  # 09:30 in Oslo
        assert event.region == world.region_a and event.status == "planned"

    def test_bad_input_is_shown_on_the_form_and_saves_nothing(self, world: World, login_as: LoginAs) -> None:
        in_english(world, "coordinator")
        client = login_as("coordinator")
        response = client.post(
            reverse("events:create"),
            form_data(world, networks=[], description=f"Ring {NATIONAL_ID}", place=""),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) >= {"networks", "description", "place"}
        assert "national identity number" in errors["description"][0]
        assert not Event.objects.exists()

    def test_invites_and_sees_the_registrations_per_network_and_trust(self, world: World, login_as: LoginAs) -> None:
        in_english(world, "coordinator")
        event = make_event(world, invited=False, audience=Audience.EVERYONE)
        client = login_as("coordinator")
        response = client.post(reverse("events:invite", args=[event.pk]), follow=True)
        assert "The invitation was sent to 5 people." in response.content.decode()
        register(event, world["leader"], network=world.network, comment="Vegetar")
        register(event, world["other_member"], network=world.other_network)
        response = client.get(reverse("events:registrations", args=[event.pk]))
        summary = response.context["summary"]
        assert (summary.invited, summary.registered, summary.waiting) == (5, 2, 0)
        html = response.content.decode()
        assert "Vegetar" in html and "Anestesi og intensiv" in html and "Trust A1 HF" in html

    def test_a_stale_edit_shows_the_conflict_and_keeps_the_text(self, world: World, login_as: LoginAs) -> None:
        event = make_event(world, title="Original")
        Event.objects.filter(pk=event.pk).update(title="Noen andres", lock_version=2)
        client = login_as("coordinator")
        data = form_data(world, title="Mitt forslag", lock_version=1)
        response = client.post(reverse("events:update", args=[event.pk]), data)
        assert response.status_code == 200 and response.context["conflict"].title == "Noen andres"
        assert response.context["form"]["title"].value() == "Mitt forslag"
        response = client.post(reverse("events:update", args=[event.pk]), {**data, "lock_version": 2})
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.title == "Mitt forslag" and event.changed_since_invitation

    def test_cancels_the_event(self, world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any) -> None:
        event = make_event(world)
        with django_capture_on_commit_callbacks(execute=True):
            response = login_as("coordinator").post(reverse("events:cancel", args=[event.pk]), {"reason": "Utsatt"})
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.is_cancelled and event.cancel_reason == "Utsatt"
        assert sorted(m.to[0] for m in mail.outbox) == ["leader@example.org", "secretary@example.org"]

    def test_cancels_someones_registration_after_the_deadline(self, world: World, login_as: LoginAs) -> None:
        event = make_event(world, registration_deadline=timezone.localdate() - datetime.timedelta(days=2))
        registration = register(event, world["secretary"])
        response = login_as("coordinator").post(reverse("events:registration_cancel", args=[registration.pk]))
        assert response.status_code == 302
        registration.refresh_from_db()
        assert registration.status == "cancelled"


class TestInvitedPerson:
    def test_registers_sees_it_and_cancels(self, world: World, login_as: LoginAs) -> None:
        in_english(world, "secretary")
        event = make_event(world)
        client = login_as("secretary")
        assert "Register" in client.get(event.get_absolute_url()).content.decode()
        response = client.post(reverse("events:register", args=[event.pk]), {"comment": "Glutenfri"}, follow=True)
        registration = Registration.objects.get()
        assert (registration.person, registration.status, registration.comment) == (
            world["secretary"],
            "registered",
            "Glutenfri",
        )
        assert "You are registered for Regionalt seminar." in response.content.decode()
        assert response.context["registration"] == registration

        response = client.post(reverse("events:unregister", args=[event.pk]), follow=True)
        registration.refresh_from_db()
        assert registration.status == "cancelled"
        assert "Your registration was cancelled." in response.content.decode()

    def test_a_full_event_puts_the_person_on_the_waiting_list_and_says_so(
        self, world: World, login_as: LoginAs
    ) -> None:
        in_english(world, "secretary")
        event = make_event(world, capacity=1)
        register(event, world["leader"])
        response = login_as("secretary").post(reverse("events:register", args=[event.pk]), {"comment": ""}, follow=True)
        assert Registration.objects.get(person=world["secretary"]).status == "waiting"
        assert "waiting list as number 1" in response.content.decode()

    def test_someone_not_invited_is_told_why_and_nothing_is_saved(self, world: World, login_as: LoginAs) -> None:
        in_english(world, "member")
        event = make_event(world)
        client = login_as("member")
        reason = "You are not invited to this event: it is for leaders and secretaries in the invited networks."
        assert reason in client.get(event.get_absolute_url()).content.decode()
        response = client.post(reverse("events:register", args=[event.pk]), {"comment": ""})
        assert response.status_code == 200 and reason in response.content.decode()
        assert not Registration.objects.exists()

    def test_after_the_deadline_the_page_says_registration_closed(self, world: World, login_as: LoginAs) -> None:
        in_english(world, "secretary")
        event = make_event(world, registration_deadline=timezone.localdate() - datetime.timedelta(days=1))
        response = login_as("secretary").post(reverse("events:register", args=[event.pk]), {"comment": ""})
        assert "Registration closed on" in response.content.decode()
        assert not Registration.objects.exists()

    def test_an_identity_number_in_the_comment_is_refused_on_the_field(self, world: World, login_as: LoginAs) -> None:
        event = make_event(world)
        response = login_as("secretary").post(reverse("events:register", args=[event.pk]), {"comment": NATIONAL_ID})
        assert response.status_code == 200 and response.context["form"].errors["comment"]
        assert not Registration.objects.exists()

    def test_someone_in_two_networks_chooses_where_they_come_from(self, world: World, login_as: LoginAs) -> None:
        appoint(world.other_network, world["secretary"], AppointmentRole.SECRETARY)
        event = make_event(world)
        client = login_as("secretary")
        form = client.get(reverse("events:register", args=[event.pk])).context["form"]
        assert set(form.fields["network"].queryset) == {world.network, world.other_network}
        client.post(reverse("events:register", args=[event.pk]), {"network": world.other_network.pk, "comment": ""})
        assert Registration.objects.get().network == world.other_network

    def test_the_calendar_file_has_the_invitations_uid(self, world: World, login_as: LoginAs) -> None:
        from icalendar import Calendar

        event = make_event(world)
        response = login_as("member").get(reverse("events:ics", args=[event.pk]))
        assert response["Content-Type"].startswith("text/calendar")
        entry = Calendar.from_ical(response.content).walk("VEVENT")[0]
        assert str(entry["UID"]) == f"event-{event.uid}@fagnett"


class TestDownloads:
    def setup_registrations(self, world: World) -> Event:
        event = make_event(world, audience=Audience.EVERYONE, capacity=2)
        register(event, world["leader"], network=world.network, comment="Vegetar")
        register(event, world["member"], network=world.network, comment='=HYPERLINK("x")')
        register(event, world["secretary"], network=world.network, status=Registration.Status.WAITING)
        register(event, world["rhf_rep"], network=world.network, status=Registration.Status.CANCELLED)
        return event

    def test_csv_reads_back_with_everyone_registered_or_waiting(self, world: World, login_as: LoginAs) -> None:
        in_english(world, "coordinator")
        event = self.setup_registrations(world)
        response = login_as("coordinator").get(reverse("events:registrations_export", args=[event.pk, "csv"]))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].endswith('.csv"')
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
        assert rows[0] == [
            "First name",
            "Last name",
            "Job title",
            "Health trust",
            "Network",
            "E-mail",
            "Status",
            "Registered",
            "Comment",
        ]
        people = [(r[0], r[3], r[4], r[6], r[8]) for r in rows[1:]]
        assert people == [
            ("Leader", "Trust A1 HF", "Anestesi og intensiv", "Registered", "Vegetar"),
            ("Member", "Trust A2 HF", "Anestesi og intensiv", "Registered", '\'=HYPERLINK("x")'),  # kept as text
            ("Secretary", "Trust A1 HF", "Anestesi og intensiv", "On the waiting list", ""),
        ]

    def test_xlsx_reads_back(self, world: World, login_as: LoginAs) -> None:
        event = self.setup_registrations(world)
        response = login_as("coordinator").get(reverse("events:registrations_export", args=[event.pk, "xlsx"]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert len(values) == 4  # header and three people, the cancelled one left out
        assert [row[0] for row in values[1:]] == ["Leader", "Member", "Secretary"]
        assert values[1][5] == "leader@example.org" and values[1][8] == "Vegetar"

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_a_list_over_the_bound_is_refused_whole(
        self, world: World, login_as: LoginAs, monkeypatch: pytest.MonkeyPatch, fmt: str
    ) -> None:
        from fagnett.events import exports

        in_english(world, "coordinator")
        event = self.setup_registrations(world)
        monkeypatch.setattr(exports, "MAX_ROWS", 2)  # three people are registered or waiting
        client = login_as("coordinator")
        response = client.get(reverse("events:registrations_export", args=[event.pk, fmt]))
        assert response.status_code == 302 and "Content-Disposition" not in response
        assert response["Location"] == reverse("events:registrations", args=[event.pk])
        page = client.get(response["Location"]).content.decode()
        assert "Nothing was exported: one file holds at most 2 rows, and this one would have more." in page

    def test_an_unknown_format_is_404(self, world: World, login_as: LoginAs) -> None:
        event = make_event(world)
        response = login_as("coordinator").get(reverse("events:registrations_export", args=[event.pk, "pdf"]))
        assert response.status_code == 404


class TestQueryCounts:
    def count(self, client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def grow(self, world: World, event: Event) -> None:
        """More events, networks, people and registrations of every kind."""
        for i in range(8):
            network = make_network(world.region_a, name=f"Nettverk {i}")
            leader = make_user(trust=world.trusts_a[i % 3])
            secretary = make_user(trust=world.trusts_a[(i + 1) % 3])
            appoint(network, leader, AppointmentRole.LEADER)
            appoint(network, secretary, AppointmentRole.SECRETARY)
            event.networks.add(network)
            register(event, leader, network=network, comment="Vegetar")
            register(event, secretary, network=network, status=Registration.Status.WAITING)
            other = make_event(world, title=f"Kurs {i}", days=10 + i, networks=[network, world.network])
            register(other, leader, network=network)
            make_event(world, title=f"Holdt {i}", days=-10 - i, networks=[network])

    @pytest.mark.parametrize(("page", "role"), [("list", "secretary"), ("list", "coordinator"), ("detail", "secretary"),
                                                ("detail", "coordinator"), ("registrations", "coordinator"),
                                                ("csv", "coordinator")])  # fmt: skip
    def test_flat_as_data_grows(self, world: World, login_as: LoginAs, page: str, role: str) -> None:
        event = make_event(world, capacity=5)
        register(event, world["secretary"], network=world.network)
        url = {
            "list": reverse("events:list"),
            "detail": reverse("events:detail", args=[event.pk]),
            "registrations": reverse("events:registrations", args=[event.pk]),
            "csv": reverse("events:registrations_export", args=[event.pk, "csv"]),
        }[page]
        client = login_as(role)
        client.get(url)  # session warm-up
        small = self.count(client, url)
        self.grow(world, event)
        assert self.count(client, url) == small


def test_a_planned_event_is_the_coordinators_draft_until_the_invitations_go_out(world: World, client: Client) -> None:
    draft = make_event(world, invited=False, title="Utkast til dialogmøte")
    sent = make_event(world, title="Sendt seminar")
    list_url = reverse("events:list") + f"?region={world.region_a.pk}"
    client.force_login(world["leader"])
    page = client.get(list_url).content.decode()
    assert "Sendt seminar" in page and "Utkast til dialogmøte" not in page
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("events:detail", args=[sent.pk])).status_code == 200
    client.force_login(world["coordinator"])
    assert "Utkast til dialogmøte" in client.get(list_url).content.decode()
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 200
