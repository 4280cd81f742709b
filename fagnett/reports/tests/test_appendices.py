"""The regional report's page lists its appendices and builds each one when the reader opens it (issue 23): htmx
fetches the appendix into the page; without JavaScript the appendix is a link to its own page. Read as the report
is. The PDF and DOCX keep every appendix (``test_exports``)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from fagnett.reports import statistics
from fagnett.reports.models import RegionalReport
from fagnett.reports.tests.factories import COUNTED_2025, Known

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def known(known_region: Known) -> Known:
    return known_region


def login(client: Client, known: Known, person: str) -> Client:
    client.force_login(known.people[person])
    return client


def report_url(known: Known, query: str = "") -> str:
    return reverse("reports:regional_report", args=[known.region.pk, YEAR]) + query


def appendix_url(known: Known, number: int, query: str = "") -> str:
    return reverse("reports:regional_report_appendix", args=[known.region.pk, YEAR, number]) + query


def test_the_report_page_lists_the_appendices_without_building_them(known: Known, client: Client) -> None:
    page = login(client, known, "coordinator").get(report_url(known)).content.decode()
    details = re.findall(r'<details class="ds-details appendix"(.*?)</details>', page, re.S)
    assert len(details) == COUNTED_2025
    first = details[0]
    assert f'hx-get="{appendix_url(known, 1)}"' in first
    assert 'hx-trigger="toggle once"' in first
    assert "<summary>Appendix 1: Nettverk 01</summary>" in first
    assert f'href="{appendix_url(known, 1)}"' in first  # without JavaScript: a link to the appendix's own page
    # What only an appendix says is not on the page.
    assert "Priorities for next year" not in page
    assert "Submitted by" not in page


def test_an_appendix_on_its_own_page_and_as_the_part_htmx_fetches(known: Known, client: Client) -> None:
    login(client, known, "coordinator")
    page = client.get(appendix_url(known, 2))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<html" in text
    assert re.search(r"<h1[^>]*>Annual report 2025</h1>", text)
    assert re.search(r"<h2[^>]*>Appendix 2: Nettverk 02</h2>", text)
    assert "Priorities for next year" in text
    assert f'href="{report_url(known)}#appendices"' in text

    part = client.get(appendix_url(known, 2), headers={"HX-Request": "true"})
    assert part.status_code == 200
    fragment = part.content.decode()
    assert "<html" not in fragment
    assert re.search(r"<h3[^>]*>Appendix 2: Nettverk 02</h3>", fragment)
    assert "Priorities for next year" in fragment
    assert "HX-Request" in part["Vary"]


def test_an_appendix_that_does_not_exist_is_404(known: Known, client: Client) -> None:
    login(client, known, "coordinator")
    assert client.get(appendix_url(known, COUNTED_2025 + 1)).status_code == 404
    assert client.get(appendix_url(known, 0)).status_code == 404


def test_appendices_are_read_as_the_report_is(known: Known, client: Client) -> None:
    coordinator = known.people["coordinator"]
    approved = RegionalReport.objects.create(
        region=known.region,
        year=YEAR,
        version=1,
        status=RegionalReport.Status.APPROVED,
        approved_on=datetime.date(2026, 3, 1),
        approved_by_body="Fagdirektørmøtet",
        statistics=statistics.region_statistics(region=known.region, year=YEAR),
        created_by=coordinator,
    )
    RegionalReport.objects.create(region=known.region, year=YEAR, version=2, created_by=coordinator)
    # A member of the region reads the approved version's appendices, not the draft's.
    login(client, known, "member")
    assert client.get(appendix_url(known, 1, f"?version={approved.version}")).status_code == 200
    assert client.get(appendix_url(known, 1, "?version=2")).status_code == 404
    page = client.get(report_url(known)).content.decode()
    assert f'hx-get="{appendix_url(known, 1, "?version=1")}"' in page
    # Another region's people do not learn it exists.
    login(client, known, "outsider")
    assert client.get(appendix_url(known, 1, "?version=1")).status_code == 404
    assert client.get(appendix_url(known, 1)).status_code == 404
