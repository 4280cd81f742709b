"""Fagnett on a phone (issue 20, item 7): at 375 px the header's menu folds behind a button that the keyboard opens
and closes, and a case list reads as one card per case with every value labelled by its column — still a table for
screen readers. Without JavaScript the menu is open and the table scrolls sideways. English dates are British."""

import datetime
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, World

PHONE = {"width": 375, "height": 812}


def has_focus(target: Locator) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if has_focus(target):
            return
    raise AssertionError(f"Tab never reached {target}")


def cases_for_the_list(world: World) -> None:
    make_case(world, title="Felles rutine for overflytting", due_date=datetime.date(2027, 2, 9))
    make_case(world, status=Case.Status.ACCEPTED, title="Bemanning av intensivsenger om sommeren")


def test_the_menu_folds_and_the_keyboard_opens_and_closes_it(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    cases_for_the_list(browser_world)
    page.set_viewport_size(PHONE)
    login("leader")
    menu_button = page.get_by_role("button", name="Meny")
    cases_link = page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Saker")
    log_out = page.get_by_role("button", name="Logg ut")
    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_have_attribute("aria-controls", "site-nav site-tools")
    expect(cases_link).to_be_hidden()
    expect(log_out).to_be_hidden()
    assert_accessible(page)

    # Enter opens it; Escape closes it and leaves the focus on the button.
    tab_to(page, menu_button)
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(cases_link).to_be_visible()
    expect(log_out).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(cases_link).to_be_hidden()
    assert has_focus(menu_button)

    # Space opens it too, and Escape from a link inside the menu brings the focus back to the button.
    page.keyboard.press("Space")
    expect(cases_link).to_be_visible()
    tab_to(page, cases_link)
    page.keyboard.press("Escape")
    expect(cases_link).to_be_hidden()
    assert has_focus(menu_button)
    page.keyboard.press("Enter")  # the button: open again
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")  # and closed again: it toggles
    expect(menu_button).to_have_attribute("aria-expanded", "false")

    # Through the menu to the cases, by keyboard alone.
    page.keyboard.press("Space")
    tab_to(page, cases_link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/cases/**")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # On a wide screen there is no button and the menu is simply there.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("button", name="Meny")).to_be_hidden()
    expect(cases_link).to_be_visible()


def test_a_case_list_reads_as_cards_labelled_by_their_columns(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    cases_for_the_list(browser_world)
    page.set_viewport_size(PHONE)
    login("leader")
    page.goto(f"{live_server.url}/cases/")
    table = page.get_by_role("table", name="Saker som passer søket")
    expect(table).to_be_visible()
    assert_accessible(page)

    row = table.get_by_role("row").filter(has_text="Felles rutine for overflytting")
    number_cell, title_cell = row.get_by_role("cell").nth(0), row.get_by_role("cell").nth(1)
    due_cell = row.get_by_role("cell").nth(5)
    expect(number_cell).to_have_attribute("data-label", "Saksnummer")
    expect(due_cell).to_have_attribute("data-label", "Svar ønskes innen")
    expect(due_cell).to_contain_text("09.02.2027")
    # Each label is drawn before its value, the cells stack in one column, and the table fits the screen.
    label = due_cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert "Svar ønskes innen" in label
    assert number_cell.evaluate("el => getComputedStyle(el).display") == "block"
    first, second = number_cell.bounding_box(), title_cell.bounding_box()
    assert first and second
    assert second["y"] >= first["y"] + first["height"] - 1
    assert abs(second["x"] - first["x"]) < 1
    assert first["width"] > 250  # a card as wide as the screen, not a narrow column
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The header row is out of sight but still names the columns for a screen reader.
    expect(table.get_by_role("columnheader", name="Saksnummer")).to_be_attached()
    assert table.locator("thead").evaluate("el => el.getBoundingClientRect().height") <= 1

    # A wide screen shows the same table as a table again.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert number_cell.evaluate("el => getComputedStyle(el).display") == "table-cell"
    assert due_cell.evaluate("el => getComputedStyle(el, '::before').content") == "none"

    # In English the labels are English and the date British.
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Meny").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    table = page.get_by_role("table", name="Cases matching the search")
    due_cell = table.get_by_role("row").filter(has_text="Felles rutine for overflytting").get_by_role("cell").nth(5)
    expect(due_cell).to_have_attribute("data-label", "Answer wanted by")
    expect(due_cell).to_contain_text("09/02/2027")
    assert_accessible(page)


def test_without_javascript_the_menu_is_open_and_tables_scroll(
    browser_world: World, live_server: Any, browser: Browser
) -> None:
    cases_for_the_list(browser_world)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="nb-NO")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Brukernavn").fill("leader")
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{live_server.url}/")
        expect(page.get_by_role("button", name="Meny")).to_be_hidden()
        expect(page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Saker")).to_be_visible()
        page.goto(f"{live_server.url}/cases/")
        cell = page.get_by_role("table", name="Saker som passer søket").get_by_role("cell").first
        assert cell.get_attribute("data-label") is None
        assert cell.evaluate("el => getComputedStyle(el).display") == "table-cell"
        scroller = page.locator(".table-scroll").first
        assert scroller.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    finally:
        context.close()
