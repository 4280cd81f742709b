"""The network's follow-up register (issue 20, item 3): a leader closes an action item with what was done, an empty
note is refused, and the item shows as done with the note; every page axe-clean."""

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from fagnett.meetings.models import ActionItem, AgendaItem
from fagnett.meetings.tests.factories import make_meeting
from tests.browser.conftest import assert_accessible
from tests.factories import World


def test_a_leader_closes_an_action_item_with_a_note(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    network = browser_world.network
    held = make_meeting(network, days=-14)
    coming = make_meeting(network, days=14)
    AgendaItem.objects.create(meeting=coming, order=1, title="Oppfølgingspunkter", kind=AgendaItem.Kind.FOLLOW_UP)
    today = timezone.localdate()
    item = ActionItem.objects.create(
        network=network,
        title="Innhente rutiner for overflytting",
        owner=browser_world["member"],
        due_date=today - datetime.timedelta(days=3),
        meeting=held,
        created_by=browser_world["secretary"],
    )
    ActionItem.objects.create(
        network=network,
        title="Lage utkast til prosedyre",
        owner=browser_world["secretary"],
        due_date=today + datetime.timedelta(days=20),
        meeting=held,
        created_by=browser_world["secretary"],
    )

    login("leader")
    page.goto(f"{live_server.url}{network.get_absolute_url()}")
    page.get_by_role("link", name="Oppfølgingsliste", exact=True).click()
    expect(page.get_by_role("heading", name="Oppfølgingsliste", level=1)).to_be_visible()
    expect(page.get_by_text("2 oppfølgingspunkter vist. Åpne: 2 (over fristen: 1). Utført: 0.")).to_be_visible()
    row = page.locator(f"#action-item-{item.pk}")
    expect(row.get_by_text("Over fristen")).to_be_visible()  # in words, not by colour alone
    assert_accessible(page)

    row.get_by_role("link", name="Lukk").click()
    expect(page.get_by_role("heading", name="Lukk oppfølgingspunktet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Lukk med dette notatet").click()
    expect(page.get_by_text("Skriv hva som ble gjort. Oppfølgingspunktet lukkes ikke uten.").first).to_be_visible()
    assert_accessible(page)
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN

    page.get_by_label("Hva ble gjort").fill("Rutinene fra alle HF er samlet og lagt ved neste møte.")
    page.get_by_role("button", name="Lukk med dette notatet").click()
    expect(page.get_by_text("Oppfølgingspunktet er lukket, med hva som ble gjort.")).to_be_visible()
    row = page.locator(f"#action-item-{item.pk}")
    expect(row.get_by_text("Utført", exact=True)).to_be_visible()
    expect(row.get_by_text("Rutinene fra alle HF er samlet og lagt ved neste møte.")).to_be_visible()
    expect(row.get_by_role("button", name="Åpne igjen")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("1 oppfølgingspunkt vist.", exact=False)).to_be_visible()
    assert_accessible(page)

    item.refresh_from_db()
    assert (item.status, item.done_by, item.done_note) == (
        ActionItem.Status.DONE,
        browser_world["leader"],
        "Rutinene fra alle HF er samlet og lagt ved neste møte.",
    )
