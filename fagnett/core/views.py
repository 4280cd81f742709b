"""The pages of the files made in the background (``core.downloads``): one download's progress, the person's list
("My downloads"), the file itself. Every one reads through ``downloads_of(user=…)``: another person's download is a
404, whoever asks."""

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fagnett.core import downloads
from fagnett.core.models import Download
from fagnett.core.storage import stored_file_response

#: seconds between two looks at a job still running: htmx's polling, and the page's reload without JavaScript
POLL_SECONDS = 2


@require_GET
def download_list(request: HttpRequest) -> HttpResponse:
    mine = downloads.downloads_of(user=request.user)
    # A job whose worker died is started again (or given up) as soon as its owner looks, not only at the daily run.
    downloads.recover_stalled(queryset=mine)
    context = {"downloads": list(mine), "keep_hours": settings.FAGNETT_DOWNLOADS_KEEP_HOURS}
    return render(request, "downloads/download_list.html", context)


@require_GET
def download_detail(request: HttpRequest, download_id: int) -> HttpResponse:
    download = downloads.download_get(user=request.user, download_id=download_id)
    if not download.is_finished and downloads.recover_stalled(queryset=downloads.downloads_of(user=request.user)):
        download.refresh_from_db()
    context: dict[str, Any] = {"download": download, "poll_seconds": POLL_SECONDS}
    if getattr(request, "htmx", False):
        return render(request, "downloads/download_detail.html#status", context)
    return render(request, "downloads/download_detail.html", context)


@require_GET
def download_file(request: HttpRequest, download_id: int) -> FileResponse:
    """The file, streamed from the storage in chunks through the app, so its permission is checked on every
    download, whatever the storage (no public or signed address to pass on)."""
    download = downloads.download_get(user=request.user, download_id=download_id)
    if download.state != Download.State.DONE or not download.file:
        raise Http404
    try:
        response = stored_file_response(
            download.file, filename=download.filename, content_type=download.content_type or None
        )
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "private, no-store"
    return response


def download_start_page(request: HttpRequest, *, title: str, back_url: str, back_label: str) -> HttpResponse:
    """What an export's address answers to GET (a bookmark, a link opened without the page's button): the button
    that starts the job, as a POST with its CSRF token; a GET never starts work."""
    return render(
        request,
        "downloads/download_start.html",
        {"title": title, "back_url": back_url, "back_label": back_label},
    )
