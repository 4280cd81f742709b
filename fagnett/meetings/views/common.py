"""Small helpers the meetings' views share."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.text import slugify

from fagnett.access import AuthenticatedRequest
from fagnett.core.calendar import OSLO
from fagnett.meetings.models import Meeting


def _manage(request: AuthenticatedRequest, obj: Any) -> None:
    if not request.user.has_perm("meetings.manage_meetings", obj):
        raise PermissionDenied


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_stem(meeting: Meeting) -> str:
    return f"{slugify(meeting.network.name)}-{meeting.starts_at.astimezone(OSLO):%Y-%m-%d}"
