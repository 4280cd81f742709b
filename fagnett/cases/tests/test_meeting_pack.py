"""The meeting pack (meetings.exports.meeting_pack_pdf) holds no document of a case the reader may not read."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from fagnett.cases.tests.factories import make_case
from fagnett.core.testing_files import blank_pdf
from fagnett.meetings import exports, services
from fagnett.meetings.models import AgendaItem
from fagnett.meetings.selectors import case_reader
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_a_withheld_cases_documents_are_neither_in_the_pack_nor_named(world: World, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    # Another network's case on the agenda: the member of this network may not read it.
    foreign = make_case(world, network=world.other_network, title="Hemmelig utredning")
    meeting = make_meeting(world.network)
    (own,) = add_items(meeting, "Budsjett")
    item = AgendaItem.objects.create(meeting=meeting, order=2, title="Hemmelig utredning", kind="case", case=foreign)
    for target, name in ((own, "budsjett.pdf"), (item, "hemmelig.pdf")):
        services.document_attach(
            user=world["secretary"], item=target, upload=SimpleUploadedFile(name, blank_pdf(name.encode()))
        )
    reader = PdfReader(io.BytesIO(exports.meeting_pack_pdf(meeting, reader=case_reader(world["member"]))))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "hemmelig.pdf" not in text and "Hemmelig utredning" not in text
    assert "budsjett.pdf" in text
    assert [o.title for o in reader.outline if not isinstance(o, list)] == ["Saksliste", "1. Budsjett – budsjett.pdf"]
    # The secretary, who reads the network's records, gets the same: the case is another network's.
    leader_pack = PdfReader(io.BytesIO(exports.meeting_pack_pdf(meeting, reader=case_reader(world["coordinator"]))))
    assert [o.title for o in leader_pack.outline if not isinstance(o, list)] == [
        "Saksliste",
        "1. Budsjett – budsjett.pdf",
        "2. Hemmelig utredning – hemmelig.pdf",
    ]
