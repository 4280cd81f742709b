"""The shared components built from data: breadcrumbs, status tags, the filtered list and the step page."""

from collections.abc import Callable, Iterator
from typing import Any

import lxml.html
import pytest
from django.apps import apps
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fagnett.capacity import services as capacity_services
from fagnett.capacity.models import Assessment
from fagnett.cases.models import Case
from fagnett.cases.selectors import ConsultationRow
from fagnett.meetings.models import Minutes
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Network
from fagnett.opendata import services as opendata_services
from fagnett.provisioning import services as provisioning_services
from fagnett.provisioning.models import ScimToken
from fagnett.reports.models import NetworkReport
from tests.factories import World

LoginAs = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _bokmal() -> Iterator[None]:
    """Texts in bokmål, whatever language an earlier test left active."""
    with translation.override("nb"):
        yield


def _render(source: str, **context: object) -> str:
    return Template("{% load components %}" + source).render(Context(context))


def _crumbs(html: str) -> list[tuple[str, str | None, str | None]]:
    """(text, link, aria-current) of each crumb of the one trail on the page."""
    navs = lxml.html.fromstring(html).xpath("//nav[@class='ds-breadcrumbs']")
    assert len(navs) == 1, html
    return [
        (li.text_content().strip(), (li.xpath("./a/@href") or [None])[0], li.get("aria-current"))
        for li in navs[0].xpath("./ol/li")
    ]


class TestBreadcrumbs:
    def test_pairs_of_label_and_link_then_the_page_itself(self, world: World) -> None:
        network = world.network
        html = _render('{% breadcrumbs "Nettverk" "networks:list" network.name network "Mandat" %}', network=network)
        assert _crumbs(html) == [
            ("Nettverk", reverse("networks:list"), None),
            (network.name, network.get_absolute_url(), None),
            ("Mandat", None, "page"),
        ]
        nav = lxml.html.fromstring(html).xpath("//nav")[0]
        assert nav.get("aria-label") == "Brødsmulesti"

    def test_an_empty_label_leaves_its_crumb_out_and_an_empty_link_shows_plain_text(self, world: World) -> None:
        html = _render('{% breadcrumbs "Saker" "/cases/" parent.name parent "Intensiv" "" "2026/001" %}', parent=None)
        assert _crumbs(html) == [("Saker", "/cases/", None), ("Intensiv", None, None), ("2026/001", None, "page")]

    def test_without_a_last_label_the_trail_ends_at_a_link(self) -> None:
        assert _crumbs(_render('{% breadcrumbs "Kapasitet" "/capacity/" "Runde" "/capacity/rounds/1/" %}')) == [
            ("Kapasitet", "/capacity/", None),
            ("Runde", "/capacity/rounds/1/", None),
        ]

    def test_a_kept_trail_is_continued_by_the_next_tag(self) -> None:
        html = _render('{% breadcrumbs "A" "/a/" as trail %}{% breadcrumbs trail "B" "/b/" "C" %}')
        assert _crumbs(html) == [("A", "/a/", None), ("B", "/b/", None), ("C", None, "page")]

    def test_labels_are_escaped(self) -> None:
        assert "&lt;b&gt;" in _render("{% breadcrumbs label %}", label="<b>")

    def test_a_subgroup_page_has_one_trail_with_designsystemets_chevrons_only(
        self, world: World, login_as: LoginAs
    ) -> None:
        # The page once had class="ds-breadcrumbs breadcrumbs": Designsystemet's chevron and our "›" both showed.
        parent = world.network
        group = Network.objects.create(
            region=parent.region,
            name="Barneanestesi",
            field=parent.field,
            kind=Network.Kind.WORKING_GROUP,
            parent=parent,
        )
        html = login_as("coordinator").get(group.get_absolute_url()).content.decode()
        assert 'class="ds-breadcrumbs breadcrumbs"' not in html
        assert _crumbs(html) == [
            ("Nettverk", reverse("networks:list"), None),
            (parent.name, parent.get_absolute_url(), None),
            ("Barneanestesi", None, "page"),
        ]

    def test_the_peoples_pages_use_the_component(self, world: World, login_as: LoginAs) -> None:
        # They wrote their own <nav class="breadcrumbs">, which no CSS styles: a numbered list, no chevrons.
        html = login_as("coordinator").get(reverse("people:list", args=[world.region_a.pk])).content.decode()
        assert _crumbs(html) == [("Region", reverse("region"), None), ("Personer og roller", None, "page")]

    def test_no_template_writes_its_own_trail(self) -> None:
        """Every trail is the component, so each has Designsystemet's chevrons and no other."""
        from pathlib import Path

        from django.conf import settings

        component = Path("core/templates/components/breadcrumbs.html")
        own = [
            str(path.relative_to(settings.BASE_DIR))
            for path in (Path(settings.BASE_DIR) / "fagnett").rglob("*.html")
            if not str(path).endswith(str(component)) and "'Breadcrumbs'" in path.read_text(encoding="utf-8")
        ]
        assert own == []


