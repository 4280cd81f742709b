"""Files made by background jobs (core.downloads): states, the file through the storage and back, who may see it,
the page that follows a job, expiry, and a job whose worker died. The tests' tasks backend is the immediate one, so
a job runs inside the request that starts it; tests/test_download_worker.py runs real workers."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.core import downloads
from fagnett.core.downloads import Built, DownloadRefused, Progress
from fagnett.core.models import Download
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SEEN: list[int] = []


def _text(owner: Any, params: dict[str, Any], progress: Progress) -> Built:
    for percent in (25, 50, 75):
        progress(percent)
        SEEN.append(Download.objects.get(owner=owner, kind="tests.text", state="running").percent or 0)
    return Built(f"Hei {owner.username}: {params['word']}".encode(), "hilsen.txt", "text/plain")


def _refused(owner: Any, params: dict[str, Any], progress: Progress) -> Built:
    raise DownloadRefused("Perioden er for lang.")


def _denied(owner: Any, params: dict[str, Any], progress: Progress) -> Built:
    raise PermissionDenied


def _broken(owner: Any, params: dict[str, Any], progress: Progress) -> Built:
    raise RuntimeError("a bug")


@pytest.fixture(autouse=True)
def builders(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    downloads.register("tests.text", _text)
    downloads.register("tests.refused", _refused)
    downloads.register("tests.denied", _denied)
    downloads.register("tests.broken", _broken)
    SEEN.clear()


def test_a_job_runs_its_builder_and_keeps_the_file_on_the_default_storage(settings: Any) -> None:
    settings.FAGNETT_DOWNLOADS_KEEP_HOURS = 5
    owner = make_user("kari")
    download = downloads.download_start(owner=owner, kind="tests.text", title="Hilsen", params={"word": "æøå"})
    assert download.state == Download.State.DONE
    assert SEEN == [25, 50, 75]  # the progress was written while it ran
    assert download.percent == 100
    assert download.attempts == 1
    assert download.filename == "hilsen.txt"
    assert download.task_id
    assert download.file.name.startswith("downloads/")
    assert "hilsen" not in download.file.name  # the storage key is random
    with default_storage.open(download.file.name, "rb") as stored:
        assert stored.read().decode() == "Hei kari: æøå"
    assert download.size == len("Hei kari: æøå".encode())
    assert download.finished_at is not None
    assert download.expires_at == download.finished_at + datetime.timedelta(hours=5)


def test_an_unknown_kind_is_refused_before_anything_is_saved() -> None:
    with pytest.raises(LookupError):
        downloads.download_start(owner=make_user(), kind="tests.nothing", title="x")
    assert not Download.objects.exists()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("tests.refused", "Perioden er for lang."),
        ("tests.denied", str(downloads.NO_ACCESS)),
        ("tests.broken", str(downloads.BROKE)),
    ],
)
def test_a_failed_job_tells_the_person_why(kind: str, message: str) -> None:
    download = downloads.download_start(owner=make_user(), kind=kind, title="x")
    assert download.state == Download.State.FAILED
    assert download.message == message
    assert not download.file
    assert download.expires_at is not None


def test_the_file_is_served_to_its_owner_only() -> None:
    owner, other = make_user("eier"), make_user("annen")
    download = downloads.download_start(owner=owner, kind="tests.text", title="Hilsen", params={"word": "ja"})
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("downloads:file", args=[download.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == b"Hei eier: ja"  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == 'attachment; filename="hilsen.txt"'
    assert response["Cache-Control"] == "private, no-store"

    client.force_login(other)
    for name in ("downloads:file", "downloads:detail"):
        assert client.get(reverse(name, args=[download.pk])).status_code == 404
    listing = client.get(reverse("downloads:list"))
    assert listing.status_code == 200
    assert "Hilsen" not in listing.content.decode()


def test_a_file_not_ready_is_not_served() -> None:
    owner = make_user()
    download = Download.objects.create(owner=owner, kind="tests.text", title="Venter")
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("downloads:file", args=[download.pk])).status_code == 404


def test_the_progress_page_follows_a_running_job_with_and_without_javascript() -> None:
    owner = make_user()
    download = Download.objects.create(
        owner=owner, kind="tests.text", title="Årsrapport", state="running", percent=40, heartbeat_at=timezone.now()
    )
    client = Client()
    client.force_login(owner)
    url = reverse("downloads:detail", args=[download.pk])
    page = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page  # without JavaScript: the page reloads itself
    assert f'hx-get="{url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "40 %" in page
    assert 'value="40"' in page  # the progress bar
    assert "<html" in page

    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part
    assert 'id="download-status"' in part
    assert "40 %" in part
    assert 'hx-trigger="every 2s"' in part


def test_the_progress_page_offers_the_finished_file_and_stops_following() -> None:
    owner = make_user()
    download = downloads.download_start(owner=owner, kind="tests.text", title="Hilsen", params={"word": "ja"})
    client = Client()
    client.force_login(owner)
    url = reverse("downloads:detail", args=[download.pk])
    for answer in (client.get(url), client.get(url, headers={"HX-Request": "true"})):
        text = answer.content.decode()
        assert reverse("downloads:file", args=[download.pk]) in text
        assert "hx-trigger" not in text
        assert "http-equiv" not in text


def test_the_progress_page_shows_the_failure_message() -> None:
    owner = make_user()
    download = downloads.download_start(owner=owner, kind="tests.refused", title="Uttrekk")
    client = Client()
    client.force_login(owner)
    part = client.get(reverse("downloads:detail", args=[download.pk]), headers={"HX-Request": "true"})
    assert "Perioden er for lang." in part.content.decode()
    assert "hx-trigger" not in part.content.decode()


def test_my_downloads_lists_the_persons_files_with_their_keep_time() -> None:
    owner = make_user(language="nb")
    download = downloads.download_start(owner=owner, kind="tests.text", title="Hilsen til styret", params={"word": "a"})
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("downloads:list")).content.decode()
    assert "Hilsen til styret" in page
    assert reverse("downloads:file", args=[download.pk]) in page
    assert "Mine nedlastinger" in page
    home = client.get(reverse("home")).content.decode()
    assert reverse("downloads:list") in home  # linked from every page's header


def test_my_downloads_costs_the_same_queries_for_one_file_or_many() -> None:
    owner = make_user(language="nb")
    client = Client()
    client.force_login(owner)
    client.get(reverse("downloads:list"))  # the first page reads the person's access, later ones keep it

    def queries_with(count: int) -> int:
        for n in range(count - Download.objects.filter(owner=owner).count()):
            downloads.download_start(owner=owner, kind="tests.text", title=f"Fil {n}", params={"word": "a"})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("downloads:list")).status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(6)


def test_expired_downloads_lose_their_file_and_record(settings: Any) -> None:
    settings.FAGNETT_DOWNLOADS_KEEP_HOURS = 2
    owner = make_user()
    old = downloads.download_start(owner=owner, kind="tests.text", title="Gammel", params={"word": "a"})
    name = old.file.name
    waiting = Download.objects.create(owner=owner, kind="tests.text", title="Venter")
    assert downloads.expire_due(timezone.now() + datetime.timedelta(hours=1)) == 0
    assert default_storage.exists(name)
    assert downloads.expire_due(timezone.now() + datetime.timedelta(hours=2, minutes=1)) == 1
    assert not default_storage.exists(name)
    assert list(Download.objects.all()) == [waiting]  # a job not finished is never expired


def test_the_sweep_command_expires_too(settings: Any) -> None:
    settings.FAGNETT_DOWNLOADS_KEEP_HOURS = 0
    download = downloads.download_start(owner=make_user(), kind="tests.text", title="x", params={"word": "a"})
    call_command("downloads_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Download.objects.filter(pk=download.pk).exists()


def test_a_job_whose_worker_died_is_started_once_more_then_given_up(settings: Any) -> None:
    settings.FAGNETT_DOWNLOADS_STALE_SECONDS = 60
    owner = make_user()
    now = timezone.now()
    lost = Download.objects.create(
        owner=owner,
        kind="tests.text",
        title="Første forsøk",
        params={"word": "igjen"},
        state="running",
        attempts=1,
        heartbeat_at=now - datetime.timedelta(seconds=30),
    )
    assert downloads.recover_stalled(now) == 0  # the heartbeat is recent: alive
    assert downloads.recover_stalled(now + datetime.timedelta(seconds=31)) == 1
    lost.refresh_from_db()
    assert lost.state == Download.State.DONE  # started again (at once, by the immediate backend)
    assert lost.attempts == 2

    twice = Download.objects.create(
        owner=owner,
        kind="tests.text",
        title="Andre forsøk",
        state="running",
        attempts=2,
        heartbeat_at=now - datetime.timedelta(minutes=5),
    )
    assert downloads.recover_stalled(now) == 1
    twice.refresh_from_db()
    assert twice.state == Download.State.FAILED
    assert twice.message == str(downloads.LOST)
    assert twice.expires_at is not None


def test_looking_at_a_stalled_job_recovers_it(settings: Any) -> None:
    settings.FAGNETT_DOWNLOADS_STALE_SECONDS = 60
    owner = make_user()
    stalled = Download.objects.create(
        owner=owner,
        kind="tests.text",
        title="x",
        params={"word": "a"},
        state="running",
        attempts=2,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    client = Client()
    client.force_login(owner)
    part = client.get(reverse("downloads:detail", args=[stalled.pk]), headers={"HX-Request": "true"})
    assert str(downloads.LOST) in part.content.decode()
