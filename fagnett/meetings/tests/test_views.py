import datetime
import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from icalendar import Calendar
from pypdf import PdfReader

from fagnett.core.testing_files import blank_pdf
from fagnett.meetings import services
from fagnett.meetings.models import ActionItem, Attendance, CalendarFeed, Meeting, Minutes, MinutesItem
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World, make_network

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]

NOTE = blank_pdf(b"hemmelig notat")


@pytest.fixture
def held(world: World, settings, tmp_path) -> Meeting:  # type: ignore[no-untyped-def]
    """A meeting three days ago with an agenda, a document and draft minutes."""
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting(world.network, days=-3)
    _, case = add_items(meeting, "Godkjenning av referat", "Intensivkapasitet i regionen")
    services.document_attach(user=world["secretary"], item=case, upload=SimpleUploadedFile("notat.pdf", NOTE))
    services.minutes_start(user=world["secretary"], meeting=meeting)
    return meeting


def test_plan_year_page_suggests_dates_and_saves_the_plan(world: World, login_as: LoginAs) -> None:
    client = login_as("secretary")
    url = reverse("meetings:plan_year", args=[world.network.pk]) + "?year=2027"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["formset"].total_form_count() == 4  # the mandate's minimum of four
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0"}
    for i, day in enumerate(["2027-02-09", ""]):
        data |= {
            f"form-{i}-date": day, f"form-{i}-start": "12:00", f"form-{i}-end": "14:00",
            f"form-{i}-form": "digital", f"form-{i}-video_link": "https://teams.example.org/a",
        }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    assert world.network.meetings.count() == 1  # the row without a date is left out

    data["form-0-end"] = "11:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert world.network.meetings.count() == 1


def _today_is(monkeypatch: pytest.MonkeyPatch, today: datetime.date) -> None:
    """Fix the date the pages see as today (``timezone.localdate()`` without a value)."""
    real = timezone.localdate

    def localdate(value: datetime.datetime | None = None, timezone: object = None) -> datetime.date:
        return today if value is None else real(value, timezone)  # type: ignore[arg-type]

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def test_plan_year_suggests_no_date_in_the_past(world: World, login_as: LoginAs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = login_as("secretary")
    _today_is(monkeypatch, datetime.date(2026, 6, 15))
    url = reverse("meetings:plan_year", args=[world.network.pk]) + "?year=2026"
    page = client.get(url)
    dates = [form.initial["date"] for form in page.context["formset"]]
    # Four meetings still wanted, spread over the months ahead (not February and April, already past).
    assert dates == [
        datetime.date(2026, 8, 11),
        datetime.date(2026, 9, 8),
        datetime.date(2026, 10, 13),
        datetime.date(2026, 11, 10),
    ]
    assert not page.context["no_dates_left"]

    _today_is(monkeypatch, datetime.date(2026, 12, 20))  # after December's second Tuesday: nothing is left
    page = client.get(url)
    assert page.context["formset"].total_form_count() == 0
    assert page.context["no_dates_left"]

    next_year = client.get(reverse("meetings:plan_year", args=[world.network.pk]) + "?year=2027")
    assert next(iter(next_year.context["formset"])).initial["date"] == datetime.date(2027, 2, 9)


class TestRestrictedContent:
    def test_member_of_another_network_cannot_read_documents_or_draft_minutes(
        self, world: World, held: Meeting, login_as: LoginAs
    ) -> None:
        document = held.agenda_items.get(title__startswith="Intensiv").documents.get()
        minutes = held.minutes.get()
        client = login_as("other_member")
        assert client.get(held.get_absolute_url()).status_code == 200  # the meeting itself is visible in the region
        assert client.get(document.get_absolute_url()).status_code == 404
        assert client.get(minutes.get_absolute_url()).status_code == 404
        assert client.get(reverse("meetings:minutes_export", args=[held.pk, 1, "pdf"])).status_code == 404
        assert "notat.pdf" not in client.get(held.get_absolute_url()).content.decode()

    def test_another_region_sees_nothing(self, world: World, held: Meeting, login_as: LoginAs) -> None:
        client = login_as("coordinator_b")
        assert client.get(held.get_absolute_url()).status_code == 404
        assert client.get(reverse("meetings:network_meetings", args=[world.network.pk])).status_code == 404

    def test_member_downloads_a_document_as_an_attachment(self, world: World, held: Meeting, login_as: LoginAs) -> None:
        document = held.agenda_items.get(title__startswith="Intensiv").documents.get()
        response = login_as("member").get(document.get_absolute_url())
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="notat.pdf"')
        assert b"".join(response.streaming_content) == NOTE

    def test_approved_minutes_follow_the_networks_setting(self, world: World, held: Meeting, login_as: LoginAs) -> None:
        minutes = held.minutes.get()
        minutes.status = Minutes.Status.APPROVED
        minutes.save()
        client = login_as("other_member")
        assert client.get(minutes.get_absolute_url()).status_code == 404
        world.network.minutes_visible_to_region = True
        world.network.save()
        assert client.get(minutes.get_absolute_url()).status_code == 200
        assert login_as("coordinator_b").get(minutes.get_absolute_url()).status_code == 404

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("secretary", 200),
            ("leader", 200),
            ("coordinator", 200),
            ("member", 403),
            ("director", 403),
            ("other_member", 403),
        ],
    )
    def test_who_manages_a_meeting(self, world: World, held: Meeting, client: Client, role: str, status: int) -> None:
        client.force_login(world[role])
        assert client.get(reverse("meetings:update", args=[held.pk])).status_code == status
        assert client.get(reverse("meetings:attendance", args=[held.pk])).status_code == status

    def test_upload_through_the_page_refuses_bad_files(self, world: World, held: Meeting, login_as: LoginAs) -> None:
        item = held.agenda_items.first()
        client = login_as("secretary")
        response = client.post(
            reverse("meetings:document_upload", args=[item.pk]),
            {"file": SimpleUploadedFile("script.html", b"<script>alert(1)</script>")},
            follow=True,
        )
        assert "html" in response.content.decode()
        assert item.documents.count() == 0


