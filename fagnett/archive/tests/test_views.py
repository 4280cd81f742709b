import io
import zipfile

import pytest
from django.urls import reverse

from fagnett.core.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch) -> None:
    monkeypatch.setattr("fagnett.archive.noark._minutes_pdf", lambda minutes: b"%PDF-1.7 referat")


def url(world: World, **query: str) -> str:
    base = reverse("archive:download", args=[world.network.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("role", ["leader", "secretary", "coordinator"])
def test_leader_secretary_and_coordinator_download_the_package(world: World, login_as, role: str) -> None:
    response = login_as(role).get(url(world, **{"from": "2026-01-01", "to": "2026-12-31"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment;" in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert {"arkivstruktur.xml", "endringslogg.xml", "arkivuttrekk.xml"} <= set(names)


@pytest.mark.parametrize("role", ["member", "rhf_rep", "other_member", "director", "fagsjef", "coordinator_b"])
def test_others_may_not(world: World, login_as, role: str) -> None:
    assert login_as(role).get(url(world)).status_code == 403


def test_anonymous_is_sent_to_log_in(world: World, client) -> None:
    response = client.get(url(world))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("query", [{"from": "2026-13-01"}, {"from": "2026-06-01", "to": "2026-01-01"}])
def test_a_bad_period_is_refused(world: World, login_as, query: dict[str, str]) -> None:
    assert login_as("secretary").get(url(world, **query)).status_code == 400


def test_only_get(world: World, login_as) -> None:
    assert login_as("secretary").post(url(world)).status_code == 405
