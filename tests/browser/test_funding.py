"""Regional funding end to end: the coordinator opens the year's call; the network's leader applies with two budget
lines and submits; the fagsjef of the leader's trust endorses; the coordinator grants, and the grant is on the
network's budget page. axe-core runs on every page visited.

The Norwegian catalogue for these pages is compiled later, so after each login the test clicks "English" in the
header and reads the English texts.
"""

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from fagnett.accounts.models import TrustRole
from fagnett.budget.models import Grant
from fagnett.funding.models import Application, FundingCall
from tests.browser.conftest import assert_accessible
from tests.factories import World, make_user


def login_in_english(login: Callable[[str], Page], page: Page, username: str) -> None:
    page.context.clear_cookies()  # log out and forget the language, so the Norwegian login form is used
    login(username)
    english = page.get_by_role("button", name="English")
    if english.count():  # the person's language is remembered from their last visit
        english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_apply_endorse_grant_and_see_the_grant_in_the_budget(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    network = browser_world.network
    trust = browser_world.trusts_a[0]  # the leader's trust
    fagsjef = make_user("fagsjef_a1", trust=trust)
    TrustRole.objects.create(user=fagsjef, trust=trust, role=TrustRole.Role.FAGSJEF)
    year = timezone.localdate().year + 1
    title = f"Regionale fagmidler {year}"
    deadline = timezone.localdate() + datetime.timedelta(days=30)

    # The coordinator opens the call.
    login_in_english(login, page, "coordinator")
    page.goto(f"{live_server.url}/funding/")
    assert_accessible(page)
    page.get_by_role("link", name="New call").click()
    assert_accessible(page)
    page.get_by_label("Year").fill(str(year))
    page.get_by_label("Title").fill(title)
    page.get_by_label("Deadline").fill(deadline.isoformat())
    page.get_by_label("Amount available (NOK)").fill("1000000")
    page.get_by_role("button", name="Create the call").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    assert_accessible(page)
    call = FundingCall.objects.get()

    # The leader applies for the network with two budget lines, and submits.
    login_in_english(login, page, "leader")
    page.goto(f"{live_server.url}/funding/")
    page.get_by_role("link", name=f"Apply to {title}").click()
    expect(page.get_by_role("heading", name=f"Apply for {title}")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("radio", name=network.name)).to_be_checked()
    page.get_by_label("Purpose").fill("Samordne intensivtilbudet i regionen.")
    page.get_by_label("Planned activities").fill("To digitale møter og én fysisk samling.")
    page.get_by_label("Programme").fill("Mars: oppstart. Oktober: samling i Trondheim.")
    first = page.get_by_role("group", name="Budget line 1", exact=True)
    first.get_by_label("Kind").select_option(label="Leader and secretariat time")
    first.get_by_label("Description").fill("Frikjøp av sekretær, 10 % stilling")
    first.get_by_label("Amount (NOK)").fill("60000")
    second = page.get_by_role("group", name="Budget line 2", exact=True)
    second.get_by_label("Kind").select_option(label="Catering")
    second.get_by_label("Description").fill("Servering på samlingen")
    second.get_by_label("Amount (NOK)").fill("-15")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#error-summary")).to_contain_text("Budget line 2, Amount (NOK)")
    assert_accessible(page)
    assert not Application.objects.exists()
    page.get_by_role("group", name="Budget line 2", exact=True).get_by_label("Amount (NOK)").fill("15000")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The application was saved as a draft.")).to_be_visible()
    expect(page.locator("#budget-lines tfoot")).to_contain_text("75,000")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("The application was submitted.")).to_be_visible()
    assert_accessible(page)
    application = Application.objects.get()
    assert application.status == "submitted"

    # The fagsjef of the leader's trust finds it and endorses it.
    login_in_english(login, page, "fagsjef_a1")
    page.goto(f"{live_server.url}/funding/mine/")
    assert_accessible(page)
    page.locator("#awaiting").get_by_role("link", name=network.name).click()
    assert_accessible(page)
    page.get_by_role("link", name="Endorse or send back").click()
    assert_accessible(page)
    page.get_by_role("radio", name="Endorse the application").check()
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_text("The application was endorsed and sent to the region for a decision.")).to_be_visible()
    assert_accessible(page)

    # The coordinator sees it in the call's table and grants part of it.
    login_in_english(login, page, "coordinator")
    page.goto(f"{live_server.url}{call.get_absolute_url()}")
    expect(page.locator("#call-totals")).to_contain_text("75,000")
    assert_accessible(page)
    page.locator("#applications").get_by_role("link", name=network.name).click()
    page.get_by_role("link", name="Decide", exact=True).click()
    assert_accessible(page)
    page.get_by_role("radio", name="Grant", exact=True).check()
    page.get_by_label("Amount granted (NOK)").fill("70000")
    page.get_by_label("Decision reference").fill("RHF 2026/12")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"The grant is recorded in the budget of {network.name}.")).to_be_visible()
    assert_accessible(page)

    # The grant is on the network's budget page.
    page.get_by_role("link", name=re.compile(r"^The grant in the budget of")).click()
    expect(page.get_by_role("heading", name=f"Budget: {network.name}")).to_be_visible()
    grants = page.get_by_role("table", name="Grants with what is spent and left of each")
    expect(grants).to_contain_text(title)
    expect(grants).to_contain_text("70,000")
    expect(page.locator("#balance")).to_contain_text("NOK 70,000")
    assert_accessible(page)
    grant = Grant.objects.get()
    assert (grant.network, grant.amount, grant.decision_reference) == (network, 70_000, "RHF 2026/12")
