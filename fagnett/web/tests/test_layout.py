"""The page layout's kept parts (``web/templatetags/layout.py``): the header is made once per menu and language, and
each request still gets its own name, address and CSRF token, escaped."""

import re
from collections.abc import Iterator

import pytest
from django.middleware.csrf import CSRF_SESSION_KEY, _unmask_cipher_token
from django.test import Client
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def language_kept() -> Iterator[None]:
    """A request in English leaves the thread in English; the tests after these must not inherit it."""
    language = translation.get_language()
    yield
    translation.activate(language)


def _header(client: Client, path: str) -> lxml_html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200
    return lxml_html.fromstring(response.content).xpath("//header")[0]


def test_each_person_sees_their_own_name_and_menu(world: World) -> None:
    coordinator, member = Client(), Client()
    coordinator.force_login(world["coordinator"])
    member.force_login(world["member"])
    networks = reverse("networks:list")
    one, other = _header(coordinator, networks), _header(member, networks)
    assert one.xpath("string(.//span[@class='site-user'])") == str(world["coordinator"])
    assert other.xpath("string(.//span[@class='site-user'])") == str(world["member"])
    # The coordinator sees the region's menu item; the member does not (the header is kept per menu, not shared).
    assert reverse("region") in one.xpath(".//nav//a/@href") and reverse("region") not in other.xpath(".//nav//a/@href")


def test_the_current_section_and_the_address_to_come_back_to_follow_the_page(world: World, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("coordinator")
    on_cases = _header(client, reverse("cases:list") + "?q=a&status=open")
    assert on_cases.xpath(".//a[@aria-current='page']/@href") == [reverse("cases:list")]
    assert on_cases.xpath(".//input[@name='next']/@value") == [reverse("cases:list") + "?q=a&status=open"]
    on_home = _header(client, reverse("home"))
    assert on_home.xpath(".//a[@aria-current='page']/@href") == [reverse("home")]
    assert on_home.xpath(".//input[@name='next']/@value") == [reverse("home")]


def test_a_name_with_markup_is_escaped(world: World, login_as) -> None:  # type: ignore[no-untyped-def]
    person = world["member"]
    person.first_name, person.last_name = "<b>Ola", "{csrf} & Co"
    person.save()
    response = login_as("member").get(reverse("home"))
    assert b'<span class="site-user">&lt;b&gt;Ola {csrf} &amp; Co</span>' in response.content


def test_the_forms_carry_this_sessions_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["member"])
    header = _header(client, reverse("home"))
    tokens = header.xpath(".//input[@name='csrfmiddlewaretoken']/@value")
    assert len(tokens) == 2 and all(re.fullmatch(r"[A-Za-z0-9]{64}", token) for token in tokens)
    secret = client.session.get(CSRF_SESSION_KEY) or client.cookies["csrftoken"].value
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    # And the language form posts with it.
    response = client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302


def test_the_header_is_in_the_persons_language(world: World, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("member")
    assert _header(client, reverse("home")).xpath("string(.//button[@name='language'])") == "English"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    header = _header(client, reverse("home"))
    assert header.xpath("string(.//button[@name='language'])") == "Norsk"
    assert "Networks" in header.xpath(".//nav//a/text()")
