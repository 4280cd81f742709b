"""Mail through a real SMTP server on 127.0.0.1 (aiosmtpd): failures after commit are logged and kept in the outbox for
another attempt (or failed for good on a 5xx refusal), never a 500; attachments and calendar parts arrive as the helper
builds them (``core/mail.py``). The tests' ImmediateBackend runs the sending job at once and cannot defer a retry, so
a mail to retry stays queued here; tests/test_mail_outbox.py has the retries with real workers."""

import datetime
import email
import email.policy
import logging
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from fagnett.cases.tests.factories import make_case
from fagnett.core.mail import Attachment, CalendarPart, build_messages, outbox_queue
from fagnett.core.models import OutboundMail
from fagnett.events import services as events
from fagnett.events.models import Audience
from fagnett.events.tests.factories import make_event
from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import Inbox, World, free_port

# The mail is sent when the view's transaction really commits, inside the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

INVITED = ["leader@example.org", "member@example.org", "rhf_rep@example.org", "secretary@example.org"]


def _read(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _not_sent(caplog: pytest.LogCaptureFixture, level: int = logging.ERROR) -> dict[str, logging.LogRecord]:
    """The mail helper's records at ``level`` (WARNING: tried again later; ERROR: failed), by recipient."""
    records = [r for r in caplog.records if r.name == "fagnett.core.mail" and r.levelno == level]
    return {str(r.args[1]): r for r in records if isinstance(r.args, tuple)}


def _invite(world: World, client: Client) -> tuple[Meeting, Any]:
    meeting = make_meeting(world.network)
    client.force_login(world["secretary"])
    return meeting, client.post(f"/meetings/{meeting.pk}/invite/")


def test_with_no_mail_server_the_invitation_is_saved_each_mail_queued_again_and_the_page_answers(
    world: World, client: Client, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    before = timezone.now()

    meeting, response = _invite(world, client)

    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    meeting.refresh_from_db()
    assert meeting.invitation_sent_at is not None and meeting.status == Meeting.Status.INVITED
    not_sent = _not_sent(caplog, logging.WARNING)
    assert sorted(not_sent) == INVITED
    assert all(record.args[0] == "meeting_invitation" for record in not_sent.values())
    assert any(record.exc_info for record in not_sent.values()), "the connection error is in the log"
    assert _not_sent(caplog) == {}, "nothing has failed for good"
    outbox = OutboundMail.objects.order_by("recipient")
    assert [mail.recipient for mail in outbox] == INVITED
    for mail in outbox:
        assert (mail.status, mail.attempts, mail.sent_at) == (OutboundMail.Status.QUEUED, 1, None)
        assert "ConnectionRefusedError" in mail.last_error
        assert mail.next_attempt_at >= before + datetime.timedelta(seconds=settings.FAGNETT_MAIL_RETRY_DELAY)


def test_a_refused_recipient_and_a_dropped_connection_are_logged_and_the_others_still_get_theirs(
    world: World, client: Client, smtp_server: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.refuse = {"member@example.org"}
    smtp_server.drop = {"leader@example.org"}

    _meeting, response = _invite(world, client)

    assert response.status_code == 302
    delivered = sorted(rcpt for _sender, rcpts, _raw in smtp_server.messages for rcpt in rcpts)
    assert delivered == ["rhf_rep@example.org", "secretary@example.org"]
    # The refusal (550) is for good; the dropped connection is worth another attempt.
    failed, retried = _not_sent(caplog), _not_sent(caplog, logging.WARNING)
    assert sorted(failed) == ["member@example.org"] and sorted(retried) == ["leader@example.org"]
    for record in [*failed.values(), *retried.values()]:
        assert record.args[0] == "meeting_invitation" and record.exc_info
    status = dict(OutboundMail.objects.values_list("recipient", "status"))
    assert status == {
        "leader@example.org": OutboundMail.Status.QUEUED,
        "member@example.org": OutboundMail.Status.FAILED,
        "rhf_rep@example.org": OutboundMail.Status.SENT,
        "secretary@example.org": OutboundMail.Status.SENT,
    }
    assert "550" in OutboundMail.objects.get(recipient="member@example.org").last_error


def test_attachments_and_a_calendar_part_arrive(world: World, smtp_server: Inbox) -> None:
    case = make_case(world)
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Fagnett//test//NB\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    pdf = b"%PDF-1.4\n% a test file\n"

    mails = build_messages(
        recipients=[world["employee"], world["coordinator"]],
        template="case_received",
        context={"case": case},
        attachments=[Attachment("rutine.pdf", pdf, "application/pdf")],
        calendar=CalendarPart(ics, "REQUEST"),
    )
    assert len(outbox_queue(mails)) == 2

    assert sorted(rcpt for _s, rcpts, _r in smtp_server.messages for rcpt in rcpts) == [
        "coordinator@example.org",
        "employee@example.org",
    ]
    message = _read(smtp_server.messages[0][2])
    parts = {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}
    assert case.title in parts["text/plain"].get_content()
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    assert parts["text/calendar"].get_content().encode() == ics
    assert parts["application/ics"].get_filename() == "invitation.ics"
    assert parts["application/pdf"].get_filename() == "rutine.pdf"
    assert parts["application/pdf"].get_content() == pdf


def test_an_event_invitation_carries_each_persons_own_calendar_part(world: World, smtp_server: Inbox) -> None:
    """Events build their invitations with the same helper as meetings, one .ics per person (them as the attendee)."""
    event = make_event(world, invited=False, audience=Audience.LEADERS_AND_SECRETARIES)

    events.event_send_invitations(user=world["coordinator"], event=event)

    by_recipient = {rcpts[0]: _read(raw) for _sender, rcpts, raw in smtp_server.messages}
    assert sorted(by_recipient) == ["leader@example.org", "secretary@example.org"]
    for address, message in by_recipient.items():
        parts = {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}
        assert parts["text/calendar"].get_param("method") == "REQUEST"
        calendar = Calendar.from_ical(parts["application/ics"].get_content())
        assert calendar["METHOD"] == "REQUEST"
        assert str(calendar.walk("VEVENT")[0]["ATTENDEE"]) == f"mailto:{address}"  # one attendee: the person
