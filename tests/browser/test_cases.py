"""A case end to end: submitted without a network, routed, accepted, escalated without consensus, decided.

Each person logs in through the Norwegian login form and then switches to English with the header's
"English" button, so the steps below find elements by the English texts (the msgids).
"""

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from fagnett.cases.models import Case
from tests.browser.conftest import assert_accessible
from tests.factories import World


def test_a_case_from_submission_to_decision(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    def log_in_in_english(username: str) -> None:
        page.context.clear_cookies()  # the language cookie of the previous person would translate the login form
        login(username)
        english = page.get_by_role("button", name="English")
        if english.count():  # a person who chose English before keeps it
            english.click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

    # The employee submits a case without knowing which network should have it.
    log_in_in_english("employee")
    page.goto(f"{live_server.url}/cases/new/")
    expect(page.get_by_role("heading", name="Submit a case", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit the case").click()  # nothing filled in: a clear message
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_label("Network")).to_have_value("")  # "I don't know which network"
    page.get_by_label("Title").fill("Ulik praksis for overflytting til intensiv")
    page.get_by_label("Description").fill("Sykehusene bruker ulike kriterier når pasienter flyttes til intensiv.")
    page.get_by_label("What is wanted").fill("En felles regional anbefaling.")
    page.get_by_role("button", name="Submit the case").click()
    expect(page.get_by_text("The regional coordinator will send your case to the right network")).to_be_visible()
    expect(page.get_by_role("heading", name="Ulik praksis for overflytting til intensiv")).to_be_visible()
    assert_accessible(page)
    case = Case.objects.get()
    assert case.network is None
    case_url = f"{live_server.url}/cases/{case.pk}/"
    page.get_by_role("button", name="Log out").click()

    # The coordinator routes it to the network.
    log_in_in_english("coordinator")
    page.goto(f"{live_server.url}/cases/to-route/")
    expect(page.get_by_text("1 case", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ulik praksis for overflytting til intensiv").click()
    assert_accessible(page)
    page.get_by_role("link", name="Route to a network").click()
    assert_accessible(page)
    page.get_by_role("combobox", name="Network").select_option(label="Anestesi og intensiv")
    page.get_by_label("Note to the network").fill("Haster før styremøtet.")
    page.get_by_role("button", name="Send to the network").click()
    expect(page.get_by_text("has got its case number")).to_be_visible()
    case.refresh_from_db()
    expect(page.get_by_text(f"Case {case.reference}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()

    # The leader accepts it, and the network gives its recommendation without consensus.
    log_in_in_english("leader")
    page.goto(f"{live_server.url}/cases/network/{browser_world.network.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Ulik praksis for overflytting til intensiv").click()
    page.get_by_role("link", name="Accept or decline").click()
    assert_accessible(page)
    page.get_by_role("radio", name="Accept the case").check()
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_text("The answer was recorded.")).to_be_visible()
    page.get_by_role("link", name="Give recommendation").click()
    assert_accessible(page)
    page.get_by_label("Recommendation").fill("Felles kriterier etter modell fra St. Olavs.")
    page.get_by_role("radio", name="No consensus: escalate").check()
    page.get_by_role("button", name="Record the recommendation").click()  # the other view is missing
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Other view").fill("Lokale kriterier til ny intensivavdeling er på plass.")
    page.get_by_role("radio", name="The medical director").check()
    page.get_by_role("button", name="Record the recommendation").click()
    expect(page.get_by_text("The recommendation was recorded.")).to_be_visible()
    expect(page.get_by_text("Escalated for a decision in the line: The medical director.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()

    # The medical director records the decision made in the line.
    log_in_in_english("director")
    page.goto(case_url)
    assert_accessible(page)
    page.get_by_role("link", name="Record the decision").click()
    assert_accessible(page)
    page.get_by_label("Decision").fill("Felles kriterier innføres fra 1. mars; lokal tilpasning vurderes om ett år.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision was recorded.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The submitter sees the outcome.
    log_in_in_english("employee")
    page.goto(f"{live_server.url}/cases/mine/")
    assert_accessible(page)
    page.get_by_role("link", name="Ulik praksis for overflytting til intensiv").click()
    outcome = page.get_by_role("region", name="Outcome")
    expect(outcome.get_by_text("Felles kriterier etter modell fra St. Olavs.")).to_be_visible()
    expect(outcome.get_by_text("Lokale kriterier til ny intensivavdeling er på plass.")).to_be_visible()
    expect(outcome.get_by_text("Felles kriterier innføres fra 1. mars")).to_be_visible()
    expect(page.locator(".ds-tag", has_text="Decision recorded").first).to_be_visible()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == Case.Status.DECISION_RECORDED


def test_the_coordinator_sends_a_common_case_and_follows_the_answers(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    login("coordinator")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}/cases/common/")
    assert_accessible(page)
    page.get_by_role("link", name="Send a common case").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Innspill til nasjonale prioriteringsveiledere")
    page.get_by_label("Description").fill("Helsedirektoratet reviderer veilederne. Gi innspill for eget fagområde.")
    page.get_by_role("checkbox", name="Send to all the region's networks").check()
    page.get_by_role("button", name="Send the common case").click()
    expect(page.get_by_text("The common case was sent to the networks.")).to_be_visible()
    matrix = page.get_by_role("table", name="Which networks have answered the common case")
    expect(matrix.get_by_role("row")).to_have_count(3)  # header + the region's two networks
    expect(page.get_by_text("0 of 2 networks")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Cases", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Assign a task").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send the task").click()
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    assert_accessible(page)
