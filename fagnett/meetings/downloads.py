"""The meeting pack (agenda and documents in one PDF) as a background job (``core.downloads``), registered in
``MeetingsConfig.ready()``. A meeting with many documents takes a while to join, so the request only queues it.
The builder checks the owner's permission again when it runs, and marks the items of cases for the owner."""

from typing import Any

from django.utils.text import slugify

from fagnett.accounts.models import User
from fagnett.core.calendar import local
from fagnett.core.downloads import Built, Progress
from fagnett.core.permissions import require_perm
from fagnett.meetings import exports, selectors

KIND = "meetings.pack"


def build(owner: User, params: dict[str, Any], progress: Progress) -> Built:
    meeting = selectors.meeting_get(user=owner, meeting_id=params["meeting_id"])
    require_perm(owner, "meetings.view_documents", meeting)
    progress(5)
    content = exports.meeting_pack_pdf(meeting, reader=selectors.case_reader(owner), progress=progress)
    stem = f"{slugify(meeting.network.name)}-{local(meeting.starts_at):%Y-%m-%d}"
    return Built(content, f"motepakke-{stem}.pdf", "application/pdf")


def register() -> None:
    from fagnett.core import downloads

    downloads.register(KIND, build)
