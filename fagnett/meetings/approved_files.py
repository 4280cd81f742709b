"""Approved minutes keep the files made at approval (``core.kept``): the PDF and DOCX people download, and the
archive's PDF/A copy that the Noark extract takes (``archive.noark``). Registered in ``MeetingsConfig.ready()``.

The kept files are the network's record: items of the network's own cases in full, other cases' withheld
(``selectors.network_case_reader``, as the archive extract always was). A person who reads the cases in the minutes
exactly as the network does is served the kept file; anyone else (who may read less, or more) gets the minutes made
for them, as before (``reads_as_network``)."""

from django.urls import reverse
from django.utils.text import slugify

from fagnett.core import kept, pdf
from fagnett.core.calendar import local
from fagnett.core.downloads import Built
from fagnett.meetings import exports, selectors
from fagnett.meetings.models import Minutes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: the kinds kept for approved minutes; "pdf-a" is the archive's copy (PDF/A-2a)
KINDS = ("pdf", "docx", "pdf-a")


def stem(minutes: Minutes) -> str:
    meeting = minutes.meeting
    return f"referat-{slugify(meeting.network.name)}-{local(meeting.starts_at):%Y-%m-%d}-v{minutes.version}"


def render(minutes: Minutes, kind: str) -> Built:
    reader = selectors.network_case_reader(minutes.meeting.network)
    if kind == "pdf":
        return Built(exports.minutes_pdf(minutes, reader=reader), f"{stem(minutes)}.pdf", "application/pdf")
    if kind == "docx":
        return Built(exports.minutes_docx(minutes, reader=reader), f"{stem(minutes)}.docx", DOCX)
    if kind == "pdf-a":
        content = exports.minutes_pdf(minutes, reader=reader, purpose=pdf.Purpose.ARCHIVE)
        return Built(content, f"{stem(minutes)}-arkiv.pdf", "application/pdf")
    raise LookupError(kind)


def url(minutes: Minutes, kind: str) -> str:
    """The download of ``kind``; the archive's copy has none of its own (it is in the archive extract)."""
    if kind == "pdf-a":
        return ""
    return reverse("meetings:minutes_export", args=[minutes.meeting_id, minutes.version, kind])


def reads_as_network(minutes: Minutes, reader: selectors.CaseReader) -> bool:
    """Whether ``reader`` reads every case in the minutes as the network's record does (so the kept copy is what
    the person would see anyway)."""
    network = selectors.network_case_reader(minutes.meeting.network)
    items = minutes.items.filter(agenda_item__case__isnull=False).select_related("agenda_item__case")
    return all(reader(item.agenda_item.case) == network(item.agenda_item.case) for item in items)


def register() -> None:
    kept.register(Minutes, kinds=KINDS, render=render, url=url)
