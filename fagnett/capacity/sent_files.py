"""A sent recommendation keeps the files made when it was sent (``core.kept``): the PDF and DOCX of the
recommendation as the medical director got it, with its checksum, whatever later code or data would make of it.
Registered in ``CapacityConfig.ready()``; kept by ``services.recommendation_mark_sent``."""

from django.urls import reverse
from django.utils.text import slugify

from fagnett.capacity import documents, selectors
from fagnett.capacity.downloads import CONTENT_TYPES
from fagnett.capacity.models import Recommendation
from fagnett.core import kept
from fagnett.core.downloads import Built

KINDS = ("pdf", "docx")


def render(recommendation: Recommendation, kind: str) -> Built:
    """The document of the region's default patient group (adult ICU), which the recommendation is written for."""
    if kind not in KINDS:
        raise LookupError(kind)
    report = documents.recommendation_data(round_=recommendation.round, group=selectors.DEFAULT_GROUP)
    content = documents.recommendation_docx(report) if kind == "docx" else documents.recommendation_pdf(report)
    name = f"anbefaling-{slugify(recommendation.round.name)}-sendt.{kind}"
    return Built(content, name, CONTENT_TYPES[kind])


def url(recommendation: Recommendation, kind: str) -> str:
    return reverse("capacity:recommendation_sent", args=[recommendation.round_id, kind])


def register() -> None:
    kept.register(Recommendation, kinds=KINDS, render=render, url=url)