def _tag(html: str) -> tuple[str, str | None]:
    spans = lxml.html.fragment_fromstring(html, create_parent="div").xpath("span[@class='ds-tag']")
    assert len(spans) == 1, html
    return spans[0].text_content(), spans[0].get("data-color")


class TestStatusTag:
    def test_a_records_status_with_the_colour_its_model_gives_it(self) -> None:
        case = Case(status=Case.Status.ESCALATED)
        assert _tag(_render("{% status_tag case %}", case=case)) == (case.get_status_display(), "danger")
        minutes = Minutes(status=Minutes.Status.CIRCULATED)
        assert _tag(_render("{% status_tag minutes %}", minutes=minutes)) == (minutes.get_status_display(), "info")

    def test_another_field_and_a_label_from_a_property(self) -> None:
        assessment = Assessment(verdict=Assessment.Verdict.MARGINAL)
        html = _render('{% status_tag a "verdict" %}', a=assessment)
        assert _tag(html) == (assessment.get_verdict_display(), "warning")
        row = ConsultationRow(kind="user_involvement", label="Brukermedvirkning", consultation=None)
        assert _tag(_render('{% status_tag row "state" %}', row=row)) == (str(row.state_label), "info")

    def test_a_bare_value_with_its_model_and_a_label_for_nothing(self) -> None:
        html = _render('{% status_tag "submitted" model="reports.NetworkReport" %}')
        assert _tag(html) == (str(NetworkReport.Status.SUBMITTED.label), "info")
        assert _tag(_render('{% status_tag "" model="reports.NetworkReport" empty="Ikke startet" %}')) == (
            "Ikke startet",
            "neutral",
        )
        assert _tag(_render('{% status_tag report empty="Ikke startet" %}', report=None)) == ("Ikke startet", "neutral")
        assert _render("{% status_tag report %}", report=None) == ""

    @pytest.mark.parametrize(
        ("model", "field"),
        [
            (model, name.removesuffix("_COLORS").lower())
            for model in apps.get_models()
            for name in vars(model)
            if name.endswith("_COLORS") and name.isupper()
        ],
    )
    def test_every_colour_table_names_its_own_values_and_designsystemet_colours(self, model: Any, field: str) -> None:
        colors = getattr(model, f"{field.upper()}_COLORS")
        assert set(colors.values()) <= {"success", "warning", "danger", "info", "neutral"}
        values = {value for value, _label in model._meta.get_field(field).flatchoices} if field != "phase" else set()
        if field == "phase":  # an event's phase: its statuses, and "held" once it is past
            values = {*model.Status.values, "held"}
        assert set(colors) == values, f"{model.__name__}.{field.upper()}_COLORS"


class TestPagination:
    def test_the_page_links_keep_the_filters(self, world: World, login_as: LoginAs) -> None:
        Network.objects.bulk_create(
            Network(region=world.region_a, name=f"Kardiologi {n:02}", field="Kardiologi") for n in range(55)
        )
        client = login_as("coordinator")
        url = reverse("networks:list")

        def links(query: str) -> dict[str, str]:
            doc = lxml.html.fromstring(client.get(f"{url}?{query}").content.decode())
            return {a.text_content(): a.get("href") for a in doc.xpath("//nav[@aria-label='Sider']//a")}

        assert links("q=kardio&status=") == {"Neste": "?q=kardio&status=&page=2"}
        assert links("q=kardio&status=&page=2") == {"Forrige": "?q=kardio&status=&page=1"}


class TestStepPage:
    def test_a_step_page_has_its_heading_form_button_and_way_back(self, world: World, login_as: LoginAs) -> None:
        meeting = make_meeting(world.network)
        html = login_as("leader").get(reverse("meetings:cancel", args=[meeting.pk])).content.decode()
        main = lxml.html.fromstring(html).xpath("//main")[0]
        assert main.xpath("string(.//h1)").strip().startswith("Avlys møtet")
        form = main.xpath(".//form[@method='post']")[0]
        assert form.xpath(".//input[@name='csrfmiddlewaretoken']")
        button = form.xpath(".//button[@type='submit']")[0]
        assert (button.text_content().strip(), button.get("data-color")) == ("Avlys møtet", "danger")
        assert form.xpath(".//a[@class='ds-link']/@href") == [meeting.get_absolute_url()]
        assert form.xpath("string(.//a[@class='ds-link'])").strip() == "Behold møtet"


