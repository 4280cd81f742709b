"""Annual reports end to end: the leader writes and submits the network's report for last year; the coordinator
accepts it, writes the regional report, previews its figures and downloads it as DOCX and PDF; the director
records the approval and the version is locked. axe-core runs on every page visited.

The Norwegian catalogue for these pages is compiled later, so after each login the test clicks "English" in the
header and reads the English texts.
"""

import datetime
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import formats, timezone, translation
from docx import Document
from playwright.sync_api import Page, Route, expect
from pypdf import PdfReader

from fagnett.core.calendar import OSLO
from fagnett.meetings.models import Meeting
from fagnett.reports.models import NetworkReport, ReflectionPoint, RegionalReport
from tests.browser.conftest import assert_accessible
from tests.factories import World

YEAR = timezone.localdate().year - 1


def login_in_english(login: Callable[[str], Page], page: Page, username: str) -> None:
    # Every response renews the session cookie: let the figures in flight finish before forgetting it, or a late
    # figure response logs the previous person in again.
    page.wait_for_load_state("load")
    page.context.clear_cookies()  # log out and forget the language, so the Norwegian login form is used
    login(username)
    english = page.get_by_role("button", name="English")
    if english.count():  # the person's language is remembered from their last visit
        english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def serve_figures_one_at_a_time(page: Page) -> None:
    """Let the browser fetch the report's figures one after the other, not side by side.

    pytest-django's live server shares one in-memory SQLite connection between its request threads; two figure
    requests computing the statistics at the same time (with Django's Python SQL functions for ``__year``) can
    deadlock that connection. A real database has a connection per thread, so this is a test-only precaution.
    """
    busy = False

    def one_at_a_time(route: Route) -> None:
        nonlocal busy
        while busy:
            page.wait_for_timeout(20)  # yields to Playwright, so the request in flight can finish
        busy = True
        try:
            route.fulfill(response=route.fetch())
        finally:
            busy = False

    page.route(re.compile(r"/figure-\d+\.svg"), one_at_a_time)


@pytest.fixture
def report_world(browser_world: World) -> World:
    """Last year: three meetings held and one cancelled in ``network`` (its mandate asks for four), nothing in
    ``other_network``; region A's standard answers for "worked well" and "should improve"."""
    network = browser_world.network
    for month, form, status in (
        (2, Meeting.Form.DIGITAL, Meeting.Status.HELD),
        (5, Meeting.Form.PHYSICAL, Meeting.Status.HELD),
        (9, Meeting.Form.HYBRID, Meeting.Status.HELD),
        (11, Meeting.Form.DIGITAL, Meeting.Status.CANCELLED),
    ):
        start = datetime.datetime(YEAR, month, 10, 12, 0, tzinfo=OSLO)
        Meeting.objects.create(
            network=network,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            form=form,
            status=status,
            location="Rica Hell, Stjørdal" if form != Meeting.Form.DIGITAL else "",
            video_link="https://teams.example.org/meet/123" if form != Meeting.Form.PHYSICAL else "",
        )
    region = browser_world.region_a
    for order, (kind, title) in enumerate(
        (
            (ReflectionPoint.Kind.WORKED_WELL, "Good attendance from every health trust"),
            (ReflectionPoint.Kind.WORKED_WELL, "Clear mandate and task list"),
            (ReflectionPoint.Kind.IMPROVE, "More time between meetings for preparation"),
            (ReflectionPoint.Kind.IMPROVE, "Better support from the secretariat"),
        ),
        1,
    ):
        ReflectionPoint.objects.create(region=region, kind=kind, title=title, order=order)
    return browser_world


