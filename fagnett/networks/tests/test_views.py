from collections.abc import Callable

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.networks.models import Appointment, AppointmentRole, Network
from tests.factories import World, appoint, make_network, make_trust, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def urls(world: World, nomination: Appointment) -> dict[str, str]:
    member = world.network.appointments.get(person=world["member"])
    return {
        "home": reverse("home"),
        "list": reverse("networks:list"),
        "detail": reverse("networks:detail", args=[world.network.pk]),
        "detail_b": reverse("networks:detail", args=[world.network_b.pk]),
        "create": reverse("networks:create"),
        "update": reverse("networks:update", args=[world.network.pk]),
        "mandates": reverse("networks:mandate_history", args=[world.network.pk]),
        "mandate": reverse("networks:mandate_detail", args=[world.network.pk, 1]),
        "mandate_new": reverse("networks:mandate_create", args=[world.network.pk]),
        "nominate": reverse("networks:nominate", args=[world.network.pk]),
        "nominations": reverse("networks:nominations"),
        "decide": reverse("networks:nomination_decide", args=[nomination.pk]),
        "end": reverse("networks:appointment_end", args=[member.pk]),
    }


# role → {page: expected status}. 404 where the page belongs to another region, so its existence is not revealed.
EXPECTED: dict[str, dict[str, int]] = {
    "coordinator": {
        "home": 200, "list": 200, "detail": 200, "detail_b": 404, "create": 200, "update": 200, "mandates": 200,
        "mandate": 200, "mandate_new": 200, "nominate": 200, "nominations": 200, "decide": 200, "end": 200,
    },
    "director": {
        "home": 200, "list": 200, "detail": 200, "detail_b": 404, "create": 403, "update": 403, "mandates": 200,
        "mandate": 200, "mandate_new": 403, "nominate": 403, "nominations": 403, "decide": 200, "end": 403,
    },
    "leader": {
        "home": 200, "list": 200, "detail": 200, "detail_b": 404, "create": 403, "update": 403, "mandates": 200,
        "mandate": 200, "mandate_new": 403, "nominate": 403, "nominations": 403, "decide": 404, "end": 404,
    },
    "member": {
        "home": 200, "list": 200, "detail": 200, "detail_b": 404, "create": 403, "update": 403, "mandates": 200,
        "mandate": 200, "mandate_new": 403, "nominate": 403, "nominations": 403, "decide": 404, "end": 404,
    },
    "fagsjef": {
        "home": 200, "list": 200, "detail": 200, "detail_b": 404, "create": 403, "update": 403, "mandates": 200,
        "mandate": 200, "mandate_new": 403, "nominate": 200, "nominations": 200, "decide": 200, "end": 404,
    },
    "employee": {
        "home": 200, "list": 200, "detail": 200, "detail_b": 404, "create": 403, "update": 403, "mandates": 200,
        "mandate": 200, "mandate_new": 403, "nominate": 403, "nominations": 403, "decide": 404, "end": 404,
    },
    "coordinator_b": {
        "home": 200, "list": 200, "detail": 404, "detail_b": 200, "create": 200, "update": 404, "mandates": 404,
        "mandate": 404, "mandate_new": 404, "nominate": 404, "nominations": 200, "decide": 404, "end": 404,
    },
    "fagsjef_b": {
        "home": 200, "list": 200, "detail": 404, "detail_b": 200, "create": 403, "update": 404, "mandates": 404,
        "mandate": 404, "mandate_new": 404, "nominate": 404, "nominations": 200, "decide": 404, "end": 404,
    },
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_role_gets_the_expected_answer_on_every_page(world: World, client: Client, role: str) -> None:
    nomination = appoint(
        world.network, world["candidate"], status=Appointment.Status.NOMINATED, nominated_by=world["fagsjef"]
    )
    pages = urls(world, nomination)
    assert set(EXPECTED[role]) == set(pages), "every page needs an expected answer for every role"
    client.force_login(world[role])
    got = {name: client.get(url).status_code for name, url in pages.items()}
    assert got == EXPECTED[role]


def test_anonymous_visitors_are_sent_to_the_login_page(world: World, client: Client) -> None:
    nomination = appoint(world.network, world["candidate"], status=Appointment.Status.NOMINATED)
    for url in urls(world, nomination).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_posts_are_refused_to_people_without_the_right(world: World, login_as: LoginAs) -> None:
    client = login_as("leader")
    response = client.post(reverse("networks:update", args=[world.network.pk]), {"name": "Nytt navn"})
    assert response.status_code == 403
    world.network.refresh_from_db()
    assert world.network.name == "Anestesi og intensiv"


class TestNominationFlow:
    def test_fagsjef_nominates_and_sees_the_result(self, world: World, login_as: LoginAs) -> None:
        client = login_as("fagsjef")
        page = client.get(reverse("networks:nominate", args=[world.network.pk]))
        assert "Kari Kandidat" in page.content.decode()
        assert "Employee" not in page.content.decode()  # only colleagues from the fagsjef's own trust
        response = client.post(
            reverse("networks:nominate", args=[world.network.pk]),
            {"person": world["candidate"].pk, "role": "member", "note": "Erfaren leder"},
            follow=True,
        )
        assert response.status_code == 200
        assert "Kari Kandidat" in response.content.decode()
        assert Appointment.objects.get(person=world["candidate"]).status == "nominated"
        nominations = client.get(reverse("networks:nominations")).content.decode()
        assert "Kari Kandidat" in nominations

    def test_bad_input_gets_a_clear_message_and_saves_nothing(self, world: World, login_as: LoginAs) -> None:
        client = login_as("fagsjef")
        url = reverse("networks:nominate", args=[world.network.pk])
        response = client.post(
            url,
            {"person": world["candidate"].pk, "role": "member", "note": "Fnr 15108695088", "end_date": "2020-01-01"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "fødselsnummer" in html
        assert 'aria-invalid="true"' in html
        assert not Appointment.objects.filter(person=world["candidate"]).exists()

        response = client.post(url, {"person": world["employee"].pk, "role": "member"})
        assert response.status_code == 200
        assert "error-summary" in response.content.decode()
        assert not Appointment.objects.filter(person=world["employee"]).exists()

    def test_coordinator_appoints_and_the_matrix_gap_closes(self, world: World, login_as: LoginAs) -> None:
        nomination = appoint(
            world.network, world["candidate"], status=Appointment.Status.NOMINATED, nominated_by=world["fagsjef"]
        )
        client = login_as("coordinator")
        detail = reverse("networks:detail", args=[world.network.pk])
        assert "Trust A3 HF" in client.get(detail).context["matrix"].gaps[0].label
        response = client.post(
            reverse("networks:nomination_decide", args=[nomination.pk]), {"decision": "appoint"}, follow=True
        )
        assert response.status_code == 200
        assert client.get(detail).context["matrix"].gaps == []

    def test_declining_without_a_reason_is_refused_with_a_message(self, world: World, login_as: LoginAs) -> None:
        nomination = appoint(world.network, world["candidate"], status=Appointment.Status.NOMINATED)
        client = login_as("coordinator")
        response = client.post(reverse("networks:nomination_decide", args=[nomination.pk]), {"decision": "decline"})
        assert response.status_code == 200
        assert "Give a reason" in response.content.decode() or "Oppgi en begrunnelse" in response.content.decode()
        nomination.refresh_from_db()
        assert nomination.status == Appointment.Status.NOMINATED

    def test_the_nominating_fagsjef_sees_the_decline_reason_but_cannot_decide(
        self, world: World, login_as: LoginAs
    ) -> None:
        nomination = appoint(
            world.network,
            world["candidate"],
            status=Appointment.Status.DECLINED,
            nominated_by=world["fagsjef"],
            decision_reason="Allerede to fra A3",
        )
        client = login_as("fagsjef")
        url = reverse("networks:nomination_decide", args=[nomination.pk])
        assert "Allerede to fra A3" in client.get(url).content.decode()
        assert client.post(url, {"decision": "appoint"}).status_code == 403


class TestMandatePages:
    def test_network_page_warns_when_the_mandate_ends_within_six_months(self, world: World, login_as: LoginAs) -> None:
        mandate = world.network.mandates.get()
        from django.utils import timezone

        mandate.period_end = timezone.localdate() + __import__("datetime").timedelta(days=90)
        mandate.save()
        response = login_as("member").get(reverse("networks:detail", args=[world.network.pk]))
        assert response.context["mandate_expiring"] is True
        assert response.context["mandate_expired"] is False

    def test_coordinator_saves_a_new_version_from_the_form(self, world: World, login_as: LoginAs) -> None:
        client = login_as("coordinator")
        url = reverse("networks:mandate_create", args=[world.network.pk])
        form = client.get(url).context["form"]
        assert form.initial["purpose"] == "Samling om beste praksis."
        response = client.post(
            url,
            {
                "purpose": "Nytt formål",
                "tasks": [world.tasks[2].pk],
                "period_start": "2027-01-01",
                "min_meetings_per_year": 6,
                "meeting_form": "hybrid",
                "change_reason": "Fornyet mandat",
                "base_version": 1,
            },
        )
        assert response.status_code == 302
        assert response.url == reverse("networks:mandate_detail", args=[world.network.pk, 2])
        page = client.get(response.url).content.decode()
        assert "Nytt formål" in page
        assert "Samling om beste praksis." in page  # the change table shows the old text beside the new

    def test_a_stale_form_shows_the_conflict_and_saves_nothing(self, world: World, login_as: LoginAs) -> None:
        client = login_as("coordinator")
        url = reverse("networks:mandate_create", args=[world.network.pk])
        post = {
            "purpose": "Mitt forslag",
            "period_start": "2027-01-01",
            "min_meetings_per_year": 4,
            "meeting_form": "digital",
            "change_reason": "x",
            "base_version": 0,  # as if opened before version 1 existed
        }
        response = client.post(url, post)
        assert response.status_code == 200
        assert response.context["conflict"].version == 1
        assert "Mitt forslag" in response.content.decode()
        assert world.network.mandates.count() == 1

    def test_the_conflict_lists_only_what_differs_from_the_version_saved_meanwhile(
        self, world: World, login_as: LoginAs
    ) -> None:
        """The same tasks, ticked in both, are not a difference; the version saved meanwhile shows its reason."""
        client = login_as("coordinator")
        url = reverse("networks:mandate_create", args=[world.network.pk])
        post = {
            "tasks": [world.tasks[0].pk, world.tasks[1].pk],
            "period_start": "2027-01-01",
            "period_end": "2029-12-31",
            "min_meetings_per_year": 6,
            "meeting_form": "hybrid",
            "base_version": 1,  # both opened the form on version 1
        }
        assert client.post(url, {**post, "purpose": "Lagret først", "change_reason": "Ny periode"}).status_code == 302
        response = client.post(url, {**post, "purpose": "Mitt forslag", "change_reason": "Ny periode"})
        assert response.status_code == 200 and response.context["conflict"].version == 2
        form = response.context["form"]
        assert [(saved, mine) for _label, saved, mine in form.conflict_differences] == [
            ("Lagret først", "Mitt forslag")
        ]
        assert form["base_version"].value() == "2"  # saving again is a knowing choice against version 2
        assert 'id="conflict-differences"' in response.content.decode()
        assert (
            client.post(
                url, {**post, "purpose": "Mitt forslag", "change_reason": "Mitt", "base_version": 2}
            ).status_code
            == 302
        )
        assert world.network.mandates.count() == 3


class TestQueryCounts:
    """The network list runs the same number of queries however many networks and members there are."""

    def grow(self, world: World, networks: int) -> None:
        trust = make_trust(world.region_a)
        for _ in range(networks):
            network = make_network(world.region_a)
            for role in (AppointmentRole.LEADER, AppointmentRole.SECRETARY, AppointmentRole.MEMBER):
                appoint(network, make_user(trust=trust), role)

    def count(self, client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    @pytest.mark.parametrize("page", ["list", "detail", "home", "nominations"])
    def test_flat_as_data_grows(self, world: World, login_as: LoginAs, page: str) -> None:
        client = login_as("coordinator")
        url = {
            "list": reverse("networks:list"),
            "detail": reverse("networks:detail", args=[world.network.pk]),
            "home": reverse("home"),
            "nominations": reverse("networks:nominations"),
        }[page]
        client.get(reverse("home"))  # the person's access is read once and kept (fagnett.access)
        small = self.count(client, url)
        self.grow(world, 40)
        for person in list(world.network.appointments.all())[:2]:
            appoint(world.network, make_user(trust=world.trusts_a[0]), AppointmentRole.DEPUTY)
            del person
        assert self.count(client, url) == small

    def test_network_list_query_count_is_pinned(
        self, world: World, login_as: LoginAs, django_assert_num_queries
    ) -> None:
        client = login_as("coordinator")
        client.get(reverse("home"))  # session warm-up
        self.grow(world, 10)
        # the person (the session is a signed cookie, their access is kept: fagnett.access), the filter's region and
        # field choices (one query), and every matching network with its columns and leaders (the counts and the
        # paginator's total are counted from those rows)
        with django_assert_num_queries(3):
            client.get(reverse("networks:list"))


def test_htmx_filter_returns_only_the_results(world: World, login_as: LoginAs) -> None:
    client = login_as("coordinator")
    response = client.get(reverse("networks:list"), {"q": "øye"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="network-results"')
    assert "Øye" in html
    assert "Anestesi" not in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]  # the whole page and the part have the same address
    assert "HX-Request" in client.get(reverse("networks:list"), {"q": "øye"})["Vary"]


def test_language_choice_is_kept_on_the_person(world: World, login_as: LoginAs) -> None:
    client = login_as("member")
    assert 'lang="nb"' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    world["member"].refresh_from_db()
    assert world["member"].language == "en"
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    assert "My networks" in html
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    assert "Mine nettverk" in client.get(reverse("home")).content.decode()


def test_stale_network_edit_shows_the_saved_text_beside_the_persons_own(world: World, login_as: LoginAs) -> None:
    client = login_as("coordinator")
    url = reverse("networks:update", args=[world.network.pk])
    base = {
        "name": world.network.name,
        "code": "ANI",
        "field": "Anestesi",
        "kind": "network",
        "status": "active",
        "lock_version": 1,
    }
    assert client.post(url, {**base, "description": "Lagret først"}).status_code == 302
    response = client.post(url, {**base, "description": "Mitt forslag"})
    assert response.status_code == 200
    assert response.context["conflict"].description == "Lagret først"
    assert response.context["form"]["description"].value() == "Mitt forslag"
    # Only the field that differs is compared, the saved text beside the person's own.
    assert [(saved, mine) for _label, saved, mine in response.context["form"].conflict_differences] == [
        ("Lagret først", "Mitt forslag")
    ]
    assert 'id="conflict-differences"' in response.content.decode()
    world.network.refresh_from_db()
    assert world.network.description == "Lagret først"


def table_rows(html: str) -> list[list[str]]:
    """The cells' text of each row of the results table (not the filter form's options)."""
    tree = lxml.html.fromstring(html)
    return [[" ".join(td.text_content().split()) for td in tr.xpath("./td")] for tr in tree.xpath("//tbody/tr")]


class TestNetworkListColumnsAndFilters:
    def test_kind_filter_and_networks_counted_apart_from_subgroups(self, world: World, login_as: LoginAs) -> None:
        make_network(world.region_a, name="Fagrådet", kind=Network.Kind.COUNCIL, parent=world.network)
        make_network(world.region_a, name="Arbeidsgruppa", kind=Network.Kind.WORKING_GROUP, parent=world.network)
        make_network(world.region_a, name="Sekretærforum", kind=Network.Kind.FORUM)
        client = login_as("coordinator")
        html = client.get(reverse("networks:list")).content.decode()
        assert "2 nettverk, 1 forum, 2 undergrupper" in html
        html = client.get(reverse("networks:list"), {"kind": Network.Kind.COUNCIL}).content.decode()
        assert "0 nettverk, 1 undergruppe" in html
        assert [row[0].split(" Fagråd")[0] for row in table_rows(html)] == ["Fagrådet"]
        html = client.get(reverse("networks:list"), {"kind": "nonsense"}).content.decode()
        assert "Velg et gyldig valg" in html  # a clear message, and the unfiltered list

    def test_the_kept_filter_fields_show_what_each_person_asked_and_may_choose(self, world: World) -> None:
        """The form's fields are rendered once and kept (core.rows.form_fields_html): apart per search, per person's
        regions and fields, and per language."""

        def form(client: Client, **query: str) -> lxml.html.HtmlElement:
            return lxml.html.fromstring(client.get(reverse("networks:list"), query).content).xpath("//form[@role]")[0]

        coordinator, coordinator_b = Client(), Client()
        coordinator.force_login(world["coordinator"])
        coordinator_b.force_login(world["coordinator_b"])
        assert form(coordinator, q="øye").xpath(".//input[@name='q']/@value") == ["øye"]
        assert form(coordinator, q="anestesi").xpath(".//input[@name='q']/@value") == ["anestesi"]
        assert form(coordinator).xpath(".//input[@name='q']/@value") == []
        selected = ".//select[@name='status']/option[@selected]/@value"
        assert form(coordinator, status="active").xpath(selected) == ["active"]
        assert form(coordinator).xpath(selected) == [""]
        assert form(coordinator).xpath(".//select[@name='field']/option/@value") == ["", "Anestesi", "Øyesykdommer"]
        assert form(coordinator_b).xpath(".//select[@name='field']/option/@value") == ["", "Intensivmedisin"]
        assert form(coordinator_b).xpath(".//select[@name='region']/option/text()")[1:] == ["Region B RHF"]
        assert form(coordinator).xpath(".//select[@name='status']/option/text()")[0] == "Alle statuser"
        world["coordinator"].language = "en"
        world["coordinator"].save(update_fields=["language"])
        assert form(coordinator).xpath(".//select[@name='status']/option/text()")[0] == "All statuses"

    def test_concern_filter_keeps_to_the_regions_the_person_sees(self, world: World, login_as: LoginAs) -> None:
        html = login_as("coordinator_b").get(reverse("networks:list"), {"concern": "no_secretary"}).content.decode()
        assert "Intensiv Nord" in html and "Øye" not in html


class TestNominationList:
    def nominate(self, world: World, n: int) -> None:
        for i in range(n):
            appoint(
                world.other_network,
                make_user(trust=world.trusts_a[2], first_name=f"Nominert{i}"),
                status=Appointment.Status.NOMINATED,
                nominated_by=world["fagsjef"],
                nominated_at=timezone.now(),
            )

    def test_paged_waiting_first_and_filtered(self, world: World, login_as: LoginAs) -> None:
        self.nominate(world, 52)
        client = login_as("coordinator")
        html = client.get(reverse("networks:nominations")).content.decode()
        assert "57 nominasjoner" in html  # the world's five appointments and the 52 waiting
        assert "Side 1 av 2" in html
        rows = table_rows(html)
        assert len(rows) == 50
        assert all(row[0].startswith("Nominert") for row in rows)  # the appointed ones come after the 52 waiting
        html = client.get(reverse("networks:nominations"), {"status": "appointed"}).content.decode()
        people = [row[0] for row in table_rows(html)]
        assert len(people) == 5 and not any(p.startswith("Nominert") for p in people)
        html = client.get(reverse("networks:nominations"), {"q": "nominert7"}).content.decode()
        assert "1 nominasjon" in html and [row[0] for row in table_rows(html)] == ["Nominert7 Testesen"]
        html = client.get(reverse("networks:nominations"), {"network": world.network.pk}).content.decode()
        assert not any(row[0].startswith("Nominert") for row in table_rows(html))
        html = client.get(reverse("networks:nominations"), {"trust": world.trusts_a[2].pk, "role": "member"})
        assert "52 nominasjoner" in html.content.decode()

    def test_fagsjef_sees_their_own_nominations_only(self, world: World, login_as: LoginAs) -> None:
        self.nominate(world, 2)
        appoint(world.network, make_user(trust=world.trusts_a[0]), status=Appointment.Status.NOMINATED)
        html = login_as("fagsjef").get(reverse("networks:nominations")).content.decode()
        assert "2 nominasjoner" in html

    def test_query_count_is_pinned(self, world: World, login_as: LoginAs, django_assert_num_queries) -> None:
        client = login_as("coordinator")
        client.get(reverse("home"))  # session warm-up
        self.nominate(world, 60)
        # the person (session and access cost none), network and trust choices (2), count, the page
        with django_assert_num_queries(5):
            client.get(reverse("networks:nominations"), {"status": "nominated"})
