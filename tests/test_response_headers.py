"""What every answer of the app says to the browser: keep nothing (shared hospital PCs), use no device features."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from fagnett.capacity.tests.factories import make_round
from fagnett.core.testing_files import blank_pdf
from fagnett.meetings import services as meeting_services
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.opendata import services as opendata_services
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
NO_STORE = "private, no-store"
DENIED = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


def _assert_private(response: HttpResponse) -> None:
    assert response["Cache-Control"] == NO_STORE
    policy = [part.strip() for part in response["Permissions-Policy"].split(",")]
    assert set(DENIED) <= set(policy)


def test_a_logged_in_page_is_not_kept(world: World, login_as: LoginAs) -> None:
    response = login_as("member").get(reverse("home"))
    assert response.status_code == 200
    _assert_private(response)


def test_a_downloaded_document_is_not_kept(world: World, login_as: LoginAs, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting(world.network, days=5)
    (item,) = add_items(meeting, "Intensivkapasitet i regionen")
    document = meeting_services.document_attach(
        user=world["secretary"], item=item, upload=SimpleUploadedFile("notat.pdf", blank_pdf())
    )
    response = login_as("member").get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == blank_pdf()  # type: ignore[attr-defined]
    _assert_private(response)


def test_exports_are_not_kept(world: World, login_as: LoginAs, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = login_as("coordinator")
    # The export is made by a background job (run at once by the tests' backend); its file is the download's.
    started = client.post(f"/regions/{world.region_a.pk}/audit/export.xlsx")
    assert started.status_code == 302
    progress = client.get(started["Location"])
    _assert_private(progress)
    xlsx = client.get(started["Location"] + "file")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active is not None  # type: ignore[attr-defined]
    _assert_private(xlsx)

    meeting = make_meeting(world.network, days=5)
    ics = login_as("member").get(reverse("meetings:export", args=[meeting.pk, "ics"]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    _assert_private(ics)


def test_api_answers_are_not_kept(world: World) -> None:
    _key, raw = opendata_services.region_api_key_create(user=world["coordinator"], region=world.region_a, name="Test")
    response = Client().get("/api/open/v1/networks", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    _assert_private(response)


def test_charts_login_and_error_pages_are_not_kept(world: World, login_as: LoginAs) -> None:
    round_ = make_round(world.region_a, network=world.network)
    chart = login_as("coordinator").get(reverse("capacity:chart", args=[round_.pk, "composition"]))
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    _assert_private(chart)  # it said "private, max-age=60" before
    anonymous = Client().get(reverse("login"))
    assert anonymous.status_code == 200
    _assert_private(anonymous)
    missing = Client().get("/no-such-page/")
    assert missing.status_code == 404
    _assert_private(missing)


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_own_caching() -> None:
    response = Client().get("/static/css/fagnett.css")  # a new client: WhiteNoise reads the settings above
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]
