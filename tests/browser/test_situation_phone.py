"""A situation report on a phone (issue 21, item 7): at 375 px a trust's reporter opens the unit's short form from the
capacity page, is told plainly what is wrong, saves, and sees the report on the region's "now" view with its age.
Axe-core finds nothing on any page; the fields bring up a numeric keyboard and are big enough to hit with a thumb;
nothing scrolls sideways. The same form works with JavaScript off."""

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, Page, expect

from fagnett.capacity.situation_models import SituationReport
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, World

PHONE = {"width": 375, "height": 812}
#: WCAG 2.5.5 (target size, enhanced): 44 × 44 CSS pixels
TARGET = 44


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def _big_enough(page: Page, selector: str) -> None:
    for box in [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]:
        assert box is not None and box["height"] >= TARGET, (selector, box)


def test_a_reporter_files_a_situation_report_on_a_phone_and_sees_it_now(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    unit = units_of(browser_world)[0]
    round_ = make_round(browser_world.region_a, network=browser_world.network)
    make_entry(round_, unit, "K3", "normal", physical_beds=10, staffed_beds=8)  # the unit has K3 beds only
    make_entry(round_, unit, "K2", "normal", physical_beds=0, staffed_beds=0)
    base = live_server.url
    page.set_viewport_size(PHONE)
    login("reporter")

    page.goto(f"{base}/capacity/")
    page.get_by_role("link", name="Rapporter situasjonen nå").click()
    page.wait_for_url(f"{base}/capacity/situation/")
    expect(page.get_by_role("main")).to_contain_text("ingen ennå")
    assert_accessible(page)
    _fits_the_screen(page)
    _big_enough(page, "main a.situation-unit__action")
    page.get_by_role("link", name=f"Rapporter situasjonen for {unit.name}").click()

    page.wait_for_url(f"{base}/capacity/situation/units/{unit.pk}/")
    staffed = page.get_by_label("Bemannede senger, K3")
    occupied = page.get_by_label("Belagte senger, K3")
    expect(page.locator("main input[inputmode=numeric]")).to_have_count(2)  # K3 only: the unit's category
    assert_accessible(page)
    _fits_the_screen(page)
    _big_enough(page, "main input[inputmode=numeric]")
    _big_enough(page, "main button[type=submit]")

    # More occupied than staffed beds: refused, said in plain Norwegian, nothing saved.
    staffed.fill("8")
    occupied.fill("9")
    page.get_by_role("button", name="Lagre situasjonsrapporten").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text(
        "Belagte senger, K3: Belagte senger (9) kan ikke være flere enn bemannede senger (8)."
    )
    assert_accessible(page)
    _fits_the_screen(page)
    assert not SituationReport.objects.exists()

    occupied.fill("6")
    page.get_by_role("button", name="Lagre situasjonsrapporten").click()
    page.wait_for_url(f"{base}/capacity/situation/")
    expect(page.get_by_role("main")).to_contain_text(f"Situasjonsrapporten for {unit.name} er lagret.")
    expect(page.locator("main .situation-age time")).to_have_text("akkurat nå")
    assert_accessible(page)
    report = SituationReport.objects.get()
    assert [(x.category, x.staffed_beds, x.occupied_beds) for x in report.lines.all()] == [("K3", 8, 6)]
    assert report.filed_by is not None and report.filed_by.username == "reporter"

    # The region's "now" view: the unit's numbers with the report's age and exact time.
    page.get_by_role("link", name="Situasjonen nå i Region A RHF").click()
    page.wait_for_url(f"{base}/capacity/regions/{browser_world.region_a.pk}/now/")
    expect(page.locator("#situation-completeness")).to_contain_text("1 av 3 enheter har en situasjonsrapport.")
    row = page.locator("#situation-units tr").filter(has_text=unit.name)
    expect(row).to_contain_text("6 / 8")
    age = row.locator("time")
    expect(age).to_have_text("akkurat nå")
    assert (age.get_attribute("datetime") or "").startswith(str(report.filed_at.astimezone().date()))
    assert_accessible(page)


def test_the_form_works_without_javascript(browser_world: World, live_server: Any, browser: Browser) -> None:
    unit = units_of(browser_world)[0]
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="nb-NO")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Brukernavn").fill("reporter")
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/capacity/situation/units/{unit.pk}/")
        page.get_by_label("Bemannede senger, K3").fill("5")
        page.get_by_label("Belagte senger, K3").fill("5")
        page.get_by_label("Bemannede senger, K2").fill("3")
        page.get_by_role("button", name="Lagre situasjonsrapporten").click()
        expect(page.locator("#error-summary")).to_contain_text("Belagte senger, K2: Fyll inn både bemannede og belagte")
        assert not SituationReport.objects.exists()
        page.get_by_label("Bemannede senger, K2").fill("")
        page.get_by_role("button", name="Lagre situasjonsrapporten").click()
        page.wait_for_url(f"{live_server.url}/capacity/situation/")
        assert [(x.category, x.occupied_beds) for x in SituationReport.objects.get().lines.all()] == [("K3", 5)]
    finally:
        context.close()