# The three pages of issued keys: (URL of the page, its revoke URL name and leading arguments, make a key,
# end a key, what the issue form posts besides the name, the key's type, whether a trust column comes first).
def _key_pages(world: World) -> dict[str, tuple[str, str, list[int], Any, Any, dict[str, Any], str, bool]]:
    region, trust, coordinator = world.region_a, world.trusts_a[0], world["coordinator"]
    return {
        "opendata": (
            reverse("opendata:api_keys", args=[region.pk]),
            "opendata:api_key_revoke",
            [region.pk],
            lambda name: opendata_services.region_api_key_create(user=coordinator, region=region, name=name)[0],
            lambda key: opendata_services.region_api_key_revoke(user=coordinator, key=key),
            {},
            "fnod_",
            False,
        ),
        "provisioning": (
            reverse("provisioning:scim_keys", args=[region.pk]),
            "provisioning:scim_key_revoke",
            [region.pk],
            lambda name: provisioning_services.scim_token_create(user=coordinator, region=region, name=name)[0],
            lambda key: provisioning_services.scim_token_revoke(user=coordinator, key=key),
            {},
            ScimToken.key_type,
            False,
        ),
        "capacity": (
            reverse("capacity:api_keys"),
            "capacity:api_key_withdraw",
            [],
            lambda name: capacity_services.api_token_create(user=coordinator, trust=trust, name=name)[0],
            lambda key: capacity_services.api_token_revoke(user=coordinator, token=key),
            {"trust": trust.pk},
            "fncap_",
            True,
        ),
    }


class TestKeyList:
    @pytest.mark.parametrize("page_name", ["opendata", "provisioning", "capacity"])
    def test_each_key_page_lists_its_keys_ends_only_working_ones_and_shows_a_new_key_once(
        self, world: World, login_as: LoginAs, page_name: str
    ) -> None:
        url, revoke, revoke_args, make, end, extra, key_type, trust_column = _key_pages(world)[page_name]
        working, ended = make("Analyseportalen"), make("Gammelt system")
        end(ended)
        client = login_as("coordinator")
        response = client.get(url)
        assert response.status_code == 200
        doc = lxml.html.fromstring(response.content)
        table = doc.xpath("//table[caption[normalize-space()='Utstedte nøkler']]")
        assert len(table) == 1
        assert len(table[0].xpath("./thead/tr/th")) == 6 + trust_column
        rows = {tr.xpath("./td")[trust_column].text_content().strip(): tr for tr in table[0].xpath("./tbody/tr")}
        assert set(rows) == {"Analyseportalen", "Gammelt system"}
        if trust_column:
            assert rows["Analyseportalen"].xpath("./td")[0].text_content().strip() == world.trusts_a[0].name
        cells = rows["Analyseportalen"].xpath("./td")
        assert cells[1 + trust_column].text_content().strip() == f"{working.prefix}…"
        # Only the working key has a button, posting to its own address with the CSRF token.
        forms = rows["Analyseportalen"].xpath(".//form")
        assert [f.get("action") for f in forms] == [reverse(revoke, args=[*revoke_args, working.pk])]
        assert forms[0].xpath(".//input[@name='csrfmiddlewaretoken']/@value")
        assert "Analyseportalen" in forms[0].xpath(".//button")[0].text_content()
        assert not rows["Gammelt system"].xpath(".//form")
        assert not doc.xpath("//*[@id='new-key']")
        # Issuing a key shows it this once, above the list that now holds it.
        issued = client.post(url, {"name": "Nytt system", **extra})
        assert issued.status_code == 200
        shown = lxml.html.fromstring(issued.content).xpath("//code[@id='new-key']")
        assert len(shown) == 1 and shown[0].text.startswith(key_type)
        assert "Nytt system" in issued.content.decode()
        assert key_type in client.get(url).content.decode()  # the prefixes of the keys
        assert not lxml.html.fromstring(client.get(url).content).xpath("//*[@id='new-key']")

    def test_a_page_without_keys_says_so_and_still_offers_the_form(self, world: World, login_as: LoginAs) -> None:
        response = login_as("coordinator").get(reverse("capacity:api_keys"))
        doc = lxml.html.fromstring(response.content)
        assert not doc.xpath("//table[caption[normalize-space()='Utstedte nøkler']]")
        assert "Ingen nøkler er utstedt ennå." in response.content.decode()
        assert doc.xpath("//section[@aria-labelledby='issue-heading']//form[@method='post']//input[@name='name']")
