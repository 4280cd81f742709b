"""The nomination flow end to end: a fagsjef nominates, the coordinator appoints, the matrix fills."""

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from fagnett.networks.models import Appointment
from tests.browser.conftest import assert_accessible
from tests.factories import World


def test_fagsjef_nominates_a_member_and_the_coordinator_appoints(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    login("fagsjef")
    assert_accessible(page)

    page.get_by_role("link", name="Nettverk", exact=True).click()
    expect(page.get_by_role("heading", name="Nettverk", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Søk").fill("anest")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("1 nettverk")).to_be_visible()
    page.get_by_role("link", name="Anestesi og intensiv").click()
    expect(page.get_by_text("Ett helseforetak har ikke noe oppnevnt medlem")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Nominer et medlem").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send nominasjonen").click()  # nothing chosen: a clear message
    expect(page.get_by_text("Ingenting ble lagret")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("combobox", name="Person").select_option(label="Kari Kandidat (Trust A3 HF)")
    page.get_by_label("Hvorfor denne personen").fill("Seksjonsleder med erfaring fra omstilling.")
    page.get_by_role("button", name="Send nominasjonen").click()
    expect(page.get_by_text("Kari Kandidat er nominert som medlem")).to_be_visible()
    expect(page.get_by_role("heading", name="Åpne nominasjoner")).to_have_count(0)  # the fagsjef does not decide
    assert_accessible(page)

    page.get_by_role("link", name="Region", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Nominasjoner").click()
    expect(page.get_by_role("link", name="Kari Kandidat")).to_be_visible()
    assert_accessible(page)
    assert Appointment.objects.get(person__username="candidate").status == "nominated"

    page.get_by_role("button", name="Logg ut").click()
    login("coordinator")
    page.get_by_role("link", name="1 nominasjon venter på din avgjørelse").click()  # "Til deg" on the start page
    page.get_by_role("link", name="Kari Kandidat").click()
    assert_accessible(page)
    page.get_by_role("radio", name="Oppnevn").check()
    page.get_by_role("button", name="Registrer vedtaket").click()
    expect(page.get_by_text("Kari Kandidat er oppnevnt.")).to_be_visible()

    page.goto(f"{live_server.url}/networks/{browser_world.network.pk}/")
    expect(page.get_by_text("Alle helseforetakene i regionen har minst ett oppnevnt medlem.")).to_be_visible()
    assert_accessible(page)


def test_mandate_history_and_english(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    login("coordinator")
    page.goto(f"{live_server.url}/networks/{browser_world.network.pk}/mandates/new/")
    assert_accessible(page)
    page.get_by_label("Begrunnelse for denne versjonen").fill("Fornyet periode")
    page.get_by_label("Perioden starter").fill("2028-01-01")
    page.get_by_label("Perioden slutter").fill("")
    page.get_by_role("button", name="Lagre som ny versjon").click()
    expect(page.get_by_text("Versjon 2 av mandatet er lagret.")).to_be_visible()
    expect(page.get_by_role("heading", name="Endret fra forrige versjon")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Mandathistorikk").click()
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Mandate history: Anestesi og intensiv")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)


def test_filtering_as_you_type_replaces_the_results_inside_the_live_region(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    """htmx puts the new results into the region screen readers follow; it does not nest a second region in it."""
    login("coordinator")
    page.goto(f"{live_server.url}/networks/")
    expect(page.get_by_text("2 nettverk")).to_be_visible()
    page.get_by_label("Søk").fill("øye")
    expect(page.get_by_text("1 nettverk")).to_be_visible()
    expect(page.locator("#network-results")).to_have_count(1)
    expect(page.locator("#network-results .result-count")).to_have_count(1)
    expect(page).to_have_url(f"{live_server.url}/networks/?q=%C3%B8ye&region=&kind=&status=&field=&concern=")
    assert_accessible(page)
