"""The registers end to end: the secretary registers a procedure and publishes it; the coordinator records a
grant; the secretary records an expense and sees the balance. axe-core runs on every page.

The Norwegian catalogue for these pages is compiled later, so after each login the test clicks "English" in the
header and reads the English texts.
"""

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from fagnett.budget.models import Expense, Grant
from fagnett.procedures.models import Procedure
from tests.browser.conftest import assert_accessible
from tests.factories import World


def login_in_english(login: Callable[[str], Page], page: Page, username: str) -> None:
    page.context.clear_cookies()  # log out and forget the language, so the Norwegian login form is used
    login(username)
    english = page.get_by_role("button", name="English")
    if english.count():  # the person's language is remembered from their last visit
        english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_procedure_and_budget_registers(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    network = browser_world.network

    login_in_english(login, page, "secretary")
    page.goto(f"{live_server.url}/networks/{network.pk}/procedures/")
    expect(page.get_by_role("heading", name=f"Procedures and pathways: {network.name}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New procedure or pathway").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()  # nothing filled in: errors, nothing saved
    expect(page.locator(".ds-error-summary, [role=alert]").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill("Sedasjon av voksne intensivpasienter")
    page.get_by_label("Link to the document").fill("https://example.org/prosedyre/sedasjon")
    page.get_by_label("Responsible person").select_option(label=str(browser_world["member"]))
    page.get_by_label("Review date").fill("2028-05-01")
    page.get_by_label(re.compile(r"^Status")).select_option(label="In progress")
    page.get_by_label("Date of the status").fill("2025-02-03")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sedasjon av voksne intensivpasienter was added to the register.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change status").click()
    assert_accessible(page)
    page.get_by_role("radio", name="Published").check()
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("Sedasjon av voksne intensivpasienter is now published.")).to_be_visible()
    expect(page.get_by_role("table").get_by_text("Published")).to_be_visible()
    assert_accessible(page)
    assert Procedure.objects.get().status == "published"

    login_in_english(login, page, "coordinator")
    page.goto(f"{live_server.url}/networks/{network.pk}/budget/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a grant").click()
    assert_accessible(page)
    page.get_by_label("Amount (NOK)").fill("750000")
    page.get_by_label("Period starts").fill("2024-03-01")
    page.get_by_label("Period ends").fill("2030-12-31")
    page.get_by_label("Source").fill("Helse Midt-Norges fagmidler")
    page.get_by_role("button", name="Record the grant").click()
    expect(page.get_by_text("The grant was recorded.")).to_be_visible()
    assert_accessible(page)
    assert Grant.objects.get().amount == 750_000
    page.goto(f"{live_server.url}/procedures/overview/?year=2025")
    expect(page.get_by_role("cell", name="1").first).to_be_visible()
    assert_accessible(page)

    login_in_english(login, page, "secretary")
    page.goto(f"{live_server.url}/networks/{network.pk}/budget/")
    page.get_by_role("link", name="Record an expense").click()
    assert_accessible(page)
    page.get_by_label("Kind").select_option(label="Catering")
    page.get_by_label("Amount (NOK)").fill("-5")
    page.get_by_label("Description").fill("Servering på fysisk samling")
    page.get_by_role("button", name="Record the expense").click()
    expect(page.get_by_text("The amount must be more than zero.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Amount (NOK)").fill("12000")
    page.get_by_role("button", name="Record the expense").click()
    expect(page.get_by_text("The expense was recorded. 738,000 kr is left of the grant.")).to_be_visible()
    expect(page.locator("#balance")).to_contain_text("NOK 738,000")
    assert_accessible(page)
    assert Expense.objects.get().amount == 12_000
