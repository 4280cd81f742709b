"""The secretary plans a year, sends invitations, writes and circulates minutes; the leader approves them."""

import datetime
from collections.abc import Callable
from typing import Any

from django.core import mail
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from fagnett.meetings import services
from fagnett.meetings.models import Attendance, Meeting, Minutes
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import AppointmentRole
from tests.browser.conftest import assert_accessible
from tests.factories import World, appoint, make_user


def test_year_plan_invitations_minutes_and_approval(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    network = browser_world.network
    past = make_meeting(network, days=-2)  # yesterday's meeting, for the minutes
    next_year = timezone.localdate().year + 1

    login("secretary")
    page.goto(f"{live_server.url}{network.get_absolute_url()}")
    page.get_by_role("link", name="Møter", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Planlegg møter").click()
    page.get_by_role("link", name=f"{next_year} →").click()
    expect(page.get_by_role("heading", name=f"Møteplan for {network.name}, {next_year}")).to_be_visible()
    assert_accessible(page)
    first_date = page.get_by_label("Dato").first
    first_date.fill(f"{next_year}-02-09")
    page.get_by_role("button", name="Lagre planen").click()
    expect(page.get_by_text("4 møter ble lagt til i planen.")).to_be_visible()
    expect(page.get_by_text("4 av minst 4 møter i år")).to_be_visible()
    assert_accessible(page)

    with translation.override("nb"):
        first_label = formats.date_format(datetime.date(next_year, 2, 9), "l j. F")
    page.get_by_role("link", name=first_label).click()
    assert_accessible(page)
    page.get_by_role("button", name="Legg til standardsakene").click()
    expect(page.get_by_role("heading", name="4. Eventuelt")).to_be_visible()
    page.get_by_role("button", name="Send innkalling").click()
    expect(page.get_by_text("Innkallingen ble sendt til 4 personer.")).to_be_visible()
    assert_accessible(page)
    assert len(mail.outbox) == 4

    page.goto(f"{live_server.url}{past.get_absolute_url()}")
    page.get_by_role("button", name="Legg til standardsakene").click()
    page.get_by_role("link", name="Registrer oppmøte").click()
    assert_accessible(page)
    page.get_by_role("group", name="Leader Testesen (A1)").get_by_label("Til stede").check()
    page.get_by_role("group", name="Member Testesen (A2)").get_by_label("Meldt forfall").check()
    page.get_by_role("button", name="Lagre oppmøtet").click()
    expect(page.get_by_text("Oppmøtet er lagret.")).to_be_visible()
    assert Attendance.objects.filter(meeting=past, status="present").count() == 1

    page.get_by_role("button", name="Skriv referatet").click()
    assert_accessible(page)
    page.get_by_label("2. Orienteringssaker – referat").fill("RHF-et orienterte om budsjettet for 2027.")
    page.get_by_label("2. Orienteringssaker – konklusjon eller anbefaling").fill("Tatt til orientering.")
    page.get_by_role("button", name="Lagre referatet").click()
    expect(page.get_by_text("Referatet er lagret.")).to_be_visible()
    page.get_by_label("Kommentarer innen").fill((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Send til medlemmene for kommentarer").click()
    expect(page.get_by_text("Referatet er sendt til medlemmene for kommentarer.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Logg ut").click()
    login("leader")
    page.goto(f"{live_server.url}{past.minutes.get().get_absolute_url()}")
    expect(page.get_by_text("RHF-et orienterte om budsjettet for 2027.")).to_be_visible()
    page.get_by_role("button", name="Godkjenn referatet").click()
    expect(page.get_by_text("Referatet er godkjent og låst.")).to_be_visible()
    assert_accessible(page)
    assert past.minutes.get().status == Minutes.Status.APPROVED
    assert Meeting.objects.filter(network=network, starts_at__year=next_year).count() == 4


def test_a_calendar_address_is_shown_once_and_can_be_replaced(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    meeting = make_meeting(browser_world.network)
    login("member")
    page.goto(f"{live_server.url}/calendar/")
    assert_accessible(page)
    page.get_by_role("button", name="Lag en ny adresse").click()
    expect(page.get_by_role("heading", name="Den nye adressen")).to_be_visible()
    first = page.locator("#new-feed-url").inner_text()
    assert first.startswith(f"{live_server.url}/calendar/") and first.endswith(".ics")
    assert f"{meeting.uid}@fagnett" in page.request.get(first).text()
    assert_accessible(page)

    page.goto(f"{live_server.url}/calendar/")  # the list again: the address is not shown a second time
    expect(page.locator("#new-feed-url")).to_have_count(0)
    page.get_by_role("button", name="Bytt ut adressen Alle mine møter").click()
    expect(page.get_by_text("Den gamle adressen virker ikke lenger.")).to_be_visible()
    second = page.locator("#new-feed-url").inner_text()
    assert second != first
    assert page.request.get(first).status == 404
    assert page.request.get(second).status == 200
    assert_accessible(page)


def test_a_member_sends_regrets_the_deputy_is_invited_and_the_minutes_record_decisions(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    """Boards' way: "I cannot come" calls the trust's deputy; the secretary records the decision per item; the web
    minutes show attendance and the action items."""
    network = browser_world.network
    deputy = make_user("deputy", trust=browser_world.trusts_a[1], first_name="Vara", last_name="Varesen")
    appoint(network, deputy, AppointmentRole.DEPUTY)
    coming = make_meeting(network, days=10)
    services.meeting_send_invitations(user=browser_world["secretary"], meeting=coming)
    assert deputy.email not in [m.to[0] for m in mail.outbox]
    mail.outbox.clear()

    login("member")
    page.goto(f"{live_server.url}{coming.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_label("Jeg kan ikke komme").check()
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_text("Si hvorfor du ikke kan komme.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Jeg kan ikke komme").check()
    page.get_by_label("Begrunnelse").fill("Vakt på intensiv")
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_text("Svaret ditt er lagret: du har meldt forfall.")).to_be_visible()
    assert [m.to[0] for m in mail.outbox] == [deputy.email]
    assert "Member Testesen" in mail.outbox[0].body
    page.get_by_role("button", name="Logg ut").click()

    login("secretary")
    page.goto(f"{live_server.url}{coming.get_absolute_url()}")
    replies = page.get_by_role("region", name="Svar på innkallingen")
    expect(replies.get_by_text("Vakt på intensiv")).to_be_visible()
    expect(replies.get_by_text("Vara Varesen innkalt")).to_be_visible()
    assert_accessible(page)

    past = make_meeting(network, days=-1)
    page.goto(f"{live_server.url}{past.get_absolute_url()}")
    page.get_by_role("link", name="Legg til en sak").click()
    page.get_by_label("Til beslutning").check()
    page.get_by_label("Tittel").fill("Felles prosedyre for sepsis")
    page.get_by_label("Forslag til vedtak").fill("Nettverket anbefaler prosedyren.")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Nettverket anbefaler prosedyren.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Registrer oppmøte").click()
    page.get_by_role("group", name="Leader Testesen (A1)").get_by_label("Til stede").check()
    page.get_by_role("group", name="Member Testesen (A2)").get_by_label("Meldt forfall").check()
    page.get_by_role("button", name="Lagre oppmøtet").click()
    page.get_by_role("button", name="Skriv referatet").click()
    decision = page.get_by_label("1. Felles prosedyre for sepsis – vedtak")
    expect(decision).to_have_value("Nettverket anbefaler prosedyren.")
    decision.fill("Nettverket anbefaler prosedyren med endringene fra møtet.")
    row = page.locator(".action-row").first
    row.get_by_label("Sak på sakslisten").select_option(label="1. Felles prosedyre for sepsis")
    row.get_by_label("Oppfølgingspunkt").fill("Sende prosedyren på høring")
    row.get_by_label("Ansvarlig").select_option(label="Member Testesen")
    row.get_by_label("Frist").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Lagre referatet").click()
    expect(page.get_by_text("Referatet er lagret.")).to_be_visible()
    page.get_by_label("Kommentarer innen").fill((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Send til medlemmene for kommentarer").click()
    page.get_by_role("button", name="Logg ut").click()

    login("member")
    page.goto(f"{live_server.url}{past.minutes.get().get_absolute_url()}")
    expect(page.get_by_text("Nettverket anbefaler prosedyren med endringene fra møtet.")).to_be_visible()
    attendance = page.get_by_role("region", name="Oppmøte per helseforetak")
    expect(attendance.get_by_text("Leader Testesen")).to_be_visible()
    expect(attendance.get_by_text("Member Testesen")).to_be_visible()
    actions = page.get_by_role("region", name="Oppfølgingspunkter fra møtet")
    expect(actions.get_by_text("Sende prosedyren på høring")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ingen merknader").click()
    expect(page.get_by_text("Registrert: du har ingen merknader til referatet.")).to_be_visible()
    assert_accessible(page)
