"""The shared components built from data: breadcrumbs, status tags, the filtered list and the step page."""

from collections.abc import Callable

import lxml.html
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from fagnett.core.testing import World
from fagnett.networks.models import Network

LoginAs = Callable[[str], Client]


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
