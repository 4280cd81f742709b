"""A meeting's invitation, cancellation and download read by a second parser (vobject), not only icalendar."""

import io

import vobject

from fagnett.meetings.calendar import calendar_feed, meeting_invitation
from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import World


def _read(ics: bytes):  # type: ignore[no-untyped-def]
    return vobject.readOne(io.StringIO(ics.decode()))


def test_invitation_update_and_cancellation_keep_one_organiser(world: World) -> None:
    meeting = make_meeting(world.network, days=14, title="Vintermøtet")
    people = [world["member"], world["leader"]]
    invitation = _read(meeting_invitation(meeting, attendees=people, method="REQUEST"))
    meeting.sequence += 1
    meeting.status = Meeting.Status.CANCELLED
    cancellation = _read(meeting_invitation(meeting, attendees=people, method="CANCEL"))
    for calendar, method in ((invitation, "REQUEST"), (cancellation, "CANCEL")):
        assert calendar.method.value == method
        event = calendar.vevent
        assert event.organizer.value == "mailto:fagnett@localhost"
        assert event.organizer.params["CN"] == [world.network.name]
        assert {a.params["RSVP"][0] for a in event.attendee_list} == {"FALSE"}  # answered in Fagnett
        assert "rrule" in calendar.vtimezone.standard.contents  # a rule, not a list of dates that ends
    assert cancellation.vevent.status.value == "CANCELLED" and cancellation.vevent.sequence.value == "1"
    assert invitation.vevent.uid.value == cancellation.vevent.uid.value


def test_downloads_and_feeds_are_publish_without_organiser_or_attendees(world: World) -> None:
    meeting = make_meeting(world.network, days=14, title="Vintermøtet")
    for ics in (
        meeting_invitation(meeting, attendees=[world["member"]], method="PUBLISH"),
        calendar_feed([meeting], name="Møter"),
    ):
        calendar = _read(ics)
        assert calendar.method.value == "PUBLISH"
        assert "organizer" not in calendar.vevent.contents and "attendee" not in calendar.vevent.contents
