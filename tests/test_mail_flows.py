"""Every e-mail the product sends, driven through the flows that send it (``core/mail.py``).

Each flow runs its services as people do; every mail it sends must be in the recipient's language, and every link in
it must be absolute, start with ``FAGNETT_SITE_URL`` and open for the recipient. Together the flows must send every
mail template there is, so a new template without a flow here fails the coverage test.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases import services as cases
from fagnett.core.digest import digest_send
from fagnett.core.models import NotificationDelivery
from fagnett.events import services as events
from fagnett.events.models import Audience
from fagnett.events.tests.factories import make_event
from fagnett.funding import services as funding
from fagnett.funding.tests.factories import add_fagsjef_a1, make_call, submitted
from fagnett.meetings import services as meetings
from fagnett.meetings.models import Meeting
from fagnett.meetings.reminders import send_due_reminders
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.networks import services as networks
from fagnett.networks.models import AppointmentRole
from fagnett.procedures.models import Status
from fagnett.procedures.reminders import review_reminders
from fagnett.procedures.tests.factories import make_procedure
from fagnett.progress import services as progress
from fagnett.progress.models import ReportingSchedule
from fagnett.progress.reminders import progress_reminders
from fagnett.progress.tests.factories import make_task
from fagnett.reports import services as reports
from tests.factories import World

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
MAIL_TEMPLATES = {path.name.removesuffix("_body.txt") for path in ROOT.glob("fagnett/*/templates/mail/*_body.txt")}
#: A path standing on its own: after the start of the text, a space or an opening bracket or quote.
RELATIVE_LINK = re.compile(r"""(?:^|[\s(<"'])(/[^\s>)"']*)""", re.MULTILINE)
ABSOLUTE_LINK = re.compile(r"https?://[^\s>)\"']+")
GREETING = {"en": "Hello ", "nb": "Hei "}

Flow = Callable[[World], None]


def _case(world: World) -> None:
    case = cases.case_submit(
        user=world["employee"],
        data={"title": "Lik praksis", "description": "Ulik mobilisering.", "wanted": "En anbefaling."},
        network=world.network,
    )
    cases.case_accept(user=world["leader"], case=case)


def _routed_case(world: World) -> None:
    case = cases.case_submit(
        user=world["employee"],
        data={"title": "Hvem svarer?", "description": "Usikker på nettverk.", "wanted": "Et svar."},
        region=world.region_a,
    )
    cases.case_route(user=world["coordinator"], case=case, network=world.network)


def _digest(world: World) -> None:
    User.objects.filter(pk=world["member"].pk).update(notifications=NotificationDelivery.DAILY_DIGEST)
    meetings.action_item_create(
        user=world["leader"],
        network=world.network,
        title="Samle tall",
        owner=User.objects.get(pk=world["member"].pk),
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    digest_send()


def _appointment(world: World) -> None:
    nominee = world["candidate"]
    appointment = networks.appointment_nominate(
        user=world["fagsjef"], network=world.network, person=nominee, role=AppointmentRole.MEMBER
    )
    networks.appointment_appoint(user=world["coordinator"], appointment=appointment)


def _meeting(world: World) -> None:
    meeting = make_meeting(world.network)
    add_items(meeting, "Kapasitet")
    meetings.meeting_send_invitations(user=world["secretary"], meeting=meeting)
    meeting.refresh_from_db()
    later = meeting.starts_at + datetime.timedelta(hours=1)
    meetings.meeting_update(
        user=world["secretary"],
        meeting=meeting,
        data={"starts_at": later, "ends_at": later + datetime.timedelta(hours=2)},
        lock_version=meeting.lock_version,
    )
    meetings.meeting_cancel(user=world["secretary"], meeting=meeting, reason="Streik")


def _no_deputy(world: World) -> None:
    """A member who sits for a trust cannot come, and the trust has no deputy left to call on."""
    meeting = make_meeting(world.network)
    meetings.meeting_send_invitations(user=world["secretary"], meeting=meeting)
    meeting.refresh_from_db()
    meetings.attendance_reply(user=world["member"], meeting=meeting, answer="not_coming", reason="Vakt")


def _early_reports(world: World) -> None:
    reports.region_early_reports_set(user=world["coordinator"], region=world.region_a, allowed=True)


def _minutes(world: World) -> None:
    meeting = make_meeting(world.network, days=-1, status=Meeting.Status.HELD)
    add_items(meeting, "Kapasitet")
    minutes = meetings.minutes_start(user=world["secretary"], meeting=meeting)
    meetings.minutes_circulate(user=world["secretary"], minutes=minutes, comments_due=timezone.localdate())
    meetings.action_item_create(
        user=world["leader"],
        network=world.network,
        title="Samle tall",
        owner=world["member"],
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )


def _meeting_reminders(world: World) -> None:
    make_meeting(world.network, days=10)  # invitation not sent
    make_meeting(world.network, days=-40, status=Meeting.Status.HELD)  # minutes not approved
    meetings.action_item_create(
        user=world["leader"],
        network=world.network,
        title="Forfalt",
        owner=world["member"],
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    send_due_reminders()


def _event(world: World) -> None:
    event = make_event(world, invited=False, audience=Audience.EVERYONE, capacity=1)
    events.event_send_invitations(user=world["coordinator"], event=event)
    event.refresh_from_db()
    later = event.starts_at + datetime.timedelta(hours=1)
    data = {
        name: getattr(event, name)
        for name in (
            "kind",
            "title",
            "description",
            "place",
            "video_link",
            "registration_deadline",
            "capacity",
            "audience",
        )
    }
    event = events.event_update(
        user=world["coordinator"],
        event=event,
        data={**data, "starts_at": later, "ends_at": later + datetime.timedelta(hours=6)},
        networks=list(event.networks.all()),
        lock_version=event.lock_version,
    )
    events.event_send_invitations(user=world["coordinator"], event=event)
    first = events.registration_register(user=world["leader"], event=event)
    events.registration_register(user=world["member"], event=event)  # waits
    events.registration_cancel(user=world["leader"], registration=first)  # the member moves up
    event.refresh_from_db()
    events.event_cancel(user=world["coordinator"], event=event, reason="For få påmeldte")


def _funding(world: World) -> None:
    call = make_call(world)
    fagsjef = add_fagsjef_a1(world)
    application = submitted(world, call)
    application = funding.application_return(
        user=fagsjef, application=application, reason="Begrunn budsjettet.", lock_version=application.lock_version
    )
    application = funding.application_submit(
        user=world["leader"], application=application, lock_version=application.lock_version
    )
    application = funding.application_endorse(
        user=fagsjef, application=application, lock_version=application.lock_version
    )
    funding.application_decline(
        user=world["coordinator"],
        application=application,
        reason="Rammen er brukt opp.",
        decision_reference="2026/12",
        lock_version=application.lock_version,
    )


def _procedure_review(world: World) -> None:
    today = timezone.localdate()
    make_procedure(
        world.network,
        (Status.PUBLISHED, today - datetime.timedelta(days=400)),
        responsible=world["member"],
        review_date=today + datetime.timedelta(days=10),
    )
    review_reminders()


def _progress(world: World) -> None:
    today = timezone.localdate()
    case = make_task(world, schedule=(1, ReportingSchedule.Unit.MONTHS, today - datetime.timedelta(days=3)))
    progress_reminders(today=today)
    progress.progress_report_submit(
        user=world["leader"], case=case, status="on_track", progress="Tall fra to HF.", next_steps="Purre."
    )


FLOWS: dict[str, tuple[Flow, set[str]]] = {
    "case": (_case, {"case_received", "case_arrived", "case_update"}),
    "routed_case": (_routed_case, {"case_received", "case_arrived", "case_update"}),
    "appointment": (_appointment, {"nomination_received", "appointment_decided"}),
    "digest": (_digest, {"action_item_assigned", "digest"}),
    "meeting": (_meeting, {"meeting_invitation", "meeting_updated", "meeting_cancelled"}),
    "no_deputy": (_no_deputy, {"meeting_invitation", "meeting_no_deputy"}),
    "early_reports": (_early_reports, {"early_reports_allowed"}),
    "minutes": (_minutes, {"minutes_circulated", "action_item_assigned"}),
    "meeting_reminders": (
        _meeting_reminders,
        {"reminder_invitation", "reminder_minutes", "reminder_action_item", "action_item_assigned"},
    ),
    "event": (_event, {"event_invitation", "event_updated", "event_moved_up", "event_cancelled"}),
    "funding": (_funding, {"funding_submitted", "funding_returned", "funding_decided"}),
    "procedure_review": (_procedure_review, {"procedure_review"}),
    "progress": (_progress, {"progress_overdue", "progress_report"}),
}


@pytest.fixture
def rendered_mail_templates() -> Iterator[set[str]]:
    """The mail templates rendered while the test runs (Django's test renderer announces each)."""
    seen: set[str] = set()

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        name = template.name or ""
        if name.startswith("mail/") and name.endswith("_body.txt"):
            seen.add(name.removeprefix("mail/").removesuffix("_body.txt"))

    template_rendered.connect(record, dispatch_uid="test_mail_flows")
    try:
        yield seen
    finally:
        template_rendered.disconnect(dispatch_uid="test_mail_flows")


def test_the_flows_send_every_mail_template() -> None:
    assert MAIL_TEMPLATES, "the mail templates are found"
    assert set().union(*(templates for _flow, templates in FLOWS.values())) == MAIL_TEMPLATES


@pytest.mark.parametrize("name", FLOWS)
def test_each_mail_is_in_the_recipients_language_with_absolute_links_that_open_for_them(
    world: World, django_capture_on_commit_callbacks: Any, rendered_mail_templates: set[str], name: str
) -> None:
    # Half the people read English, half bokmål, so every flow mails both.
    for index, person in enumerate(sorted(world.people.values(), key=lambda p: p.username)):
        person.language = "en" if index % 2 else "nb"
        person.save(update_fields=["language"])
    flow, templates = FLOWS[name]

    with django_capture_on_commit_callbacks(execute=True):
        flow(world)

    assert rendered_mail_templates == templates
    assert mail.outbox, "the flow sent mail"
    site = settings.FAGNETT_SITE_URL
    opened: set[str] = set()
    for message in mail.outbox:
        recipient = User.objects.get(email=message.to[0])
        assert message.body.startswith(GREETING[recipient.language]), (recipient.language, message.body)
        assert RELATIVE_LINK.findall(message.body) == [], message.body
        ours = [link for link in ABSOLUTE_LINK.findall(message.body) if link.startswith(site)]
        assert ours, f"a link to Fagnett in {message.subject!r}"
        client = Client()
        client.force_login(recipient)
        for link in ours:
            path = link.removeprefix(site)
            assert client.get(path).status_code == 200, (recipient.username, link)
            opened.add(path)
    assert opened


def test_one_invitation_reads_in_english_for_one_person_and_in_bokmal_for_another(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=world["member"].pk).update(language="en")
    User.objects.filter(pk=world["leader"].pk).update(language="nb")
    start = datetime.datetime(2030, 3, 5, 11, tzinfo=datetime.UTC)
    meeting = make_meeting(world.network, starts_at=start, ends_at=start + datetime.timedelta(hours=2))

    with django_capture_on_commit_callbacks(execute=True):
        meetings.meeting_send_invitations(user=world["secretary"], meeting=meeting)

    to = {message.to[0]: message for message in mail.outbox}
    english, bokmal = to["member@example.org"], to["leader@example.org"]
    assert english.subject == "Invitation: Anestesi og intensiv, 5 March 2030"  # a British date (was "5. March")
    assert "You are invited to a meeting in Anestesi og intensiv." in english.body
    assert "Meeting form: Digital" in english.body
    assert bokmal.subject == "Innkalling: Anestesi og intensiv, 5. mars 2030"
    assert "Du er innkalt til møte i Anestesi og intensiv." in bokmal.body
    assert "Møteform: Digitalt" in bokmal.body
