"""An invitation sent through a real SMTP server on 127.0.0.1, read back as MIME."""

import email
import email.policy

import pytest
from icalendar import Calendar

from fagnett.meetings import services
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import Inbox, World

pytestmark = pytest.mark.django_db(transaction=True)


def test_invitation_arrives_with_a_text_part_and_a_calendar_part(world: World, smtp_server: Inbox) -> None:
    meeting = make_meeting(world.network)
    services.meeting_send_invitations(user=world["secretary"], meeting=meeting)

    assert sorted(rcpt for _, rcpts, _ in smtp_server.messages for rcpt in rcpts) == sorted(
        f"{u}@example.org" for u in ("leader", "secretary", "member", "rhf_rep")
    )
    message = email.message_from_bytes(smtp_server.messages[0][2], policy=email.policy.default)
    assert "Anestesi og intensiv" in message["Subject"]
    parts = {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}
    assert "text/plain" in parts
    calendar_part = parts["text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(calendar_part.get_content())
    assert calendar["METHOD"] == "REQUEST"  # the MIME method= matches the iCalendar METHOD
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"{meeting.uid}@fagnett"
    attachment = parts["application/ics"]
    assert attachment.get_filename() == "invitation.ics"
    assert Calendar.from_ical(attachment.get_content())["METHOD"] == "REQUEST"
