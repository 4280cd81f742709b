"""The capacity recommendation's DOCX and PDF as background jobs (``core.downloads``), registered in ``ready()``.
The builder reads the round again as its owner, so a person who lost access since asking gets no file."""

from typing import Any

from django.utils.text import slugify

from fagnett.accounts.models import User
from fagnett.capacity import documents
from fagnett.core.downloads import Built, Progress

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"docx": DOCX, "pdf": "application/pdf"}
KINDS = {"docx": "capacity.recommendation_docx", "pdf": "capacity.recommendation_pdf"}


def _builder(fmt: str) -> Any:
    def build(owner: User, params: dict[str, Any], progress: Progress) -> Built:
        from fagnett.capacity import selectors

        round_ = selectors.recommendation_round(user=owner, round_id=params["round_id"])
        group = selectors.patient_group(params.get("group"))  # jobs queued before groups existed: adult units
        report = documents.recommendation_data(round_=round_, group=group)
        progress(40)
        content = documents.recommendation_docx(report) if fmt == "docx" else documents.recommendation_pdf(report)
        return Built(content, f"recommendation-{slugify(round_.name)}.{fmt}", CONTENT_TYPES[fmt])

    return build


def register() -> None:
    from fagnett.core import downloads

    for fmt, kind in KINDS.items():
        downloads.register(kind, _builder(fmt))
