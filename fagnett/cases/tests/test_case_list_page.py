"""The case list's page (issue 23): keyset pages through plain links, filters kept, choices cached but never stale."""

import datetime
import re
from collections.abc import Callable
from html import unescape

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases import selectors, services
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust
from tests.factories import World, make_network, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def _cases(world: World, n: int, *, status: str = Case.Status.RECEIVED, ties: int = 1) -> list[Case]:
    """``n`` cases, ``ties`` of them at each moment (the id then decides the order)."""
    start = timezone.now() - datetime.timedelta(days=1)
    return [
        make_case(world, status=status, title=f"Sak {i}", submitted_at=start - datetime.timedelta(minutes=i // ties))
        for i in range(n)
    ]


def _links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="ds-pagination pagination".*?</nav>', html, re.S)
    if nav is None:
        return {}
    return {text: unescape(href) for href, text in re.findall(r'href="([^"]*)">([^<]*)</a>', nav.group(0))}


def _walk(client: Client, url: str) -> tuple[list[int], list[str]]:
    """Every row's id following "Neste" from ``url`` to the end, and the addresses of the pages."""
    seen: list[int] = []
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen.extend(row.pk for row in response.context["page"].object_list)
        pages.append(url)
        nxt = _links(response.content.decode()).get("Neste")
        url = f"{reverse('cases:list')}{nxt}" if nxt else ""
    return seen, pages


def test_next_links_walk_every_case_once_in_order_and_keep_the_filters(world: World, login_as: LoginAs) -> None:
    made = _cases(world, 120, ties=3)  # three cases a minute: the id breaks the ties
    make_case(world, status=Case.Status.CLOSED, title="Lukket")  # filtered out
    client = login_as("coordinator")
    seen, pages = _walk(client, f"{reverse('cases:list')}?status=received")
    expected = list(
        Case.objects.filter(pk__in=[c.pk for c in made]).order_by("-submitted_at", "-pk").values_list("pk", flat=True)
    )
    assert seen == expected
    assert len(pages) == 3 and all("status=received" in page for page in pages)
    last = client.get(pages[-1])
    assert last.context["page"].count == 120  # the count is of the whole list, on every page
    # Back from the last page: the same rows as the page before it, and a way to the first page.
    links = _links(last.content.decode())
    assert set(links) == {"Første side", "Forrige"}
    back = client.get(f"{reverse('cases:list')}{links['Forrige']}")
    assert [row.pk for row in back.context["page"].object_list] == expected[50:100]
    assert "status=received" in links["Forrige"] and "after" not in links["Forrige"]
    # Back once more is the first page: no "Forrige" there.
    again = _links(back.content.decode())
    first = client.get(f"{reverse('cases:list')}{again['Forrige']}")
    assert [row.pk for row in first.context["page"].object_list] == expected[:50]
    assert set(_links(first.content.decode())) == {"Neste"}


def test_a_mangled_cursor_shows_the_first_page(world: World, login_as: LoginAs) -> None:
    made = _cases(world, 3)
    response = login_as("coordinator").get(reverse("cases:list"), {"after": "x'; drop", "before": "12-"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].object_list] == [c.pk for c in made]


def test_a_cursor_round_trips() -> None:
    at = datetime.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=datetime.UTC)
    cursor = selectors.CaseCursor(at, 42)
    assert selectors.CaseCursor.parse(cursor.token()) == cursor
    assert selectors.CaseCursor.parse("") is None and selectors.CaseCursor.parse("1-2-3") is None


def test_rows_carry_labels_addresses_and_dates_made_once(world: World, login_as: LoginAs) -> None:
    case = make_case(world, due_date=timezone.localdate() - datetime.timedelta(days=2), trust=world.trusts_a[0])
    row = login_as("coordinator").get(reverse("cases:list")).context["page"].object_list[0]
    assert (row.pk, row.url, row.reference, row.title) == (case.pk, case.get_absolute_url(), case.reference, case.title)
    assert (row.status_label, row.status_color, row.source) == ("Mottatt", "info", "Meldt av en ansatt")
    assert row.due == case.due_date.strftime("%d.%m.%Y") and row.overdue
    assert (row.network, row.origin) == (world.network.name, world.trusts_a[0].short_name)


def test_a_new_network_or_renamed_trust_shows_in_the_filter_at_once(world: World, login_as: LoginAs) -> None:
    client = login_as("coordinator")
    before = client.get(reverse("cases:list")).content.decode()
    assert "Nytt nettverk" not in before
    make_network(world.region_a, name="Nytt nettverk")
    trust = HealthTrust.objects.get(pk=world.trusts_a[0].pk)
    trust.name = "Omdøpt HF"
    trust.save()
    after = client.get(reverse("cases:list")).content.decode()
    assert "Nytt nettverk" in after and "Omdøpt HF" in after


def test_a_network_of_another_region_is_refused_as_a_filter(world: World, login_as: LoginAs) -> None:
    make_case(world)
    response = login_as("coordinator").get(reverse("cases:list"), {"network": world.network_b.pk})
    assert response.context["form"].errors["network"]


def test_a_kept_filter_form_follows_its_choices(world: World, login_as: LoginAs) -> None:
    """A checked filter form is kept per what was asked and the choices: the same question after a network closes
    (no longer a choice) is refused, not answered from the form kept before."""
    network = make_network(world.region_a, name="Snart lukket")
    make_case(world, network=network, title="I nettverket")
    make_case(world, title="Utenfor")
    client = login_as("coordinator")
    kept = client.get(reverse("cases:list"), {"network": network.pk})
    assert not kept.context["form"].errors
    assert [row.title for row in kept.context["page"].object_list] == ["I nettverket"]
    assert client.get(reverse("cases:list"), {"network": network.pk}).context["form"] is kept.context["form"]
    network.status = Network.Status.CLOSED
    network.save()
    refused = client.get(reverse("cases:list"), {"network": network.pk})
    assert refused.context["form"].errors["network"]
    assert {row.title for row in refused.context["page"].object_list} == {"I nettverket", "Utenfor"}


def test_a_filter_form_with_errors_is_not_kept(world: World, login_as: LoginAs) -> None:
    """A refused filter is checked on every request, its message in each reader's language."""
    client = login_as("coordinator")
    first = client.get(reverse("cases:list"), {"network": world.network_b.pk})
    again = client.get(reverse("cases:list"), {"network": world.network_b.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert first.context["form"] is not again.context["form"] and again.context["form"].errors["network"]


def test_a_deep_page_runs_as_many_queries_as_the_first(world: World, login_as: LoginAs) -> None:
    _cases(world, 160)
    client = login_as("coordinator")
    client.get(reverse("cases:list"))  # the session's first save, the choices cached
    with CaptureQueriesContext(connection) as first:
        response = client.get(reverse("cases:list"))
    deep = _links(response.content.decode())["Neste"]
    deeper = _links(client.get(f"{reverse('cases:list')}{deep}").content.decode())["Neste"]
    with CaptureQueriesContext(connection) as third:
        assert client.get(f"{reverse('cases:list')}{deeper}").context["page"].object_list
    assert len(third) == len(first)


def test_the_kept_filter_form_shows_what_each_request_asked_in_its_language(world: World, login_as: LoginAs) -> None:
    """The filter's HTML is kept per worker (core.rows.form_fields_html): another search, another choice, a network's
    list without the network filter and English must each show as asked, and a refused filter its error."""
    client = login_as("coordinator")
    first = client.get(reverse("cases:list"), {"q": "hjerte", "status": "closed"}).content.decode()
    assert 'value="hjerte"' in first and '<option value="closed" selected>' in first
    second = client.get(reverse("cases:list"), {"q": "lunge"}).content.decode()
    assert 'value="lunge"' in second and 'value="hjerte"' not in second
    assert '<option value="closed" selected>' not in second
    network_page = client.get(reverse("cases:network", args=[world.network.pk]), {"q": "lunge"}).content.decode()
    assert 'name="network"' not in network_page and 'name="network"' in second
    refused = client.get(reverse("cases:list"), {"q": "lunge", "year": "1800"}).content.decode()
    assert "ds-error-summary" in refused
    User.objects.filter(pk=world["coordinator"].pk).update(language="en")
    english = client.get(reverse("cases:list"), {"q": "lunge"}).content.decode()
    assert "All statuses" in english and "Alle statuser" in second


def test_common_rows_carry_the_titles_dates_and_counts_case_list_gives(world: World, login_as: LoginAs) -> None:
    """The page reads its common cases' titles and counts in its own statement (``_page_statement``); held to
    ``case_list``'s annotated subqueries, with some networks' cases answered, for the lists that collapse common
    cases."""
    sent = [
        services.common_case_send(
            user=world["coordinator"],
            region=world.region_a,
            networks=None,
            data={"title": f"Felles {i}", "description": "D", "due_date": timezone.localdate() + datetime.timedelta(i)},
        )
        for i in range(3)
    ]
    Case.objects.filter(common_case=sent[1]).update(status=Case.Status.CLOSED)
    Case.objects.filter(pk=Case.objects.filter(common_case=sent[2]).order_by("pk").values("pk")[:1]).update(
        status=Case.Status.RECOMMENDATION_GIVEN
    )
    make_case(world, title="Egen sak")
    for url in (reverse("cases:list"), reverse("cases:mine")):
        shown = login_as("coordinator").get(url).context["page"].object_list
        filters = selectors.CaseFilters(mine=url == reverse("cases:mine"))
        expected = {
            c.common_case_id: (
                c.common_case.title,
                f"{c.common_case.due_date:%d.%m.%Y}",
                c.common_sent,
                c.common_answered,
            )
            for c in selectors.case_list(user=world["coordinator"], filters=filters)
            if c.common_row
        }
        got = {r.common_case_id: (r.title, r.due, r.common_sent, r.common_answered) for r in shown if r.common_row}
        assert got == expected and len(got) == 3
        assert {counts[2:] for counts in got.values()} == {(2, 0), (2, 2), (2, 1)}


# --- The page's hand-written statement, held to case_list (the ORM query it replaced) --------------------------------


def _mixed_world(world: World) -> None:
    """Cases of every kind the statement tells apart: both regions, every network and none, trusts, statuses, years,
    due dates either side of today, ties in time, words with æøå, and two common cases (one answered by a network)."""
    now = timezone.now()
    today = timezone.localdate()
    people = ["employee", "leader", "member", "coordinator", "fagsjef", "other_member"]
    networks = [world.network, world.other_network, None]
    statuses = [Case.Status.RECEIVED, Case.Status.IN_PROGRESS, Case.Status.CLOSED, Case.Status.RECOMMENDATION_GIVEN]
    for i in range(24):
        make_case(
            world,
            title=f"Sak {i} om {'overflytting' if i % 3 else 'Ålesund økt behov'}",
            network=networks[i % 3],
            submitted_by=world[people[i % len(people)]],
            # Three cases a minute: a page of three then ends inside a tie (the id breaks it) past the row read ahead.
            submitted_at=now - datetime.timedelta(minutes=i // 3),
            status=statuses[i % 4],
            trust=world.trusts_a[i % 3] if i % 4 else None,
            due_date=today + datetime.timedelta(days=i % 3 - 1),
            year=2025 if i % 5 == 0 else today.year,
        )
    make_case(world, title="Nord", network=world.network_b, submitted_by=world["fagsjef_b"], trust=world.trust_b)
    for i, title in enumerate(("Felles om overflytting", "Felles om Ålesund")):
        services.common_case_send(
            user=world["coordinator"],
            region=world.region_a,
            networks=None,
            data={"title": title, "description": "D", "due_date": today + datetime.timedelta(days=i - 1)},
        )
    answered = Case.objects.filter(common_case__title="Felles om Ålesund").order_by("pk").first()
    assert answered is not None
    Case.objects.filter(pk=answered.pk).update(status=Case.Status.RECOMMENDATION_GIVEN)


def _orm(user: User, filters: selectors.CaseFilters) -> list[tuple[object, ...]]:
    return [
        (c.pk, bool(getattr(c, "common_row", False)))
        + ((c.common_case_id, c.common_case.title, c.common_sent, c.common_answered, c.region.short_name)
           if getattr(c, "common_row", False)
           else (c.title, c.network.name if c.network else "", (c.trust and c.trust.short_name) or c.region.short_name))
        for c in selectors.case_list(user=user, filters=filters)
    ]  # fmt: skip


def _walked(user: User, filters: selectors.CaseFilters) -> tuple[list[tuple[object, ...]], set[int]]:
    """Every row of the list, page by page (three rows a page) to its end and back, and the counts the pages gave."""
    counts, pages, after = set(), [], None
    while True:
        page = selectors.case_list_page(user=user, filters=filters, after=after, size=3)
        counts.add(page.count)
        pages.append(page.object_list)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    before = page.previous_cursor
    for expected in reversed(pages[:-1]):  # back from the last page to the first, by "Previous"
        assert before is not None
        page = selectors.case_list_page(user=user, filters=filters, before=before, size=3)
        assert page.object_list == expected
        before = page.previous_cursor
    assert before is None and page.first
    rows = [
        (r.pk, r.common_row) + ((r.common_case_id, r.title, r.common_sent, r.common_answered, r.origin) if r.common_row
                                else (r.title, r.network, r.origin))
        for page_rows in pages
        for r in page_rows
    ]  # fmt: skip
    return rows, counts


FILTERS = [
    {},
    {"status": "open"},
    {"status": Case.Status.CLOSED, "year": 2025},
    {"overdue": True},
    {"q": "overflytting"},
    {"q": "ÅLESUND økt"},
    {"q": "50%_"},
    {"trust": 2},
    {"mine": True},
    {"unrouted": True},
    {"network": "network"},
    {"network": "network", "status": "open", "q": "sak"},
]


@pytest.mark.parametrize(
    "role", ["coordinator", "director", "leader", "member", "other_member", "fagsjef", "employee", "coordinator_b"]
)
def test_the_page_statement_gives_case_lists_rows_counts_and_common_cases(world: World, role: str) -> None:
    """Each person and filter: the same rows in the same order as ``case_list`` (walked three at a time both ways),
    the common cases collapsed into the same rows with the same counts, and the whole list's count on every page."""
    _mixed_world(world)
    user = world[role]
    for asked in FILTERS:
        values = dict(asked)
        if values.get("network") == "network":
            values["network"] = world.network.pk
        if values.get("trust"):
            values["trust"] = world.trusts_a[1].pk
        filters = selectors.CaseFilters(**values)  # type: ignore[arg-type]
        expected = _orm(user, filters)
        rows, counts = _walked(user, filters)
        assert rows == expected, asked
        assert counts == {len(expected)}, asked
    everything = _orm(user, selectors.CaseFilters())
    assert everything, "each person sees some cases"
    if role == "coordinator":  # the common cases are collapsed into one row each, with their counts
        commons = {row[3:] for row in everything if row[1]}
        assert commons == {("Felles om overflytting", 2, 0, "RA"), ("Felles om Ålesund", 2, 1, "RA")}


def test_the_page_statement_gives_a_superuser_every_case(world: World) -> None:
    _mixed_world(world)
    admin = make_user("admin", is_superuser=True)
    for filters in (selectors.CaseFilters(), selectors.CaseFilters(q="overflytting"), selectors.CaseFilters(year=2025)):
        rows, counts = _walked(admin, filters)
        assert rows == _orm(admin, filters) and counts == {len(rows)}


def test_a_case_number_is_found_with_or_without_the_networks_code(world: World) -> None:
    case = make_case(world, title="Nummer")
    assert case.reference.startswith(f"{world.network.code}-")
    user = world["coordinator"]
    for q in (case.reference, case.reference.lower().replace("-", " "), f"{case.year}/{case.number:03d}"):
        filters = selectors.CaseFilters(q=q)
        rows, _ = _walked(user, filters)
        assert rows == _orm(user, filters) and (case.pk, False, "Nummer", world.network.name, "RA") in rows, q


def test_an_empty_page_still_counts_the_list(world: World) -> None:
    """A cursor past the list's end gives no rows but the list's count (the statement's row of the count alone)."""
    _cases(world, 2)
    far = selectors.CaseCursor(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC), 1).token()
    page = selectors.case_list_page(user=world["coordinator"], after=far)
    assert (page.object_list, page.count, page.next_cursor) == ([], 2, None)


def test_a_renamed_network_trust_or_region_shows_in_the_rows_at_once(world: World, login_as: LoginAs) -> None:
    """The rows' names come from the names kept with the filter's choices (``CaseNames``), under the newest history
    row of networks, trusts and regions: a rename shows at the next request."""
    make_case(world, trust=world.trusts_a[0])
    make_case(world, title="Uten HF")
    client = login_as("coordinator")
    rows = client.get(reverse("cases:list")).context["page"].object_list
    assert {(r.network, r.origin) for r in rows} == {(world.network.name, "A1"), (world.network.name, "RA")}
    world.network.name, world.trusts_a[0].short_name, world.region_a.short_name = "Nytt navn", "NY", "RNY"
    for renamed in (world.network, world.trusts_a[0], world.region_a):
        renamed.save()
    rows = client.get(reverse("cases:list")).context["page"].object_list
    assert {(r.network, r.origin) for r in rows} == {("Nytt navn", "NY"), ("Nytt navn", "RNY")}


def test_names_that_do_not_know_a_rows_network_are_read_again(world: World) -> None:
    """Names kept from before a network existed (a cache another process filled) are not trusted for its rows."""
    stale = selectors.case_filter_choices(user=world["coordinator"]).names
    network = make_network(world.region_a, name="Helt nytt")
    make_case(world, network=network)
    page = selectors.case_list_page(user=world["coordinator"], names=stale)
    assert [row.network for row in page.object_list] == ["Helt nytt"]


def test_the_words_search_can_use_its_index(world: World) -> None:
    """PostgreSQL uses an expression index only for the very expression it indexes: the page's statement and
    ``case_list``'s ORM search must both search with the one of migration 0007 (``case_search_norwegian``). With scans
    that read every row made too dear to choose, the plans must find the rows through that index."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite searches by substring, without an index")
    make_case(world, title="Prosedyre for hjertestans")
    admin = make_user("admin", is_superuser=True)  # no condition but the search: only the index can narrow it
    filters = selectors.CaseFilters(q="prosedyre")
    sql, params = selectors._page_statement(admin, filters, collapsed=True, cursor=None, older=True, size=3)
    with transaction.atomic(), connection.cursor() as db:
        db.execute("SET LOCAL enable_seqscan = off")
        db.execute("SET LOCAL enable_indexscan = off")
        db.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in db.fetchall())
        orm_plan = selectors.case_list(user=admin, filters=filters).explain()
    assert plan.count("case_search_norwegian") >= 2, plan  # the count and the page
    assert "case_search_norwegian" in orm_plan, orm_plan
