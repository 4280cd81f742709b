"""The coordinator manages the region's people: finds a person, gives a role, deactivates them, gives their open
work to someone else, and merges two records of one person."""

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from fagnett.accounts.models import TrustRole, User
from fagnett.meetings.models import ActionItem
from fagnett.people.models import PersonMerge
from tests.browser.conftest import assert_accessible
from tests.factories import World, appoint, make_user


def test_coordinator_finds_gives_a_role_deactivates_reassigns_and_merges(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    world = browser_world
    item = ActionItem.objects.create(
        network=world.network,
        title="Sende ut høringsutkast",
        owner=world["member"],
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    # Kari Kandidat got a second record at a first login with a new address; it is appointed in network A2.
    twin = make_user(
        "kari.ny", trust=world.trusts_a[2], first_name="Kari", last_name="Kandidat", email="kari@a3.example"
    )
    appoint(world.other_network, twin)

    login("coordinator")
    page.get_by_role("link", name="Region", exact=True).click()
    page.get_by_role("link", name="Personer og roller").click()
    expect(page.get_by_role("heading", name="Personer i Region A RHF", level=1)).to_be_visible()
    assert_accessible(page)

    # Find the member and give them a trust role.
    page.get_by_label("Søk").fill("member test")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("2 personer", exact=True)).to_be_visible()  # and Other_member Testesen
    page.get_by_role("link", name="Member Testesen", exact=True).click()
    expect(page.get_by_role("heading", name="Member Testesen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("combobox", name="Helseforetak (må fylles ut)").select_option(label="Trust A2 HF")
    page.get_by_role("combobox", name="Rolle i helseforetaket").select_option(label="Rapportør for intensivkapasitet")
    page.get_by_role("button", name="Gi rollen i helseforetaket").click()
    expect(
        page.get_by_text("Member Testesen har nå rollen Rapportør for intensivkapasitet i Trust A2 HF.")
    ).to_be_visible()
    assert_accessible(page)

    # Deactivate them: the open work is shown before and listed after.
    page.get_by_role("link", name="Deaktiver").click()
    expect(page.get_by_text("Personen har 2 åpne arbeidspunkter.", exact=False)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Hvorfor (lagres i personens historikk)").fill("Sluttet 31. mars")
    page.get_by_role("button", name="Deaktiver").click()
    expect(page.get_by_text("Member Testesen kan ikke lenger logge inn.")).to_be_visible()
    expect(page.get_by_role("cell", name="Sende ut høringsutkast", exact=True)).to_be_visible()
    assert_accessible(page)

    # Give the action item to the secretary, and come back to the person.
    page.get_by_role("link", name="Velg ny ansvarlig").click()
    assert_accessible(page)
    page.get_by_role("button", name="Gi til den nye ansvarlige").click()  # nobody chosen: told, nothing saved
    expect(page.get_by_text("Ingenting ble lagret")).to_be_visible()
    page.get_by_role("combobox", name="Ny ansvarlig").select_option(label="Secretary Testesen")
    page.get_by_role("button", name="Gi til den nye ansvarlige").click()
    expect(page.get_by_text("Secretary Testesen er nå ansvarlig for oppfølgingspunktet")).to_be_visible()
    expect(page.get_by_role("heading", name="Member Testesen")).to_be_visible()
    expect(page.get_by_role("cell", name="Sende ut høringsutkast", exact=True)).to_have_count(0)

    # The region's list still shows the appointment the member holds, to be ended on the network's page.
    page.get_by_role("link", name="Personer og roller").click()
    page.get_by_role("link", name="Åpent arbeid hos deaktiverte personer").click()
    expect(page.get_by_role("cell", name="Anestesi og intensiv", exact=True)).to_be_visible()
    assert_accessible(page)

    # Merge Kari Kandidat's second record into the first.
    page.get_by_role("link", name="Personer og roller").click()
    page.get_by_label("Søk").fill("kandidat")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="Kari Kandidat").first.click()
    page.get_by_role("link", name="Slå sammen en dublett med denne oppføringen").click()
    assert_accessible(page)
    page.get_by_role("link", name="Sammenlign og slå sammen").click()
    expect(page.get_by_role("heading", name="Slå sammen Kari Kandidat med Kari Kandidat")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Slå sammen oppføringene").click()  # not confirmed: told, nothing merged
    expect(page.get_by_text("Bekreft at de to oppføringene er samme person.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="kari@a3.example").check()
    page.get_by_role("checkbox", name="Jeg har kontrollert at de to oppføringene er samme person.").check()
    page.get_by_role("button", name="Slå sammen oppføringene").click()
    expect(page.get_by_text("er slått sammen med denne oppføringen")).to_be_visible()
    expect(page.get_by_role("heading", name="Oppføringer som er slått sammen med denne")).to_be_visible()
    assert_accessible(page)

    member = User.objects.get(pk=world["member"].pk)
    assert not member.is_active
    assert TrustRole.objects.filter(user=member, role="capacity_reporter").exists()
    assert ActionItem.objects.get(pk=item.pk).owner == world["secretary"]
    merge = PersonMerge.objects.get()
    assert (merge.kept, merge.merged) == (world["candidate"], twin)
    kept = User.objects.get(pk=world["candidate"].pk)
    assert kept.email == "kari@a3.example" and kept.appointments.filter(network=world.other_network).exists()
