"""The ICU network's recommendation end to end (issue 21, item 5): the leader writes it, the network decides it in a
meeting (an agenda item for decision, the approved minutes' decision), it reaches the medical director as a case,
and the director's decision comes back to the recommendation. axe-core runs on every page on the way."""

import datetime
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from fagnett.capacity.models import Recommendation
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases.models import Case
from fagnett.meetings.tests.factories import make_meeting
from tests.browser.conftest import assert_accessible
from tests.factories import World


def test_the_leader_writes_the_network_decides_the_director_decides(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    round_ = make_round(browser_world.region_a, network=browser_world.network)
    make_entry(round_, units_of(browser_world)[0])
    meeting = make_meeting(browser_world.network, days=-1)  # yesterday's meeting, where it was decided
    base = live_server.url
    url = f"{base}/capacity/rounds/{round_.pk}/recommendation/"

    # The leader writes the recommendation from the round's assessment page.
    login("leader")
    page.goto(f"{base}/capacity/rounds/{round_.pk}/assessment/")
    page.get_by_role("link", name="Nettverkets anbefaling").first.click()
    page.wait_for_url(url)
    assert_accessible(page)
    page.locator("#id_competence").fill("ECMO-kompetansen finnes bare i Tromsø.")
    page.locator("input[name=consensus][value=yes]").check()
    page.get_by_role("button", name="Lagre anbefalingen").click()  # the recommendation itself is missing
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    assert not Recommendation.objects.exists()
    page.locator("#id_summary").fill("To bemannede K3-senger til ved UNN Tromsø.")
    page.locator("#id_preparedness").fill("Oppskalering innen 7 dager krever innlånte sykepleiere.")
    page.locator("#id_sustainability").fill("Jobbutveksling i sommerukene.")
    page.locator("#id_travel").fill("Over 500 km fra Øst-Finnmark.")
    page.get_by_role("button", name="Lagre anbefalingen").click()
    expect(page.get_by_text("Anbefalingen ble lagret.")).to_be_visible()
    expect(page.locator("#recommendation-summary")).to_contain_text("To bemannede K3-senger")
    assert_accessible(page)

    # ... puts it on the agenda of the meeting as an item for decision ...
    page.get_by_role("link", name="Sett den på sakslisten til et møte til beslutning").click()
    assert_accessible(page)
    page.locator("#id_meeting").select_option(str(meeting.pk))
    page.get_by_role("button", name="Sett på sakslisten").click()
    page.wait_for_url(url)
    expect(page.locator("#recommendation-progress")).to_contain_text("til beslutning")
    assert_accessible(page)

    # ... and the network decides it: the minutes record the decision and are approved.
    page.goto(f"{base}{meeting.get_absolute_url()}")
    expect(page.get_by_text("To bemannede K3-senger til ved UNN Tromsø.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Skriv referatet").click()
    decision = page.get_by_label(re.compile(r"^1\. .* – vedtak$"))
    expect(decision).to_have_value("To bemannede K3-senger til ved UNN Tromsø.")
    decision.fill("Nettverket vedtar anbefalingen om to K3-senger til ved UNN Tromsø.")
    page.get_by_role("button", name="Lagre referatet").click()
    expect(page.get_by_text("Referatet er lagret.")).to_be_visible()
    page.get_by_label("Kommentarer innen").fill((datetime.date.today() + datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Send til medlemmene for kommentarer").click()
    page.get_by_role("button", name="Godkjenn referatet").click()
    expect(page.get_by_text("Referatet er godkjent og låst.")).to_be_visible()
    assert_accessible(page)

    # The recommendation shows where it was decided, linking the minutes; the leader sends it.
    page.goto(url)
    decided = page.locator("#meeting-decision")
    expect(decided).to_contain_text("Nettverket vedtar anbefalingen")
    minutes_link = decided.get_by_role("link")
    expect(minutes_link).to_have_attribute("href", meeting.minutes.get().get_absolute_url())
    expect(page.locator("#recommendation-form")).to_have_count(0)  # decided: no longer changed
    assert_accessible(page)
    page.get_by_role("button", name="Send til fagdirektør").click()
    expect(page.get_by_text("Anbefalingen ble sendt til fagdirektør som en sak.")).to_be_visible()
    expect(page.locator("#director-decision")).to_contain_text("Fagdirektøren har ikke besluttet ennå.")
    assert_accessible(page)
    case = Case.objects.get()
    assert case.status == Case.Status.ESCALATED and case.consensus is True
    page.get_by_role("button", name="Logg ut").click()

    # The medical director finds the case among the region's cases and records the decision.
    login("director")
    page.goto(f"{base}/cases/")
    assert_accessible(page)
    page.get_by_role("link", name=case.title).first.click()
    expect(page.get_by_text("To bemannede K3-senger til ved UNN Tromsø.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Registrer vedtaket").click()
    assert_accessible(page)
    page.get_by_label("Vedtak").fill("To nye K3-senger ved UNN Tromsø fra 1. mars 2027.")
    page.get_by_role("button", name="Registrer vedtaket").click()
    expect(page.get_by_text("Vedtaket er registrert.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Logg ut").click()

    # The director's decision comes back to the recommendation, for the network's members too.
    login("member")
    page.goto(url)
    expect(page.locator("#director-decision")).to_contain_text("To nye K3-senger ved UNN Tromsø fra 1. mars 2027.")
    expect(page.locator("#sent-case")).to_contain_text(case.reference)
    assert_accessible(page)
