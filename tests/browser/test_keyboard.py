"""The main tasks with the keyboard alone (issue 10, part 2): Tab, Shift+Tab, Enter, Space, arrow keys and typing.

Nothing is clicked and no field is filled by a selector: focus is moved with Tab only, and locators serve only to
check where the focus is and what the page shows. Each page reached runs axe-core, and every element the focus
lands on must show a visible focus indicator.
"""

import datetime
from typing import Any

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from fagnett.capacity.models import CapacityEntry
from fagnett.capacity.tests.factories import make_round, units_of
from fagnett.cases.models import Case
from fagnett.meetings.models import AgendaItem, Meeting, Minutes
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.browser.a11y import focus_problem
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, World


def has_focus(target: Locator) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def assert_focus_visible(page: Page) -> None:
    problem = focus_problem(page)
    assert not problem, problem


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus, checking on the way that focus is always visible."""
    key = "Shift+Tab" if backwards else "Tab"
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if has_focus(target):
            return
    raise AssertionError(f"{target} was not reached with {limit} presses of {key}")


def log_in(page: Page, base: str, username: str) -> None:
    """The login form by keyboard: the username field has the focus when the page opens."""
    page.goto(f"{base}/accounts/login/")
    assert has_focus(page.get_by_label("Brukernavn"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert has_focus(page.get_by_label("Passord"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def log_out(page: Page, base: str) -> None:
    tab_to(page, page.get_by_role("button", name="Logg ut"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/accounts/login/**")


def press_and_wait(page: Page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_skip_link_moves_focus_to_the_main_content(browser_world: World, live_server: Any, page: Page) -> None:
    log_in(page, live_server.url, "member")
    page.keyboard.press("Tab")
    skip = page.locator("a.ds-skip-link")
    assert has_focus(skip)
    expect(skip).to_be_visible()
    expect(skip).to_have_accessible_name("Hopp til hovedinnhold")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes to the first link in the main content, past the header's menu.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")
    assert_focus_visible(page)


def test_a_member_submits_a_case_with_the_keyboard(browser_world: World, live_server: Any, page: Page) -> None:
    base = live_server.url
    log_in(page, base, "member")
    tab_to(page, page.locator("a.site-submit"))  # "Meld en sak" in the header
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", name="Meld en sak", level=1)).to_be_visible()
    assert_accessible(page)

    # Choose the network by typing its first letters into the list.
    network = page.get_by_label("Nettverk", exact=True)
    tab_to(page, network)
    page.keyboard.type("Anestesi")
    expect(network.locator("option:checked")).to_have_text("Anestesi og intensiv (RA)")
    # The title is forgotten on purpose: the error summary must lead back to it.
    tab_to(page, page.get_by_label("Beskrivelse"))
    page.keyboard.type("Vi ønsker en felles regional prosedyre for sedasjon av voksne på intensiv.")
    page.keyboard.press("Tab")
    page.keyboard.type("En anbefaling fra nettverket innen sommeren.")
    tab_to(page, page.get_by_role("button", name="Meld inn saken"))
    press_and_wait(page, "Enter")
    # The error summary has the focus (and is read first); the next Tab reaches its link to the field.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    assert has_focus(summary)
    assert_focus_visible(page)
    assert not Case.objects.exists()
    title = page.get_by_label("Tittel")
    expect(title).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Tab")
    assert has_focus(summary.get_by_role("link", name="Tittel"))
    assert_accessible(page)
    page.keyboard.press("Enter")
    assert has_focus(title)  # the summary's link takes the focus to the field in error
    page.keyboard.type("Felles sedasjonsprosedyre")
    tab_to(page, page.get_by_role("button", name="Meld inn saken"))
    press_and_wait(page, "Space")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Felles sedasjonsprosedyre")
    assert_accessible(page)
    case = Case.objects.get()
    assert (case.title, case.network, case.submitted_by.username) == (
        "Felles sedasjonsprosedyre",
        browser_world.network,
        "member",
    )


def test_the_secretary_writes_the_minutes_and_the_leader_approves_with_the_keyboard(
    browser_world: World, live_server: Any, page: Page
) -> None:
    base = live_server.url
    meeting = make_meeting(browser_world.network, days=-2, status=Meeting.Status.HELD)
    add_items(meeting, "Godkjenning av innkalling og saksliste", "Sedasjonsprosedyren")
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2

    log_in(page, base, "secretary")
    page.goto(f"{base}{meeting.get_absolute_url()}")  # the meeting page, as from a bookmark
    tab_to(page, page.get_by_role("button", name="Skriv referatet"))
    press_and_wait(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referat")
    assert_accessible(page)

    tab_to(page, page.get_by_label("1. Godkjenning av innkalling og saksliste – referat"))
    page.keyboard.type("Innkalling og saksliste ble godkjent.")
    tab_to(page, page.get_by_label("2. Sedasjonsprosedyren – referat"))
    page.keyboard.type("Utkastet ble gjennomgått.")
    page.keyboard.press("Tab")
    assert has_focus(page.get_by_label("2. Sedasjonsprosedyren – konklusjon eller anbefaling"))
    page.keyboard.type("Sendes på høring til helseforetakene.")
    # Back to the summary of the same item with Shift+Tab, to add a sentence at its end.
    summary = page.get_by_label("2. Sedasjonsprosedyren – referat")
    tab_to(page, summary, backwards=True)
    page.keyboard.press("End")
    page.keyboard.type(" Ingen innvendinger.")
    expect(summary).to_have_value("Utkastet ble gjennomgått. Ingen innvendinger.")
    tab_to(page, page.get_by_role("button", name="Lagre referatet"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Referatet er lagret.")).to_be_visible()
    # The deadline for comments is filled in (a week from today): send the minutes for comments.
    expect(page.get_by_label("Kommentarer innen")).to_have_value(
        (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    )
    tab_to(page, page.get_by_role("button", name="Send til medlemmene for kommentarer"))
    press_and_wait(page, "Enter")
    expect(page.get_by_text("Referatet er sendt til medlemmene for kommentarer.")).to_be_visible()
    assert_accessible(page)
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == Minutes.Status.CIRCULATED
    log_out(page, base)

    log_in(page, base, "leader")
    page.goto(f"{base}{minutes.get_absolute_url()}")
    expect(page.get_by_text("Utkastet ble gjennomgått. Ingen innvendinger.")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Godkjenn referatet"))
    press_and_wait(page, "Space")
    expect(page.get_by_text("Referatet er godkjent og låst.")).to_be_visible()
    assert_accessible(page)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED
    assert minutes.approved_by.username == "leader"


def test_a_capacity_reporter_files_an_entry_with_the_keyboard(
    browser_world: World, live_server: Any, page: Page
) -> None:
    base = live_server.url
    round_ = make_round(browser_world.region_a, network=browser_world.network)
    unit = units_of(browser_world)[0]

    log_in(page, base, "reporter")
    tab_to(page, page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Intensivkapasitet"))
    press_and_wait(page, "Enter")
    assert_accessible(page)
    tab_to(page, page.locator(f"main a[href='/capacity/rounds/{round_.pk}/']").first)
    press_and_wait(page, "Enter")
    tab_to(page, page.locator(f"main a[href='/capacity/rounds/{round_.pk}/units/{unit.pk}/']").first)
    press_and_wait(page, "Enter")
    assert_accessible(page)
    tab_to(page, page.locator(f"a[href='/capacity/rounds/{round_.pk}/units/{unit.pk}/K3/normal/']"))
    press_and_wait(page, "Enter")
    assert_accessible(page)

    tab_to(page, page.locator("#id_physical_beds"))
    page.keyboard.type("10")
    tab_to(page, page.locator("#id_staffed_beds"))
    page.keyboard.type("8")
    tab_to(page, page.locator("#id_ventilated_beds"))
    page.keyboard.type("6")
    status = page.locator("#id_status")
    tab_to(page, status)
    # Arrow keys move through the list of statuses until "limited" is chosen.
    for _ in range(len(status.locator("option").all())):
        if status.input_value() == "limited":
            break
        page.keyboard.press("ArrowDown")
    expect(status).to_have_value("limited")
    staff = page.locator("input[name=restrictions][value=staff]")
    tab_to(page, staff)
    page.keyboard.press("Space")
    expect(staff).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Lagre registreringen"))
    press_and_wait(page, "Enter")
    page.wait_for_url(f"{base}/capacity/rounds/{round_.pk}/units/{unit.pk}/")
    expect(page.locator("main table").first).to_contain_text("8 / 10")
    assert_accessible(page)
    entry = CapacityEntry.objects.get(round=round_, unit=unit, category="K3", scenario="normal")
    assert (entry.physical_beds, entry.staffed_beds, entry.ventilated_beds, entry.status, entry.restrictions) == (
        10,
        8,
        6,
        "limited",
        ["staff"],
    )
