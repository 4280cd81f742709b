import html
import re
from collections import Counter
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.reports import services
from fagnett.reports.models import NetworkReport, ReflectionPoint, RegionalReport
from fagnett.reports.tests.factories import (
    Known,
    complete_draft,
    grow_region,
    make_point,
    make_report,
)
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
YEAR = 2025


@pytest.fixture
def english(world: World) -> None:
    """The world's people read English, so messages and sentences do not depend on the Norwegian catalogue."""
    User.objects.filter(pk__in=[u.pk for u in world.people.values()]).update(language="en")


def messages_of(response: HttpResponse) -> list[str]:
    """The messages shown on the page a redirect led to (``follow=True``); showing them uses them up."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def post(client: Client, url: str, data: dict[str, object] | None = None) -> tuple[HttpResponse, list[str]]:
    """POST, follow the redirect, and return the first response with the messages the next page showed."""
    response = client.post(url, data or {}, follow=True)
    assert response.redirect_chain, response.status_code
    first = response.redirect_chain[0]
    assert first[1] == 302
    return response, messages_of(response)


def network_url(name: str, world: World, year: int = YEAR) -> str:
    return reverse(f"reports:{name}", args=[world.network.pk, year])


def region_url(name: str, region_id: int, year: int = YEAR, *extra: int) -> str:
    return reverse(f"reports:{name}", args=[region_id, year, *extra])


# --- Who sees which page ---------------------------------------------------------------------------------------

PAGES = ["network", "edit", "return", "latest", "regional", "regional_edit", "approve", "index"]
# role → page → status. Another region's pages answer 404 so their existence is not revealed; a network's
# report is 403 to others in the region; a regional draft does not exist (404) for those who may not see drafts.
EXPECTED: dict[str, dict[str, int]] = {
    "leader": dict(zip(PAGES, [200, 200, 403, 302, 404, 403, 404, 200], strict=True)),
    "secretary": dict(zip(PAGES, [200, 200, 403, 302, 404, 403, 404, 200], strict=True)),
    "member": dict(zip(PAGES, [200, 403, 403, 302, 404, 403, 404, 200], strict=True)),
    "rhf_rep": dict(zip(PAGES, [200, 403, 403, 302, 404, 403, 404, 200], strict=True)),
    "other_member": dict(zip(PAGES, [403, 403, 403, 403, 404, 403, 404, 200], strict=True)),
    "coordinator": dict(zip(PAGES, [200, 403, 200, 302, 200, 200, 403, 200], strict=True)),
    "director": dict(zip(PAGES, [200, 403, 403, 302, 200, 403, 200, 200], strict=True)),
    "coordinator_b": dict(zip(PAGES, [404, 404, 404, 404, 404, 404, 404, 200], strict=True)),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_permission_table(world: World, login_as: LoginAs, role: str) -> None:
    complete_draft(world.network, world.tasks[0])
    RegionalReport.objects.create(region=world.region_a, year=YEAR, created_by=world["coordinator"])
    urls = {
        "network": network_url("network_report", world),
        "edit": network_url("network_report_edit", world),
        "return": network_url("network_report_return", world),
        "latest": reverse("reports:network_report_latest", args=[world.network.pk]),
        "regional": region_url("regional_report", world.region_a.pk),
        "regional_edit": region_url("regional_report_edit", world.region_a.pk),
        "approve": region_url("regional_report_approve", world.region_a.pk),
        "index": reverse("reports:index"),
    }
    client = login_as(role)
    got = {page: client.get(url).status_code for page, url in urls.items()}
    assert got == EXPECTED[role]


def test_the_submitted_network_report_cannot_be_edited_by_its_leader(world: World, login_as: LoginAs) -> None:
    make_report(world.network, ranking=[world.tasks[0]], submitted_by=world["leader"])
    response = login_as("leader").get(network_url("network_report_edit", world))
    assert response.status_code == 302 and response["Location"] == network_url("network_report", world)


def test_anonymous_is_sent_to_login(world: World, client: Client) -> None:
    for url in [
        network_url("network_report", world),
        network_url("network_report_edit", world),
        region_url("regional_report", world.region_a.pk),
        region_url("figure", world.region_a.pk, YEAR, 1),
        region_url("docx", world.region_a.pk),
        reverse("reports:index"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_someone_in_no_region_gets_no_index(world: World, client: Client) -> None:
    client.force_login(make_user())
    assert client.get(reverse("reports:index")).status_code == 403


def test_years_outside_the_range_do_not_exist(world: World, login_as: LoginAs) -> None:
    client = login_as("leader")
    assert client.get(network_url("network_report", world, timezone.localdate().year + 1)).status_code == 404
    assert client.get(network_url("network_report", world, 1999)).status_code == 404


def test_latest_goes_to_last_year(world: World, login_as: LoginAs) -> None:
    response = login_as("member").get(reverse("reports:network_report_latest", args=[world.network.pk]))
    assert response["Location"] == network_url("network_report", world, timezone.localdate().year - 1)


# --- The network report ----------------------------------------------------------------------------------------


def form_data(world: World, point: ReflectionPoint | None = None, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "rank_1": world.tasks[1].pk,
        "rank_2": world.tasks[0].pk,
        "rank_3": "",
        "registry_data_reviewed": "yes",
        "registry_data_note": "Norsk intensivregister.",
        "central_work": "Sedasjon.",
        "worked_well": "",
        "improve": "Flere saker.",
        "priorities": "Prosedyrer.",
        "lock_version": "1",
        "worked_well_points": [point.pk] if point else [],
    }
    data.update(changes)
    return data


def test_opening_the_form_creates_nothing_saving_does(world: World, login_as: LoginAs, english: None) -> None:
    point = make_point(world.region_a, "Gode faglige diskusjoner")
    client = login_as("secretary")
    response = client.get(network_url("network_report_edit", world))
    assert response.status_code == 200
    assert 'name="rank_1"' in response.content.decode()
    assert NetworkReport.objects.count() == 0

    response = client.post(network_url("network_report_edit", world), form_data(world, point))
    assert response.status_code == 302 and response["Location"] == network_url("network_report", world)
    report = NetworkReport.objects.get()
    assert [r.task.code for r in report.rankings.all()] == ["T2", "T1"]
    assert (report.registry_data_reviewed, report.priorities, report.lock_version) == (True, "Prosedyrer.", 2)
    assert list(report.worked_well_points.all()) == [point]

    page = client.get(network_url("network_report", world)).content.decode()
    assert "Task 2" in page and "Prosedyrer." in page


def test_a_refused_save_stores_no_empty_report(world: World, login_as: LoginAs, english: None) -> None:
    client = login_as("leader")
    response = client.post(network_url("network_report_edit", world), form_data(world, rank_2=str(world.tasks[1].pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["rank_2"] == ["Rank each task only once."]
    assert NetworkReport.objects.count() == 0


def test_a_stale_form_shows_the_conflict_and_keeps_the_other_save(world: World, login_as: LoginAs) -> None:
    report = complete_draft(world.network, world.tasks[0])
    report.lock_version = 3
    report.save()
    response = login_as("leader").post(network_url("network_report_edit", world), form_data(world, lock_version="2"))
    assert response.status_code == 200
    assert response.context["conflict"].lock_version == 3
    assert response.context["form"]["lock_version"].value() == "3"
    report.refresh_from_db()
    assert report.priorities == "Regionale prosedyrer."


def test_submit_accept_and_return_through_the_views(world: World, login_as: LoginAs, english: None) -> None:
    report = complete_draft(world.network, world.tasks[0])
    page = network_url("network_report", world)

    client = login_as("secretary")
    assert client.post(network_url("network_report_submit", world)).status_code == 403
    client = login_as("leader")
    assert client.get(network_url("network_report_submit", world)).status_code == 405
    response, shown = post(client, network_url("network_report_submit", world))
    assert response.redirect_chain[0][0] == page
    assert shown == ["The report was submitted to the coordinator."]
    report.refresh_from_db()
    assert report.status == "submitted" and report.facts["network"]["id"] == world.network.pk
    assert client.post(network_url("network_report_accept", world)).status_code == 403
    assert client.get(network_url("network_report_return", world)).status_code == 403

    client = login_as("coordinator")
    page_html = client.get(page).content.decode()
    assert network_url("network_report_accept", world) in page_html
    response = client.post(network_url("network_report_return", world), {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response, shown = post(client, network_url("network_report_return", world), {"reason": "Mangler registerdata."})
    assert response.redirect_chain[0][0] == page
    assert shown == ["The report was sent back to the network."]
    report.refresh_from_db()
    assert (report.status, report.returned_reason, report.facts) == ("draft", "Mangler registerdata.", {})

    client = login_as("leader")
    assert "Mangler registerdata." in client.get(page).content.decode()
    assert client.get(network_url("network_report_edit", world)).status_code == 200  # editable again
    _response, shown = post(client, network_url("network_report_submit", world))
    assert shown == ["The report was submitted to the coordinator."]
    client = login_as("coordinator")
    _response, shown = post(client, network_url("network_report_accept", world))
    assert shown == ["The report of Anestesi og intensiv was accepted."]
    report.refresh_from_db()
    assert (report.status, report.accepted_by) == ("accepted", world["coordinator"])
    # Accepting twice says why it cannot.
    _response, shown = post(client, network_url("network_report_accept", world))
    assert shown == ["Only a submitted report can be accepted."]


def test_an_incomplete_submit_lists_what_is_missing(world: World, login_as: LoginAs, english: None) -> None:
    services.network_report_start(user=world["leader"], network=world.network, year=YEAR)
    client = login_as("leader")
    page = client.get(network_url("network_report", world)).content.decode()
    assert 'id="missing-list"' in page and "Write the priorities for next year." in page
    _response, shown = post(client, network_url("network_report_submit", world))
    assert len(shown) == 5 and "Say what worked well." in shown
    assert NetworkReport.objects.get().status == "draft"


def test_submitting_a_report_nobody_started_is_404(world: World, login_as: LoginAs) -> None:
    assert login_as("leader").post(network_url("network_report_submit", world)).status_code == 404


def test_the_network_page_shows_frozen_facts_after_submission(world: World, login_as: LoginAs, english: None) -> None:
    report = make_report(world.network, ranking=[world.tasks[0]], submitted_by=world["leader"])
    report.facts["meetings"]["held"] = 17  # what the records said then
    report.save()
    response = login_as("member").get(network_url("network_report", world))
    assert response.context["frozen"] is True
    assert response.context["facts"]["meetings"]["held"] == 17
    assert response.context["can_write"] is False and response.context["can_submit"] is False


# --- The regional report ---------------------------------------------------------------------------------------


@pytest.fixture
def known(known_region: Known) -> Known:
    return known_region


def test_the_coordinator_previews_the_unsaved_report_with_its_figures(known: Known, client: Client) -> None:
    client.force_login(known.people["coordinator"])
    response = client.get(region_url("regional_report", known.region.pk))
    assert response.status_code == 200
    assert RegionalReport.objects.count() == 0
    content = html.unescape(response.content.decode())
    figure_1 = region_url("figure", known.region.pk, YEAR, 1)
    match = re.search(r'<img\s+class="chart"\s+src="([^"]+)"\s+alt="([^"]+)"', content)
    assert match is not None
    assert match.group(1) == figure_1
    assert "6 of 33 networks held fewer meetings than the minimum in 2025" in match.group(2)
    assert f'src="{region_url("figure", known.region.pk, YEAR, 2)}"' in content
    assert "6 of the 33 networks in operation in 2025 held fewer meetings than their mandate's minimum." in content
    assert "from 13 in 2024 to 19 in 2025" in content
    assert "30 of 33 networks have submitted their report." in content
    assert content.count('class="ds-details appendix"') == 30


def test_the_page_in_norwegian_has_the_same_numbers(known: Known, client: Client) -> None:
    User.objects.filter(pk=known.people["coordinator"].pk).update(language="nb")
    client.force_login(known.people["coordinator"])
    content = html.unescape(client.get(region_url("regional_report", known.region.pk)).content.decode())
    assert 'lang="nb"' in content or "Årsrapport" in content or "Annual report" in content
    assert "6 av 33 nettverk i drift i 2025" in content and "19" in content and "Nettverk 01" in content


def test_a_member_sees_only_approved_versions(known: Known, client: Client) -> None:
    coordinator, director, member = (known.people[r] for r in ("coordinator", "director", "member"))
    page = region_url("regional_report", known.region.pk)
    client.force_login(member)
    assert client.get(page).status_code == 404
    draft = services.regional_report_start(user=coordinator, region=known.region, year=YEAR)
    assert client.get(page).status_code == 404
    assert client.get(page + "?version=1").status_code == 404
    assert client.get(region_url("figure", known.region.pk, YEAR, 1)).status_code == 404
    assert client.get(region_url("docx", known.region.pk)).status_code == 404

    approved = services.regional_report_approve(
        user=director, report=draft, approved_on=timezone.localdate(), approved_by_body="Fagdirektørene"
    )
    second = services.regional_report_new_version(user=coordinator, report=approved)
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["report"].pk == approved.pk
    assert [v.pk for v in response.context["versions"]] == [approved.pk]
    assert client.get(page + "?version=2").status_code == 404
    assert client.get(page + "?version=x").status_code == 404
    # Someone in another region does not see it at all.
    client.force_login(known.people["outsider"])
    assert client.get(page).status_code == 404

    client.force_login(coordinator)
    response = client.get(page)
    assert [v.pk for v in response.context["versions"]] == [second.pk, approved.pk]
    assert response.context["report"].pk == second.pk
    assert client.get(page + "?version=1").context["report"].pk == approved.pk


def test_the_figures_are_svg(known: Known, client: Client) -> None:
    client.force_login(known.people["director"])
    svgs = []
    for number in (1, 2):
        response = client.get(region_url("figure", known.region.pk, YEAR, number))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response["Cache-Control"] == "private, no-store"
        assert b"<svg" in response.content[:500]
        svgs.append(response.content)
    assert b"Nettverk 33" in svgs[0] and b"Nettverk 33" not in svgs[1]
    assert client.get(region_url("figure", known.region.pk, YEAR, 3)).status_code == 200  # topics
    assert client.get(region_url("figure", known.region.pk, YEAR, 4)).status_code == 404


def test_write_approve_and_make_a_new_version_through_the_views(world: World, login_as: LoginAs, english: None) -> None:
    edit = region_url("regional_report_edit", world.region_a.pk)
    client = login_as("coordinator")
    assert client.get(edit).status_code == 200
    assert RegionalReport.objects.count() == 0
    response, shown = post(
        client, edit, {"introduction": "Innledning.", "summary": "Oppsummering.", "lock_version": "1"}
    )
    report = RegionalReport.objects.get()
    assert response.redirect_chain[0][0] == report.get_absolute_url()
    assert shown == ["The report was saved."]
    assert (report.introduction, report.summary, report.version) == ("Innledning.", "Oppsummering.", 1)
    assert client.post(region_url("regional_report_approve", world.region_a.pk), {}).status_code == 403

    client = login_as("director")
    approve = region_url("regional_report_approve", world.region_a.pk)
    read = client.get(approve).context["form"]["lock_version"].value()
    response = client.post(
        approve, {"approved_by_body": "Fagdirektørene", "approved_on": f"{YEAR}-12-31", "lock_version": read}
    )
    assert response.status_code == 200 and "approved_on" in response.context["form"].errors
    today = timezone.localdate().isoformat()
    # A page that sent no version does not approve a text nobody can say was read.
    response = client.post(approve, {"approved_by_body": "Fagdirektørene", "approved_on": today})
    assert response.context["form"].non_field_errors() == [
        "The text has been changed since you opened this page. Read it again, then record the approval."
    ]
    assert RegionalReport.objects.get(pk=report.pk).status == "draft"
    _response, shown = post(
        client, approve, {"approved_by_body": "Fagdirektørene", "approved_on": today, "lock_version": read}
    )
    assert shown == ["The approval was recorded; version 1 is locked."]
    report.refresh_from_db()
    assert report.status == "approved" and report.statistics["year"] == YEAR
    assert client.get(approve).status_code == 404  # nothing left to approve

    client = login_as("coordinator")
    response = client.get(edit, follow=True)
    assert response.redirect_chain == [(report.get_absolute_url(), 302)]
    assert messages_of(response) == ["This version is approved and locked. Make a new version to change it."]
    response, shown = post(client, region_url("regional_report_new_version", world.region_a.pk))
    assert response.redirect_chain[0][0] == edit
    assert shown == ["Version 2 was made as a draft."]
    assert RegionalReport.objects.get(version=2).introduction == "Innledning."
    _response, shown = post(client, region_url("regional_report_new_version", world.region_a.pk))
    assert shown == ["Version 2 is still a draft: change that one."]


def test_a_new_version_of_nothing_is_refused_without_an_error(world: World, login_as: LoginAs) -> None:
    response = login_as("coordinator").post(region_url("regional_report_new_version", world.region_a.pk))
    assert response.status_code == 302
    assert response["Location"] == region_url("regional_report", world.region_a.pk)
    assert not RegionalReport.objects.exists()


# --- Queries ---------------------------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


#: the preview's queries when its statistics are cached (the draft not saved yet)
CACHED_PREVIEW_QUERIES = 4


def test_the_regional_page_costs_the_same_queries_as_the_region_grows(world: World, login_as: LoginAs) -> None:
    points = [
        make_point(world.region_a, "Gode faglige diskusjoner"),
        make_point(world.region_a, "Bedre oppfølging", ReflectionPoint.Kind.IMPROVE),
    ]
    grow = {"tasks": world.tasks, "points": points, "submitted_by": world["leader"]}
    grow_region(world.region_a, 2, **grow)
    client = login_as("coordinator")
    client.get(reverse("home"))  # the person's access is read once and kept (fagnett.access), as on any first page
    url = region_url("regional_report", world.region_a.pk)
    small = _queries(client, url)
    small_cached = _queries(client, url)
    grow_region(world.region_a, 8, **grow)
    large = _queries(client, url)
    large_cached = _queries(client, url)
    repeated = Counter(large) - Counter(small)
    assert len(large) == len(small), f"{len(small)} → {len(large)} queries; repeated: {list(repeated)[:3]}"
    # Opened again with nothing changed, the statistics come from the cache (reports.freshness): the key is one
    # query, the rest is the page (the person — the session is a signed cookie and the access is kept —, versions,
    # the figures' links). Pinned.
    assert len(small_cached) == len(large_cached) == CACHED_PREVIEW_QUERIES, small_cached
    assert len(small_cached) < len(small)
    # A draft that has been saved and an approved version cost no more either.
    services.regional_report_start(user=world["coordinator"], region=world.region_a, year=YEAR)
    assert len(_queries(client, url)) <= len(small) + 2
