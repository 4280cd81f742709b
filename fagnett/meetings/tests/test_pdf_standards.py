"""The agenda and the minutes as PDF are tagged PDF/UA (what people read), and the archive's copy of the minutes is
PDF/A-2a — checked by an independent checker and read back with pikepdf (``tests/pdf_standards.py``)."""

import datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from fagnett.core.pdf import Purpose
from fagnett.meetings import selectors
from fagnett.meetings.exports import agenda_pdf, minutes_pdf
from fagnett.meetings.models import Meeting, Minutes, MinutesItem
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World
from tests.pdf_standards import assert_pdf_a, assert_pdf_ua


@pytest.fixture
def minutes(world: World, settings: Any, tmp_path: Any) -> Minutes:
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting(world.network, days=-3, title="Høstmøtet", status=Meeting.Status.HELD)
    _approval, capacity = add_items(meeting, "Godkjenning av referat", "Intensivkapasitet vinteren")
    minutes = Minutes.objects.create(
        meeting=meeting,
        status=Minutes.Status.APPROVED,
        approved_by=world["leader"],
        approved_at=timezone.now() - datetime.timedelta(days=1),
        approved_via=Minutes.ApprovedVia.LEADER,
        created_by=world["secretary"],
    )
    MinutesItem.objects.create(
        minutes=minutes, agenda_item=capacity, summary="Kapasiteten er presset.", conclusion="Nettverket anbefaler K2."
    )
    return minutes


def test_the_agenda_and_the_minutes_are_tagged_for_screen_readers(world: World, minutes: Minutes) -> None:
    reader = selectors.network_case_reader(world.network)
    name = world.network.name
    with translation.override("nb"):
        assert_pdf_ua(
            agenda_pdf(minutes.meeting, reader=reader, show_documents=True),
            lang="nb",
            title=f"Innkalling og saksliste – {name}",
        )
        assert_pdf_ua(minutes_pdf(minutes, reader=reader), lang="nb", title=f"Referat – {name}")
    with translation.override("en"):
        assert_pdf_ua(minutes_pdf(minutes, reader=reader), lang="en", title=f"Minutes – {name}")


def test_the_archive_copy_of_the_minutes_is_pdf_a(world: World, minutes: Minutes) -> None:
    reader = selectors.network_case_reader(world.network)
    with translation.override("nb"):
        archived = minutes_pdf(minutes, reader=reader, purpose=Purpose.ARCHIVE)
    assert_pdf_a(archived, lang="nb", title=f"Referat – {world.network.name}")