class TestExports:
    def test_invitation_and_agenda_as_pdf_docx_and_ics(self, world: World, held: Meeting, login_as: LoginAs) -> None:
        client = login_as("member")
        pdf = client.get(reverse("meetings:export", args=[held.pk, "pdf"]))
        assert pdf["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Intensivkapasitet i regionen" in text
        assert "Anestesi og intensiv" in text
        assert PdfReader(io.BytesIO(pdf.content)).trailer["/Root"]["/Lang"] == "nb"  # the reader's language
        world["member"].language = "en"
        world["member"].save(update_fields=["language"])
        english = client.get(reverse("meetings:export", args=[held.pk, "pdf"]))
        assert PdfReader(io.BytesIO(english.content)).trailer["/Root"]["/Lang"] == "en"
        docx = client.get(reverse("meetings:export", args=[held.pk, "docx"]))
        document = Document(io.BytesIO(docx.content))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        assert any("Intensivkapasitet i regionen" in c for c in cells)
        assert any("notat.pdf" in c for c in cells)
        ics = client.get(reverse("meetings:export", args=[held.pk, "ics"]))
        downloaded = Calendar.from_ical(ics.content)
        assert downloaded["METHOD"] == "PUBLISH"  # a copy for one's own calendar, not an invitation
        assert "ORGANIZER" not in downloaded.walk("VEVENT")[0] and "ATTENDEE" not in downloaded.walk("VEVENT")[0]

    def test_minutes_with_decisions_as_pdf_and_docx(self, world: World, held: Meeting, login_as: LoginAs) -> None:
        minutes = held.minutes.get()
        item = held.agenda_items.get(title__startswith="Intensiv")
        services.minutes_save(
            user=world["secretary"],
            minutes=minutes,
            texts={item.pk: ("Drøftet.", "Anbefaler 4 nye K2-senger.")},
            lock_version=minutes.lock_version,
            new_action_items=[
                services.NewActionItem(item.pk, "Lage notat", world["member"].pk, datetime.date(2027, 3, 1))
            ],
        )
        Attendance.objects.create(meeting=held, person=world["leader"], trust=world.trusts_a[0], status="present")
        client = login_as("secretary")
        pdf = client.get(reverse("meetings:minutes_export", args=[held.pk, 1, "pdf"]))
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Anbefaler 4 nye K2-senger." in text
        assert "Lage notat" in text
        assert "Leader Testesen" in text
        docx = Document(io.BytesIO(client.get(reverse("meetings:minutes_export", args=[held.pk, 1, "docx"])).content))
        paragraphs = "\n".join(p.text for p in docx.paragraphs)
        assert "Anbefaler 4 nye K2-senger." in paragraphs
        assert "2. Intensivkapasitet i regionen" in [
            p.text for p in docx.paragraphs if p.style.name.startswith("Heading")
        ]


class TestFlowThroughPages:
    def test_secretary_writes_circulates_and_the_leader_approves(
        self, world: World, held: Meeting, client: Client
    ) -> None:
        minutes = held.minutes.get()
        item = held.agenda_items.get(title__startswith="Intensiv")
        client.force_login(world["secretary"])
        url = minutes.get_absolute_url()
        data = {
            "lock_version": minutes.lock_version,
            f"summary_{item.pk}": "Gjennomgang.", f"conclusion_{item.pk}": "Enighet.",
            "actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0",
            "actions-0-agenda_item": item.pk, "actions-0-title": "Sende brev", "actions-0-owner": world["member"].pk,
            "actions-0-due_date": "2027-02-01",
        }  # fmt: skip
        assert client.post(url, data).status_code == 302
        data["actions-0-owner"] = ""
        data["lock_version"] = minutes.lock_version + 1
        response = client.post(url, data)  # an incomplete action item: message, nothing saved
        assert response.status_code == 200
        assert held.action_items.count() == 1
        due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
        client.post(reverse("meetings:minutes_circulate", args=[held.pk, 1]), {"comments_due": due})
        client.force_login(world["member"])
        client.post(reverse("meetings:minutes_comment", args=[held.pk, 1]), {"text": "Ser bra ut."})
        client.force_login(world["leader"])
        client.post(reverse("meetings:minutes_approve", args=[held.pk, 1]), {"via": "leader"})
        minutes.refresh_from_db()
        assert minutes.status == Minutes.Status.APPROVED
        assert minutes.comments.get().text == "Ser bra ut."
        client.force_login(world["secretary"])
        assert client.post(url, data).status_code == 403  # locked


class TestMinutesConflict:
    def test_two_writers_of_the_same_minutes_see_both_texts_and_nothing_is_overwritten(
        self, world: World, held: Meeting, client: Client
    ) -> None:
        minutes = held.minutes.get()
        item = held.agenda_items.get(title__startswith="Intensiv")
        url = minutes.get_absolute_url()
        opened = minutes.lock_version  # the secretary and the leader open the minutes at the same time
        base = {"lock_version": opened, "actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"}
        client.force_login(world["secretary"])
        first = {**base, f"summary_{item.pk}": "Sekretærens referat.", f"conclusion_{item.pk}": "Enighet."}
        assert client.post(url, first).status_code == 302
        client.force_login(world["leader"])
        second = {**base, f"summary_{item.pk}": "Lederens referat.", f"conclusion_{item.pk}": "Enighet."}
        response = client.post(url, second)

        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="conflict"' in page and 'id="conflict-differences"' in page
        assert [(saved, mine) for _label, saved, mine in response.context["form"].conflict_differences] == [
            ("Sekretærens referat.", "Lederens referat.")
        ]
        assert response.context["form"][f"summary_{item.pk}"].value() == "Lederens referat."
        assert MinutesItem.objects.get(minutes=minutes, agenda_item=item).summary == "Sekretærens referat."
        # Saving again from the conflict page is a knowing choice, and goes through.
        again = {**second, "lock_version": response.context["form"]["lock_version"].value()}
        assert client.post(url, again).status_code == 302
        assert MinutesItem.objects.get(minutes=minutes, agenda_item=item).summary == "Lederens referat."

    def test_a_meeting_changed_meanwhile_compares_with_what_is_saved_now(self, world: World, login_as: LoginAs) -> None:
        """Only what differs from the other person's save is listed (the same date and times are not); a form that
        sent no version is a conflict too, not a form error."""
        meeting = make_meeting(world.network)
        local = meeting.starts_at.astimezone(meeting.starts_at.tzinfo)
        url = reverse("meetings:update", args=[meeting.pk])
        data = {
            "date": local.date().isoformat(), "start": "12:00", "end": "14:00", "form": Meeting.Form.DIGITAL,
            "location": "", "video_link": "https://teams.example.org/meet/1", "lock_version": str(meeting.lock_version),
        }  # fmt: skip
        client = login_as("secretary")
        assert client.post(url, {**data, "title": "Lagret først"}).status_code == 302
        for version in (data["lock_version"], ""):
            response = client.post(url, {**data, "title": "Mitt forslag", "lock_version": version})
            assert response.status_code == 200 and response.context["conflict"].title == "Lagret først"
            differences = response.context["form"].conflict_differences
            assert [(saved, mine) for _label, saved, mine in differences] == [("Lagret først", "Mitt forslag")]
        assert Meeting.objects.get(pk=meeting.pk).title == "Lagret først"


class TestCalendarFeeds:
    def test_private_feed_lists_my_meetings_until_revoked(
        self, world: World, login_as: LoginAs, client: Client
    ) -> None:
        mine = make_meeting(world.network)
        make_meeting(world.other_network)
        member = login_as("member")
        url = member.post(reverse("meetings:calendar_feeds"), {}).context["new_url"]
        feed = CalendarFeed.objects.get(user=world["member"])
        member.logout()
        response = client.get(url)
        calendar = Calendar.from_ical(response.content)
        assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"{mine.uid}@fagnett"]
        assert calendar["METHOD"] == "PUBLISH"
        member.force_login(world["member"])
        member.post(reverse("meetings:calendar_feed_revoke", args=[feed.pk]))
        assert client.get(url).status_code == 404
        assert client.get(reverse("meetings:calendar_feed", args=["guess"])).status_code == 404


