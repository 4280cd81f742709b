"""Whoever must act next is told, once, with links that work (issue 20, item 1).

The mail goes through the real SMTP server on 127.0.0.1 (``smtp_server``) and is read back as MIME: who got what,
how many times, and that every link is absolute. The daily digest: the person's setting is respected, one mail
lists what waited, a second run sends nothing, and nobody with nothing waiting gets a mail.
"""

import datetime
import email
import email.policy
import re
from collections import Counter
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases import services as cases
from fagnett.core import schedule
from fagnett.core.digest import digest_send
from fagnett.core.models import DigestEntry, NotificationDelivery, ReminderLog
from fagnett.meetings import services as meetings
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks import services as networks
from fagnett.networks.models import AppointmentRole
from tests.factories import PASSWORD, Inbox, World, appoint

# The mail is sent when the service's transaction really commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

DATA = {"title": "Lik praksis for mobilisering", "description": "Ulik praksis.", "wanted": "En anbefaling."}
LINK = re.compile(r"https?://\S+")


def _read(inbox: Inbox) -> list[tuple[str, EmailMessage]]:
    """(recipient, message) for every mail the server accepted."""
    read = []
    for _sender, recipients, raw in inbox.messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        read.extend((recipient, message) for recipient in recipients)
    return read


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _to(inbox: Inbox) -> Counter[str]:
    return Counter(recipient.split("@")[0] for recipient, _message in _read(inbox))


def _by(inbox: Inbox, username: str) -> EmailMessage:
    found = [message for recipient, message in _read(inbox) if recipient == f"{username}@example.org"]
    assert len(found) == 1, (username, [m["Subject"] for m in found])
    return found[0]


def _links_open_for(person: User, body: str) -> list[str]:
    """Every link in the body is absolute, and the ones to Fagnett open for the person (after login)."""
    links = LINK.findall(body)
    assert links
    site = settings.FAGNETT_SITE_URL
    client = Client()
    client.force_login(person)
    for link in links:
        if link.startswith(site):
            assert client.get(link.removeprefix(site)).status_code == 200, link
    return links


def test_a_case_submitted_to_a_network_tells_its_leader_and_secretary_once(world: World, smtp_server: Inbox) -> None:
    case = cases.case_submit(user=world["employee"], data=DATA, network=world.network)

    assert _to(smtp_server) == {"employee": 1, "leader": 1, "secretary": 1}  # not the members
    for name in ("leader", "secretary"):
        message = _by(smtp_server, name)
        assert message["Subject"] == f"Ny sak {case.reference} til Anestesi og intensiv: {DATA['title']}"
        body = _body(message)
        assert "Employee Testesen har sendt inn en sak til Anestesi og intensiv." in body
        assert "Neste steg: Som leder eller sekretær i nettverket tar du imot saken" in body
        assert f"{settings.FAGNETT_SITE_URL}/cases/{case.pk}/" in _links_open_for(world[name], body)


def test_a_leader_submitting_to_their_own_network_is_not_told_about_it(world: World, smtp_server: Inbox) -> None:
    cases.case_submit(user=world["leader"], data=DATA, network=world.network)

    assert _to(smtp_server) == {"leader": 1, "secretary": 1}  # the leader's acknowledgement only
    assert "mottatt" in _by(smtp_server, "leader")["Subject"]


def test_a_routed_case_tells_the_receiving_network_and_the_submitter(world: World, smtp_server: Inbox) -> None:
    case = cases.case_submit(user=world["employee"], data=DATA, region=world.region_a)
    assert _to(smtp_server) == {"employee": 1}  # no network yet: the coordinator finds it in the list to route

    cases.case_route(user=world["coordinator"], case=case, network=world.network, note="Haster før styremøtet.")

    case.refresh_from_db()
    assert _to(smtp_server) == {"employee": 2, "leader": 1, "secretary": 1}
    body = _body(_by(smtp_server, "secretary"))
    assert case.reference in body
    assert "Haster før styremøtet." in body  # the coordinator's note to the network
    assert f"{settings.FAGNETT_SITE_URL}/cases/{case.pk}/" in _links_open_for(world["secretary"], body)


def test_a_common_case_tells_the_leader_and_secretary_of_each_network_once(world: World, smtp_server: Inbox) -> None:
    appoint(world.other_network, world["other_member"], AppointmentRole.LEADER)

    common = cases.common_case_send(
        user=world["coordinator"],
        region=world.region_a,
        networks=[world.network, world.other_network],
        data={**DATA, "due_date": timezone.localdate() + datetime.timedelta(days=60)},
    )

    assert _to(smtp_server) == {"leader": 1, "secretary": 1, "other_member": 1}
    body = _body(_by(smtp_server, "other_member"))
    assert "har sendt en felles sak til flere nettverk, Øye blant dem." in body
    assert "Svaret ønskes innen" in body
    other_case = common.cases.get(network=world.other_network)
    assert f"{settings.FAGNETT_SITE_URL}/cases/{other_case.pk}/" in _links_open_for(world["other_member"], body)


