import io
import zipfile

import pytest
from django.urls import reverse

from fagnett.core.models import Download
from tests.downloads import made
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch) -> None:
    monkeypatch.setattr("fagnett.archive.noark._minutes_pdf", lambda minutes: b"%PDF-1.7 referat")


def url(world: World, **query: str) -> str:
    base = reverse("archive:export", args=[world.network.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("role", ["leader", "secretary", "coordinator"])
def test_those_who_keep_the_records_choose_a_period_and_download_the_package(
    world: World, login_as, role: str, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login_as(role)
    page = client.get(url(world))
    assert page.status_code == 200
    assert 'name="start"' in page.content.decode() and 'name="end"' in page.content.decode()

    assert client.get(url(world, start="2026-01-01", end="2026-03-31")).status_code == 200  # a GET makes nothing
    assert not Download.objects.exists()
    response = made(client, url(world), {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="arkivuttrekk-{world.network.pk}-2026-01-01-2026-03-31.zip"'
    )
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert {"arkivstruktur.xml", "endringslogg.xml", "arkivuttrekk.xml"} <= set(names)


def test_the_network_page_links_to_the_extract_only_for_those_who_may_take_it(world: World, login_as) -> None:
    link = reverse("archive:export", args=[world.network.pk])
    assert link in login_as("secretary").get(world.network.get_absolute_url()).content.decode()
    assert link not in login_as("member").get(world.network.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["member", "rhf_rep", "other_member", "director", "fagsjef"])
def test_others_may_not(world: World, login_as, role: str) -> None:
    assert login_as(role).get(url(world)).status_code == 403
    assert login_as(role).get(url(world, start="2026-01-01", end="2026-03-31")).status_code == 403
    assert login_as(role).post(url(world), {"start": "2026-01-01", "end": "2026-03-31"}).status_code == 403
    assert not Download.objects.exists()


@pytest.mark.parametrize("role", ["coordinator_b", "fagsjef_b"])
def test_another_regions_network_is_not_revealed(world: World, login_as, role: str) -> None:
    """404 as for every page of another region: a 403 would tell that the network exists."""
    assert login_as(role).get(url(world)).status_code == 404
    assert login_as(role).get(url(world, start="2026-01-01", end="2026-03-31")).status_code == 404
    assert login_as(role).post(url(world), {"start": "2026-01-01", "end": "2026-03-31"}).status_code == 404


def test_in_their_own_region_the_same_people_get_the_usual_answers(world: World, login_as) -> None:
    own = reverse("archive:export", args=[world.network_b.pk])
    assert login_as("coordinator_b").get(own).status_code == 200
    assert login_as("fagsjef_b").get(own).status_code == 403


def test_anonymous_is_sent_to_log_in(world: World, client) -> None:
    response = client.get(url(world))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13-01", "end": "2026-03-31"}, "Oppgi en gyldig dato."),
        ({"start": "2026-06-01", "end": "2026-01-01"}, "Perioden må slutte samme dag som den begynner eller senere."),
        ({"start": "2026-01-01", "end": "2999-01-01"}, "Perioden kan ikke slutte i fremtiden."),
        ({"start": "2026-01-01"}, "Feltet er påkrevet."),
    ],
)
def test_a_bad_period_gets_the_form_back_with_the_reason_in_norwegian(
    world: World, login_as, query: dict[str, str], message: str
) -> None:
    response = login_as("secretary").post(url(world), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not Download.objects.exists()


def test_only_get_and_post(world: World, login_as) -> None:
    assert login_as("secretary").put(url(world)).status_code == 405


@pytest.mark.parametrize(
    ("bound", "message"),
    [
        ("MAX_MINUTES", "Perioden har godkjent referat fra 1 møte; ett uttrekk kan ha høyst 0."),  # one: singular
        ("MAX_DOCUMENT_BYTES", "Periodens dokumenter tar 42 byte; ett uttrekk kan ha høyst 0 byte."),
    ],
)
def test_a_period_too_big_for_one_extract_gets_the_form_back_with_the_reason(
    world: World, login_as, settings, tmp_path, monkeypatch, bound: str, message: str
) -> None:
    """Refused before anything is rendered: the package is made in memory within one request."""
    from django.utils import timezone

    from fagnett.archive import noark
    from fagnett.archive.tests.test_noark import held_meeting

    settings.MEDIA_ROOT = tmp_path
    held_meeting(world)  # approved minutes and a 42-byte agenda document, three days ago
    monkeypatch.setattr(noark, bound, 0)
    today = timezone.localdate()
    response = login_as("secretary").post(url(world), {"start": f"{today.year - 1}-01-01", "end": today.isoformat()})
    assert response.status_code == 200
    assert not Download.objects.exists()
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode().replace("\xa0", " ")  # sizes are written with no-break spaces