class TestRegionOverview:
    def test_networks_below_the_minimum_and_trust_participation(self, world: World, login_as: LoginAs) -> None:
        year = timezone.localdate().year - 1
        for days_back in (400, 300):  # world.network: two meetings last year (minimum 4 in its mandate)
            meeting = make_meeting(world.network, days=-days_back, status=Meeting.Status.HELD)
            meeting.starts_at = meeting.starts_at.replace(year=year)
            meeting.ends_at = meeting.ends_at.replace(year=year)
            meeting.save()
            Attendance.objects.create(
                meeting=meeting, person=world["member"], trust=world.trusts_a[1], status="present"
            )
        response = login_as("coordinator").get(reverse("meetings:region_overview"), {"year": year})
        plan = response.context["plan"]
        assert [(row.network.name, row.held, row.minimum, row.below_minimum) for row in plan.rows] == [
            ("Anestesi og intensiv", 2, 4, True),
            ("Øye", 0, None, False),  # no mandate, so no minimum
        ]
        content = response.content.decode()
        assert "1/2" in content
        assert content.count('<tr class="matrix__gap">') == 2  # A1 and A3: nobody present at either meeting
        shares = {p.trust.short_name: (p.meetings_held, p.meetings_attended) for p in response.context["participation"]}
        assert shares == {"A1": (2, 0), "A2": (2, 2), "A3": (2, 0)}
        assert login_as("member").get(reverse("meetings:region_overview")).status_code == 403

    def test_overview_query_count_is_flat(self, world: World, login_as: LoginAs) -> None:
        client = login_as("coordinator")
        url = reverse("meetings:region_overview")

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        client.get(url)  # the first page reads the person's access, later ones keep it
        small = count()
        for _ in range(15):
            network = make_network(world.region_a)
            for days in (-200, -100, 30):
                make_meeting(network, days=days)
        assert count() == small