def test_network_and_regional_annual_report(
    report_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    world = report_world
    network, other = world.network, world.other_network
    region = world.region_a
    network_url = f"{live_server.url}/networks/{network.pk}/annual-report/{YEAR}/"
    regional_url = f"{live_server.url}/regions/{region.pk}/annual-report/{YEAR}/"

    serve_figures_one_at_a_time(page)

    # --- The leader writes and submits the network's report -----------------------------------------------------
    login_in_english(login, page, "leader")
    page.goto(network_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual report {YEAR}: {network.name}")
    expect(page.locator("#report-status")).to_contain_text("Not started")
    expect(page.get_by_text("Nothing has been written for this year yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Write the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual report {YEAR}: {network.name}")
    assert_accessible(page)

    # The same task in two ranks: the error summary names it, and the page stays accessible.
    page.get_by_label("Most central task", exact=True).select_option(label="Task 2")
    page.get_by_label("Second most central task", exact=True).select_option(label="Task 2")
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was saved. Correct the following:")
    expect(summary.get_by_role("link", name="Second most central task: Rank each task only once.")).to_be_visible()
    assert_accessible(page)
    assert not NetworkReport.objects.filter(network=network, rankings__isnull=False).exists()

    page.get_by_label("Most central task", exact=True).select_option(label="Task 2")
    page.get_by_label("Second most central task", exact=True).select_option(label="Task 1")
    page.get_by_label("Third most central task", exact=True).select_option(label="Task 3")
    page.get_by_label("The year's central work").fill("Revisjon av sedasjonsprosedyren og felles pasientforløp.")
    registry = page.get_by_role("group", name=re.compile("^Were quality-registry, health-atlas or other data"))
    registry.get_by_label("Yes").check()
    page.get_by_label("Which data, and what came of it").fill("Norsk intensiv- og pandemiregister, årsrapport.")
    page.get_by_role("group", name="What worked well").get_by_label("Good attendance from every health trust").check()
    page.get_by_role("group", name="What should improve").get_by_label(
        "More time between meetings for preparation"
    ).check()
    page.get_by_label("What worked well, in your own words").fill("Godt samarbeid på tvers av foretakene.")
    page.get_by_label("Priorities for next year").fill("Felles prosedyre for delirium.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("The report was saved.")).to_be_visible()
    expect(page.locator("#report-status")).to_contain_text("Draft")
    facts = page.locator("#report-facts")
    held = facts.locator("div").filter(has=page.get_by_role("term").filter(has_text=re.compile("^Meetings held$")))
    expect(held.get_by_role("definition")).to_contain_text(re.compile(r"^\s*3\s+\(minimum 4\)"))
    expect(held.get_by_role("definition")).to_contain_text("Below the minimum")
    forms = facts.locator("div").filter(has=page.get_by_role("term").filter(has_text="Digital / physical / hybrid"))
    expect(forms.get_by_role("definition")).to_have_text("1 / 1 / 1")
    expect(page.locator("#ranking").get_by_role("listitem")).to_have_text(["Task 2", "Task 1", "Task 3"])
    expect(page.get_by_text("Yes, reviewed in the network.")).to_be_visible()
    expect(page.get_by_text("Good attendance from every health trust")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Submit to the coordinator").click()
    expect(page.get_by_text("The report was submitted to the coordinator.")).to_be_visible()
    status = page.locator("#report-status")
    expect(status).to_contain_text("Submitted")
    expect(status).to_contain_text("Submitted by Leader Testesen")
    expect(page.get_by_text("As they stood when the report was submitted.")).to_be_visible()
    expect(page.get_by_role("link", name="Edit the report")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit to the coordinator")).to_have_count(0)
    assert_accessible(page)
    report = NetworkReport.objects.get(network=network, year=YEAR)
    assert report.status == NetworkReport.Status.SUBMITTED
    assert report.facts["meetings"]["held"] == 3

    # --- The coordinator accepts it and compiles the regional report ---------------------------------------------
    login_in_english(login, page, "coordinator")
    page.goto(regional_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual report {YEAR}")
    expect(page.locator("#submission-count")).to_have_text("1 of 2 networks have submitted their report.")
    statuses = page.get_by_role("table", name="Status of each network's report")
    expect(statuses.get_by_role("row", name=network.name)).to_contain_text("Submitted")
    expect(statuses.get_by_role("row", name=other.name)).to_contain_text("Not started")
    assert_accessible(page)

    statuses.get_by_role("link", name=network.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual report {YEAR}: {network.name}")
    assert_accessible(page)
    page.get_by_role("button", name="Accept the report").click()
    expect(page.get_by_text(f"The report of {network.name} was accepted.")).to_be_visible()
    expect(page.locator("#report-status")).to_contain_text("Accepted by Coordinator Testesen")
    assert_accessible(page)

    page.goto(regional_url)
    expect(statuses.get_by_role("row", name=network.name)).to_contain_text("Accepted")
    expect(page.get_by_text("Nothing has been written yet.")).to_be_visible()
    page.get_by_role("link", name="Start writing the report").click()
    assert_accessible(page)
    page.get_by_label("Introduction").fill("Fagnettverkene i regionen har hatt et aktivt år.")
    page.get_by_label("Meetings and activities").fill("Møtene har i hovedsak vært digitale.")
    page.get_by_label("Summary").fill("Nettverkene fungerer godt.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The report was saved.")).to_be_visible()
    expect(page.get_by_text("Fagnettverkene i regionen har hatt et aktivt år.")).to_be_visible()
    expect(page.locator("#report-approval")).to_contain_text("Draft – not approved · version 1")
    assert_accessible(page)

    figure_1 = page.locator("#figure-1").get_by_role("img")
    expect(figure_1).to_have_attribute(
        "alt", re.compile(rf"2 networks held in {YEAR - 2}–{YEAR}\. Meetings in all: .*{YEAR}: 3\. 1 of 2 networks")
    )
    figure_2 = page.locator("#figure-2").get_by_role("img")
    expect(figure_2).to_have_attribute("alt", re.compile(r"Task 2: ranked highest by 1 network\b"))
    for figure in (figure_1, figure_2):
        figure.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=figure.element_handle())
        assert figure.evaluate("img => img.naturalWidth") > 0

    # An appendix is built when it is opened: htmx fetches it into the page on the first toggle.
    appendix = page.locator("details.appendix").first
    expect(appendix.locator("summary")).to_have_text(f"Appendix 1: {network.name}")
    expect(appendix.get_by_role("heading", name="Priorities for next year")).to_have_count(0)
    appendix.locator("summary").click()
    expect(appendix.get_by_role("heading", level=4, name="Priorities for next year")).to_be_visible()
    expect(appendix).to_contain_text("Felles prosedyre for delirium.")
    assert_accessible(page)

    # The button starts a job and leads to its page (the tests' backend has run it already), which offers the file.
    report_page = page.url
    page.get_by_role("button", name="The report as Word (DOCX)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(DOCX)")
    expect(page.get_by_text("The file is ready.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download arsrapport-ra-{YEAR}-v1.docx").click()
    download = download_info.value
    assert download.suggested_filename == f"arsrapport-ra-{YEAR}-v1.docx"
    with open(download.path(), "rb") as file:
        docx = Document(io.BytesIO(file.read()))
    headings = [p.text for p in docx.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert f"Appendix 1: {network.name}" in headings
    assert "Introduction" in headings
    assert "Fagnettverkene i regionen har hatt et aktivt år." in [p.text for p in docx.paragraphs]

    page.goto(report_page)
    page.get_by_role("button", name="The report as PDF").click()
    expect(page.get_by_text("The file is ready.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download arsrapport-ra-{YEAR}-v1.pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"arsrapport-ra-{YEAR}-v1.pdf"
    with open(download.path(), "rb") as file:
        pdf = PdfReader(io.BytesIO(file.read()))
    assert pdf.trailer["/Root"].get("/Lang") == "en"  # the document's language is the reader's
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert f"Appendix 1: {network.name}" in text
    assert f"Not reported: {other.name}" in text
    page.goto(f"{live_server.url}/downloads/")  # My downloads lists both, with the time they are kept
    expect(page.get_by_role("link", name=re.compile(r"\(PDF\)$"))).to_be_visible()
    assert_accessible(page)

    # --- The director records the approval ------------------------------------------------------------------
    today = timezone.localdate()
    login_in_english(login, page, "director")
    page.goto(regional_url)
    assert_accessible(page)
    page.get_by_role("link", name="Record the approval").click()
    missing = f"1 network has not submitted its report; the report names it: {other.name}"
    expect(page.get_by_text(missing)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Approved on").fill((today + datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record the approval and lock").click()
    expect(page.get_by_role("alert")).to_contain_text("The date cannot be in the future.")
    assert_accessible(page)
    page.get_by_label("Approved by").fill("Fagdirektørmøtet i Region A")
    page.get_by_label("Approved on").fill(today.isoformat())
    page.get_by_role("button", name="Record the approval and lock").click()

    with translation.override("en"):
        approved_on = formats.date_format(today, "SHORT_DATE_FORMAT")
    expect(page.get_by_text("The approval was recorded; version 1 is locked.")).to_be_visible()
    approval = page.locator("#report-approval")
    expect(approval).to_contain_text(f"Approved by Fagdirektørmøtet i Region A on {approved_on}")
    expect(page.get_by_text("This version is locked")).to_be_visible()
    expect(page.get_by_role("link", name="Record the approval")).to_have_count(0)
    assert_accessible(page)
    approved = RegionalReport.objects.get(region=region, year=YEAR)
    assert approved.status == RegionalReport.Status.APPROVED
    assert approved.approved_on == today

    # --- The coordinator can no longer edit that version ----------------------------------------------------------
    login_in_english(login, page, "coordinator")
    page.goto(regional_url)
    expect(page.locator("#report-approval")).to_contain_text("Approved")
    expect(page.get_by_role("link", name="Edit the text")).to_have_count(0)
    expect(page.get_by_role("button", name="Make a new version")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{regional_url}edit/")  # the edit address itself sends the coordinator back to the locked version
    expect(page.get_by_text("This version is approved and locked. Make a new version to change it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual report {YEAR}")
    assert RegionalReport.objects.get(region=region, year=YEAR).lock_version == approved.lock_version
