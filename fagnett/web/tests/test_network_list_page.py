"""The network list's rows (networks.selectors.network_list_page, a hand-written query) against network_list, the
ORM queryset the coordinator's region state counts: the same networks in the same order, with the same columns, for
every filter. Here, not in the networks app, because the columns read meetings and annual reports (apps above
networks in the layers)."""

import datetime

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fagnett.accounts.models import User
from fagnett.core.calendar import OSLO
from fagnett.meetings.models import Meeting
from fagnett.networks import selectors
from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.reports.models import NetworkReport
from tests.factories import World, appoint, make_mandate, make_network, make_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 7, 1)  # day 182 of 365: a minimum of 4 expects 1 held meeting by now, 6 expects 2


def held(network: Network, when: datetime.datetime, status: str = Meeting.Status.HELD) -> None:
    Meeting.objects.create(network=network, starts_at=when, ends_at=when + datetime.timedelta(hours=2), status=status)


def oslo(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


@pytest.fixture
def varied(world: World) -> World:
    """Region A's networks in every kind and several statuses, with leaders, meetings, minimums and reports."""
    a = world.region_a
    behind = make_network(a, name="Bak skjema", field="Kirurgi")
    make_mandate(behind, period_start=datetime.date(2026, 1, 1), min_meetings_per_year=6)
    make_mandate(behind, period_start=datetime.date(2027, 1, 1), min_meetings_per_year=12)  # next year's: not yet
    held(behind, oslo(2026, 1, 1, 0, 30))  # the first half hour of the year, in Oslo (still 2025 in UTC)
    held(behind, oslo(2025, 12, 31, 23, 30))  # last year's
    held(behind, oslo(2027, 1, 1, 0, 30))  # next year's (still 2026 in UTC)
    held(behind, oslo(2026, 3, 1, 12), status=Meeting.Status.PLANNED)
    on_track = make_network(a, name="I rute", field="kirurgi og anestesi")
    make_mandate(on_track, period_start=datetime.date(2024, 1, 1), min_meetings_per_year=4)
    make_mandate(on_track, period_start=datetime.date(2026, 6, 1), min_meetings_per_year=5)  # the newest in force
    for month in (2, 3, 4):
        held(on_track, oslo(2026, month, 1, 12))
    paused = make_network(a, name="Pause", status=Network.Status.PAUSED, description="Øyelegenes pause")
    make_network(a, name="Fagrådet", kind=Network.Kind.COUNCIL, parent=world.network)
    make_network(a, name="Arbeidsgruppa", kind=Network.Kind.WORKING_GROUP, parent=world.network)
    make_network(a, name="Sekretærforum", kind=Network.Kind.FORUM, status=Network.Status.PLANNED)
    # Two leaders, listed by first name; one without a name is shown by the username.
    appoint(on_track, make_user("bodil", first_name="Bodil", last_name="Berg"), AppointmentRole.LEADER)
    appoint(on_track, make_user("anne", first_name="Anne", last_name="Aas"), AppointmentRole.LEADER)
    appoint(on_track, make_user("ended", first_name="Aase"), AppointmentRole.LEADER, status=Appointment.Status.ENDED)
    appoint(paused, make_user("nameless", first_name="", last_name=""), AppointmentRole.LEADER)
    appoint(paused, make_user("nominee"), AppointmentRole.MEMBER, status=Appointment.Status.NOMINATED)
    NetworkReport.objects.create(network=world.network, year=2025, status=NetworkReport.Status.SUBMITTED)
    NetworkReport.objects.create(network=on_track, year=2025, status=NetworkReport.Status.DRAFT)
    NetworkReport.objects.create(network=behind, year=2024, status=NetworkReport.Status.SUBMITTED)  # other years
    NetworkReport.objects.create(network=paused, year=2026, status=NetworkReport.Status.DRAFT)
    return world


def filters_to_try(world: World) -> list[selectors.NetworkFilters]:
    F = selectors.NetworkFilters
    return [
        F(),
        *(F(kind=kind) for kind in Network.Kind.values),
        *(F(status=status) for status in (Network.Status.ACTIVE, Network.Status.PAUSED, Network.Status.PLANNED)),
        F(region=world.region_a.pk),
        F(region=world.region_b.pk),
        F(q="øye"),
        F(q="KIRURGI"),
        F(q="100%_"),
        F(field="kirurgi"),
        F(q="i", kind=Network.Kind.NETWORK, status=Network.Status.ACTIVE),
        F(include_subgroups=False),
        *(F(concern=concern) for concern in selectors.CONCERNS),
    ]


def expected_rows(user: User, filters: selectors.NetworkFilters, when: selectors.RegionYear) -> list[tuple]:
    """The rows as network_list and the leaders' appointments give them."""
    rows = []
    for network in selectors.network_list(user=user, filters=filters, when=when):
        leaders = [
            str(a.person)
            for a in network.appointments.filter(
                role=AppointmentRole.LEADER, status=Appointment.Status.APPOINTED
            ).order_by("person__first_name", "person__last_name")
        ]
        minimum = "–" if network.minimum is None else network.minimum
        behind = network.kind == "network" and network.status == "active" and network.minimum is not None
        rows.append(
            (
                network.get_absolute_url(),
                network.name,
                f"{network.get_kind_display()} – {network.parent.name}" if network.parent else "",
                network.field,
                network.region.short_name,
                network.get_status_display(),
                leaders,
                str(network.member_count),
                f"{network.held_this_year} / {minimum}",
                network.expected_so_far if behind and network.held_this_year < network.expected_so_far else None,
                network.kind == "network",
                network.report_status or "",
            )
        )
    return rows


def shown_rows(page: selectors.NetworkListPage) -> list[tuple]:
    return [
        (
            row["url"],
            row["name"],
            row["subgroup_of"],
            row["field"],
            row["region"],
            row["status_label"],
            row["leaders"],
            row["members"],
            row["meetings"],
            row["behind_by_now"],
            row["reports_separately"],
            row["report_label"],
        )
        for row in page.rows
    ]


@pytest.mark.parametrize("login", ["coordinator", "coordinator_b", "employee", "superuser", "nobody"])
def test_the_list_shows_network_lists_networks_and_columns_for_every_filter(varied: World, login: str) -> None:
    users = {
        "superuser": make_user("root", is_superuser=True),
        "nobody": make_user("outsider"),  # no region: sees no network
    }
    user = users.get(login) or varied[login]
    when = selectors.RegionYear(today=TODAY)
    for filters in filters_to_try(varied):
        expected = expected_rows(user, filters, when)
        page = selectors.network_list_page(user=user, filters=filters, when=when, size=1000)
        assert shown_rows(page) == expected, filters
        networks = list(selectors.network_list(user=user, filters=filters, when=when))
        assert page.counts == selectors.NetworkCounts(
            networks=sum(1 for n in networks if n.parent_id is None and n.kind == Network.Kind.NETWORK),
            forums=sum(1 for n in networks if n.parent_id is None and n.kind != Network.Kind.NETWORK),
            subgroups=sum(1 for n in networks if n.parent_id is not None),
        ), filters
        assert page.page.paginator.count == len(expected)
    if login == "coordinator":
        everything = expected_rows(user, selectors.NetworkFilters(), when)
        assert len(everything) == 8  # the comparison is not of empty lists only
        second = selectors.network_list_page(user=user, when=when, number="2", size=3)
        assert shown_rows(second) == everything[3:6]
        assert second.counts == selectors.NetworkCounts(networks=5, forums=1, subgroups=2)


def test_the_rows_columns_as_shown(varied: World) -> None:
    when = selectors.RegionYear(today=TODAY)
    with translation.override("nb"):  # the labels below are bokmål's, whatever an earlier test left active
        page = selectors.network_list_page(
            user=varied["coordinator"],
            when=when,
            report_statuses=({"draft": "Utkast", "submitted": "Meldt inn"}, {"submitted": "success"}),
        )
    rows = {row["name"]: row for row in page.rows}
    # The minimum in force this year (6, not next year's 12), one meeting held this year of the two expected by now.
    assert rows["Bak skjema"]["meetings"] == "1 / 6" and rows["Bak skjema"]["behind_by_now"] == 2
    assert rows["I rute"]["meetings"] == "3 / 5" and rows["I rute"]["behind_by_now"] is None
    assert rows["I rute"]["leaders"] == ["Anne Aas", "Bodil Berg"]
    assert (rows["I rute"]["report_label"], rows["I rute"]["report_color"]) == ("Utkast", "neutral")
    anestesi = rows["Anestesi og intensiv"]
    assert (anestesi["report_label"], anestesi["report_color"]) == ("Meldt inn", "success")
    assert rows["Bak skjema"]["report_label"] == ""  # only a report of another year
    assert rows["Pause"]["leaders"] == ["nameless"] and rows["Pause"]["members"] == "1"
    assert rows["Pause"]["meetings"] == "0 / –" and rows["Pause"]["status_color"] == "warning"
    assert rows["Fagrådet"]["subgroup_of"] == "Fagråd – Anestesi og intensiv"
    assert not rows["Fagrådet"]["reports_separately"] and rows["Sekretærforum"]["status_label"] == "Planlagt"


def test_the_page_shows_the_rows(varied: World, client: Client) -> None:
    """The table as the person sees it, in bokmål: the tags, the leaders, the counts."""
    client.force_login(varied["coordinator"])
    html = client.get(reverse("networks:list")).content.decode()
    tree = lxml.html.fromstring(html)
    rows = {
        cells[0]: cells
        for cells in (
            [" ".join(td.text_content().split()) for td in tr.xpath("./td")] for tr in tree.xpath("//tbody/tr")
        )
    }
    assert "5 nettverk, 1 forum, 2 undergrupper" in html
    # (The meetings and the report depend on today's year; test_the_rows_columns_as_shown has them on a fixed day.)
    assert rows["I rute"][4:6] == ["Anne Aas Bodil Berg", "2"]
    assert rows["Pause"][3:6] == ["Satt på pause", "nameless", "1"] and rows["Pause"][7] == "Ikke påbegynt"
    assert rows["Fagrådet Fagråd – Anestesi og intensiv"][7] == "Rapporteres ikke for seg"
    links = tree.xpath("//tbody/tr/td[1]/a")
    network = Network.objects.get(name="I rute")
    assert [a.get("href") for a in links if a.text == "I rute"] == [reverse("networks:detail", args=[network.pk])]
    assert f"Møter holdt {timezone.localdate().year} / minimum" in html