def test_network_meetings_page_query_count_is_flat(world: World, login_as: LoginAs) -> None:
    client = login_as("member")
    url = reverse("meetings:network_meetings", args=[world.network.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_meeting(world.network, days=1)
    client.get(url)  # the first page reads the person's access, later ones keep it
    small = count()
    for days in range(2, 40, 3):
        add_items(make_meeting(world.network, days=days), "A", "B")
    assert count() == small


class TestReviewFixes:
    def test_agenda_export_names_documents_only_for_those_who_may_open_them(
        self, world: World, held: Meeting, login_as: LoginAs
    ) -> None:
        url = reverse("meetings:export", args=[held.pk, "docx"])

        def cells(client: Client) -> str:
            document = Document(io.BytesIO(client.get(url).content))
            return " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)

        assert "notat.pdf" in cells(login_as("member"))
        assert "notat.pdf" not in cells(login_as("other_member"))
        pdf = login_as("other_member").get(reverse("meetings:export", args=[held.pk, "pdf"]))
        assert "notat.pdf" not in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)

    def test_a_file_name_with_an_identity_number_is_refused(
        self, world: World, held: Meeting, login_as: LoginAs
    ) -> None:
        item = held.agenda_items.first()
        login_as("secretary").post(
            reverse("meetings:document_upload", args=[item.pk]),
            {"file": SimpleUploadedFile("15108695088.pdf", b"%PDF-1.4 x")},
        )
        assert item.documents.count() == 0

    def test_done_redirects_only_to_this_site(self, world: World, login_as: LoginAs) -> None:
        item = services.action_item_create(
            user=world["leader"], network=world.network, title="X", owner=world["member"],
            due_date=datetime.date(2027, 1, 1),
        )  # fmt: skip
        response = login_as("member").post(
            reverse("meetings:action_item_close", args=[item.pk]),
            {"done_note": "Sendt ut", "lock_version": item.lock_version, "next": "https://evil.example/"},
        )
        assert response.url == reverse("meetings:followup", args=[world.network.pk])

    def test_bad_calendar_feed_input_is_refused(self, world: World, login_as: LoginAs) -> None:
        client = login_as("member")
        for bad in ("x", str(world.other_network.pk)):  # not a network, and a network the member holds no role in
            response = client.post(reverse("meetings:calendar_feeds"), {"network": bad})
            assert response.status_code == 200 and not response.context["new_url"]
            assert response.context["form"].errors["network"] == [
                "Velg et av nettverkene dine, eller alle møtene dine."
            ]
        assert not CalendarFeed.objects.exists()
        # Somebody else's address, or one that does not exist, is not found.
        others, _token = services.calendar_feed_create(user=world["leader"], network=None)
        for feed_id in (others.pk, others.pk + 1):
            assert client.post(reverse("meetings:calendar_feed_revoke", args=[feed_id])).status_code == 404
            assert client.post(reverse("meetings:calendar_feed_regenerate", args=[feed_id])).status_code == 404
        assert CalendarFeed.objects.get().revoked_at is None


def test_buttons_with_values_no_form_offers_change_nothing(world: World, login_as: LoginAs) -> None:
    meeting = make_meeting(world.network)
    (item,) = add_items(meeting, "Første sak")
    client = login_as("secretary")
    assert (
        client.post(reverse("meetings:agenda_item_move", args=[item.pk]), {"direction": "sideways"}).status_code == 404
    )
    action = ActionItem.objects.create(
        network=world.network, title="Ring", owner=world["member"], due_date=timezone.localdate()
    )
    close = reverse("meetings:action_item_close", args=[action.pk])
    done = client.post(close, {"done_note": "Ringt", "lock_version": "1", "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == reverse("meetings:followup", args=[world.network.pk])
    action.refresh_from_db()
    assert action.status == ActionItem.Status.DONE
    assert login_as("employee").post(close, {}).status_code == 404
    action.refresh_from_db()
    assert action.status == ActionItem.Status.DONE