def test_a_task_from_the_region_tells_the_network(world: World, smtp_server: Inbox) -> None:
    due = timezone.localdate() + datetime.timedelta(days=90)
    (task,) = cases.case_assign_task(user=world["director"], networks=[world.network], data={**DATA, "due_date": due})

    assert _to(smtp_server) == {"leader": 1, "secretary": 1}
    body = _body(_by(smtp_server, "leader"))
    assert "har gitt Anestesi og intensiv et oppdrag fra regionen." in body
    assert f"{settings.FAGNETT_SITE_URL}/cases/{task.pk}/" in _links_open_for(world["leader"], body)


def test_a_nomination_tells_the_regions_coordinator_and_the_appointment_names_its_period(
    world: World, smtp_server: Inbox
) -> None:
    appointment = networks.appointment_nominate(
        user=world["fagsjef"], network=world.network, person=world["candidate"], role=AppointmentRole.MEMBER
    )
    assert _to(smtp_server) == {"coordinator": 1}  # not region B's
    body = _body(_by(smtp_server, "coordinator"))
    assert "Fagsjef Testesen har nominert Kari Kandidat som Medlem i Anestesi og intensiv." in body
    link = f"{settings.FAGNETT_SITE_URL}/nominations/{appointment.pk}/"
    assert link in _links_open_for(world["coordinator"], body)

    networks.appointment_appoint(user=world["coordinator"], appointment=appointment)

    assert _to(smtp_server) == {"coordinator": 1, "candidate": 1, "fagsjef": 1}
    body = _body(_by(smtp_server, "candidate"))
    mandate = world.network.mandates.get()
    start = timezone.localdate()
    assert f"Oppnevningen gjelder fra {start.day}. " in body
    assert f"til {mandate.period_end.day}. " in body and str(mandate.period_end.year) in body
    assert f"{settings.FAGNETT_SITE_URL}/networks/{world.network.pk}/" in _links_open_for(world["candidate"], body)


# --- The daily digest --------------------------------------------------------------------------------------------


def _digest(person: User) -> User:
    User.objects.filter(pk=person.pk).update(notifications=NotificationDelivery.DAILY_DIGEST)
    return User.objects.get(pk=person.pk)


def _action_item(world: World, owner: User, title: str) -> None:
    meetings.action_item_create(
        user=world["leader"],
        network=world.network,
        title=title,
        owner=owner,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )


def test_a_digest_person_gets_what_may_wait_in_one_mail_once_and_the_others_at_once(
    world: World, smtp_server: Inbox
) -> None:
    secretary = _digest(world["secretary"])
    _action_item(world, secretary, "Samle tall fra HF-ene")
    _action_item(world, secretary, "Skriv utkast")
    case = cases.case_submit(user=world["employee"], data=DATA, network=world.network)

    # The leader (immediately, the default) is told of the case now; the secretary's three wait for the digest.
    assert _to(smtp_server) == {"employee": 1, "leader": 1}
    assert DigestEntry.objects.filter(recipient=secretary, digested_at=None).count() == 3

    assert digest_send() == 1

    assert _to(smtp_server) == {"employee": 1, "leader": 1, "secretary": 1}
    message = _by(smtp_server, "secretary")
    assert message["Subject"] == "Fagnett: 3 varsler siden forrige sammendrag"
    body = _body(message)
    assert "Nytt oppfølgingspunkt i Anestesi og intensiv" in body
    assert f"Ny sak {case.reference} til Anestesi og intensiv" in body
    links = _links_open_for(secretary, body)
    assert f"{settings.FAGNETT_SITE_URL}/cases/{case.pk}/" in links
    assert f"{settings.FAGNETT_SITE_URL}/action-items/" in links
    assert f"{settings.FAGNETT_SITE_URL}/me/settings/" in links

    # Run again (by hand, or by a second worker): nothing more, and nothing is left waiting.
    assert digest_send() == 0
    assert _to(smtp_server)["secretary"] == 1
    assert not DigestEntry.objects.filter(digested_at=None).exists()


