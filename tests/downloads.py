"""Reading the file a background job made, as a person does: the export's POST answers with the download's page
(the tests' tasks backend runs the job at once, inside that request), which offers the file, streamed through the
app. For the tests of every app that exports through ``core.downloads``."""

from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import resolve, reverse

from fagnett.core.models import Download


def made(client: Client, address: str, data: dict[str, Any] | None = None) -> HttpResponse:
    """POST ``address`` (with ``data``), follow to the download and read its file; the answer the file came in,
    with its content read (``content``), its type and its name."""
    response = client.post(address, data or {})
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.view_name == "downloads:detail", response["Location"]
    download = Download.objects.get(pk=match.kwargs["download_id"])
    assert download.state == Download.State.DONE, download.message
    file_url = reverse("downloads:file", args=[download.pk])
    assert file_url in client.get(response["Location"]).content.decode()
    answer: Any = client.get(file_url)
    assert answer.streaming  # streamed from the storage through the app
    result = HttpResponse(b"".join(answer.streaming_content), status=answer.status_code)
    for header in ("Content-Type", "Content-Disposition"):
        result[header] = answer[header]
    return result