def test_with_nothing_waiting_the_digest_sends_nothing(world: World, smtp_server: Inbox) -> None:
    _digest(world["secretary"])
    _digest(world["member"])

    assert digest_send() == 0
    assert smtp_server.messages == []
    assert not ReminderLog.objects.filter(kind="digest").exists()  # no claim made for nobody


def test_what_comes_after_todays_digest_waits_for_tomorrows(world: World, smtp_server: Inbox) -> None:
    member = _digest(world["member"])
    _action_item(world, member, "Første")
    today = timezone.now()
    assert digest_send(today) == 1
    _action_item(world, member, "Andre")

    assert digest_send(today + datetime.timedelta(minutes=5)) == 0  # today's digest went
    assert digest_send(today + datetime.timedelta(days=1)) == 1

    bodies = [_body(message) for recipient, message in _read(smtp_server) if recipient == "member@example.org"]
    assert len(bodies) == 2
    assert "Første" in bodies[0] and "Andre" not in bodies[0]
    assert "Andre" in bodies[1] and "Første" not in bodies[1]
    assert DigestEntry.objects.filter(recipient=member, digested_at=None).count() == 0


def test_time_critical_and_personal_mail_comes_at_once_for_a_digest_person(world: World, smtp_server: Inbox) -> None:
    member = _digest(world["member"])
    employee = _digest(world["employee"])
    meeting = make_meeting(world.network)
    meetings.meeting_send_invitations(user=world["secretary"], meeting=meeting)
    case = cases.case_submit(user=employee, data=DATA, network=world.network)
    cases.case_accept(user=world["leader"], case=case)

    assert _to(smtp_server)["member"] == 1  # the invitation with its calendar part
    assert _to(smtp_server)["employee"] == 2  # the acknowledgement and the answer to their own case
    assert not DigestEntry.objects.filter(recipient__in=[member, employee]).exists()


def test_the_digest_job_is_scheduled_after_the_reminders_and_runs_once_a_day(world: World, smtp_server: Inbox) -> None:
    job = schedule.registered()["notification-digest"]
    assert job.daily_at == datetime.time(7, 30)
    assert schedule.registered()["reminders"].daily_at == datetime.time(7, 0)
    member = _digest(world["member"])
    _action_item(world, member, "Samle tall")
    # The next morning's run: whatever the clock says now, the notification was held before it.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    morning = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(7, 31)))

    # Two workers ask in the same minute: the slot is claimed once, the job (run at once in the tests) mails once.
    claimed = schedule.run_due(morning) + schedule.run_due(morning)

    assert claimed.count("notification-digest") == 1
    assert _to(smtp_server) == {"member": 1}


def test_the_setting_is_on_the_persons_own_settings_page(world: World, client: Client) -> None:
    client.force_login(world["member"])
    page = client.get("/me/settings/")
    assert page.status_code == 200
    assert "Varsler på e-post" in page.content.decode()

    refused = client.post("/me/settings/", {"language": "nb", "notifications": "weekly"})
    assert refused.status_code == 200
    assert "Velg et gyldig valg" in refused.content.decode()
    assert User.objects.get(pk=world["member"].pk).notifications == NotificationDelivery.IMMEDIATELY

    saved = client.post("/me/settings/", {"language": "en", "notifications": "digest"}, follow=True)
    assert "Your settings are saved." in saved.content.decode()
    member = User.objects.get(pk=world["member"].pk)
    assert (member.language, member.notifications) == ("en", NotificationDelivery.DAILY_DIGEST)
    assert member.history.first().history_change_reason == "own settings"  # type: ignore[attr-defined]


def test_a_link_in_a_mail_opens_its_page_after_the_login(world: World, smtp_server: Inbox) -> None:
    """The reader is seldom logged in when they open a mail: the login page is shown, then the linked page."""
    case = cases.case_submit(user=world["employee"], data=DATA, network=world.network)
    (link,) = [
        link for link in LINK.findall(_body(_by(smtp_server, "leader"))) if link.startswith(settings.FAGNETT_SITE_URL)
    ]
    path = link.removeprefix(settings.FAGNETT_SITE_URL)
    assert path == f"/cases/{case.pk}/"
    client = Client()

    to_login = client.get(path)
    assert to_login.status_code == 302
    assert to_login["Location"] == f"/accounts/login/?next=/cases/{case.pk}/"
    login_page = client.get(to_login["Location"])
    assert f'name="next" value="/cases/{case.pk}/"' in login_page.content.decode()

    logged_in = client.post(
        "/accounts/login/", {"username": "leader", "password": PASSWORD, "next": path}, follow=False
    )
    assert logged_in.status_code == 302
    assert logged_in["Location"] == path
    assert client.get(path).status_code == 200
