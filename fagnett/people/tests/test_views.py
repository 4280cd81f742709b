"""The people pages: who sees what, the filters, the forms' answers to bad input, and flat query counts."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.meetings.models import ActionItem
from fagnett.people import services
from fagnett.people.models import PersonMerge
from tests.factories import World, appoint, make_user


def _list(world: World) -> str:
    return f"/regions/{world.region_a.pk}/people/"


def _person(world: World, person: User) -> str:
    return f"/regions/{world.region_a.pk}/people/{person.pk}/"


# --- Who sees what -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("fagsjef", 200),  # their own trust's people
        ("director", 403),
        ("leader", 403),
        ("member", 403),
        ("employee", 403),
        ("coordinator_b", 404),  # another region: not even told it exists
        ("fagsjef_b", 404),
    ],
)
def test_who_opens_the_regions_people(world: World, login_as: Any, role: str, status: int) -> None:
    assert login_as(role).get(_list(world)).status_code == status


def test_the_list_needs_a_login(world: World, client: Client) -> None:
    response = client.get(_list(world))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "person", "status"),
    [
        ("coordinator", "member", 200),
        ("coordinator", "coordinator", 200),
        ("fagsjef", "candidate", 200),  # trust A3, the fagsjef's
        ("fagsjef", "member", 404),  # trust A2: not the fagsjef's people
        ("coordinator_b", "member", 404),
        ("member", "member", 403),
        ("coordinator", "fagsjef_b", 404),  # someone of region B, asked under region A
    ],
)
def test_who_opens_a_persons_page(world: World, login_as: Any, role: str, person: str, status: int) -> None:
    assert login_as(role).get(_person(world, world[person])).status_code == status


def test_the_fagsjef_sees_only_their_own_trusts_people_and_reads_them(world: World, login_as: Any) -> None:
    client = login_as("fagsjef")
    page = client.get(_list(world)).content.decode()
    assert "Kari Kandidat" in page and "Fagsjef Testesen" in page
    assert "Member Testesen" not in page and "Coordinator Testesen" not in page
    person = client.get(_person(world, world["candidate"])).content.decode()
    assert "Deactivate" not in person and "Merge" not in person
    assert "ICU capacity reporter" in person  # the one trust role a fagsjef gives
    assert "Give the regional role" not in person
    for path in ("deactivate/", "merge/", "reactivate/", "region-roles/"):
        assert client.post(_person(world, world["candidate"]) + path).status_code == 403
    assert client.get(f"/regions/{world.region_a.pk}/people/open-work/").status_code == 403


def test_the_fagsjef_gives_a_capacity_reporter_from_the_page(world: World, login_as: Any) -> None:
    response = login_as("fagsjef").post(
        _person(world, world["candidate"]) + "trust-roles/",
        {"trust-trust": world.trusts_a[2].pk, "trust-role": "capacity_reporter"},
    )
    assert response.status_code == 302
    assert TrustRole.objects.filter(user=world["candidate"], role="capacity_reporter").exists()


def test_the_fagsjef_cannot_give_the_fagsjef_role(world: World, login_as: Any) -> None:
    response = login_as("fagsjef").post(
        _person(world, world["candidate"]) + "trust-roles/",
        {"trust-trust": world.trusts_a[2].pk, "trust-role": "fagsjef"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not TrustRole.objects.filter(user=world["candidate"]).exists()


# --- The list ------------------------------------------------------------------------------------------------------


@pytest.fixture
def people(world: World) -> dict[str, User]:
    """Someone who never logged in, someone deactivated, and a record merged into another."""
    never = make_user("nylig", trust=world.trusts_a[0], first_name="Nora", last_name="Nylig")
    gone = make_user("borte", trust=world.trusts_a[1], first_name="Bjørn", last_name="Borte", is_active=False)
    User.objects.exclude(pk__in=[never.pk, gone.pk]).update(last_login=timezone.now())
    twin = make_user("tvilling", trust=world.trusts_a[1], first_name="Tor", last_name="Tvilling")
    services.person_merge(user=world["coordinator"], kept=world["employee"], merged=twin)
    return {"never": never, "gone": gone, "twin": twin}


def _names(client: Client, query: str, world: World) -> set[str]:
    response = client.get(_list(world) + query)
    assert response.status_code == 200
    return {p.get_full_name() for p in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=nora+nyl", {"Nora Nylig"}),
        ("?q=BORTE@EXAMPLE", {"Bjørn Borte"}),  # the e-mail address, whatever the case
        ("?q=bjørn", {"Bjørn Borte"}),  # æ, ø and å on both databases
        ("?login=never", {"Nora Nylig", "Bjørn Borte", "Tor Tvilling"}),
        ("?status=deactivated", {"Bjørn Borte"}),
        ("?status=merged", {"Tor Tvilling"}),
        ("?role=coordinator", {"Coordinator Testesen"}),
        ("?role=fagsjef", {"Fagsjef Testesen"}),
        ("?role=capacity_reporter", {"Reporter Testesen"}),
        ("?trust=rhf", {"Coordinator Testesen", "Director Testesen", "Rhf_rep Testesen"}),
        ("?trust={a3}", {"Fagsjef Testesen", "Kari Kandidat"}),
        ("?trust={a3}&role=none", {"Kari Kandidat"}),
    ],
)
def test_search_and_filters(
    world: World, login_as: Any, people: dict[str, User], query: str, expected: set[str]
) -> None:
    query = query.format(a3=world.trusts_a[2].pk)
    assert _names(login_as("coordinator"), query, world) == expected


def test_appointed_in_a_network_filter(world: World, login_as: Any) -> None:
    names = _names(login_as("coordinator"), "?role=appointed", world)
    assert names == {
        "Leader Testesen",
        "Secretary Testesen",
        "Member Testesen",
        "Rhf_rep Testesen",
        "Other_member Testesen",
    }


def test_the_list_shows_who_never_logged_in_and_who_was_merged(
    world: World, login_as: Any, people: dict[str, User]
) -> None:
    page = login_as("coordinator").get(_list(world) + "?q=t").content.decode()
    assert "Never logged in" in page
    assert "Merged" in page and f"into {world['employee']}" in page


def test_a_nonsense_filter_is_ignored_with_the_field_marked(world: World, login_as: Any) -> None:
    response = login_as("coordinator").get(_list(world) + "?role=king&login=sometimes")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == User.objects.filter(trust__region=world.region_a).count() + 3
    assert 'aria-invalid="true"' in response.content.decode()


def test_htmx_gets_only_the_results(world: World, login_as: Any) -> None:
    response = login_as("coordinator").get(_list(world) + "?q=kari", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="people-results"') and "<html" not in body


def _grow(world: World, n: int) -> None:
    """``n`` more people in each trust, with roles, appointments and a login, to see the list cost the same."""
    for k in range(n):
        for trust in world.trusts_a:
            person = make_user(f"p{trust.pk}-{k}-{n}", trust=trust)
            TrustRole.objects.create(user=person, trust=trust, role="capacity_reporter")
            appoint(world.other_network, person)
        RegionRole.objects.create(
            user=make_user(f"d{k}-{n}", region_employer=world.region_a), region=world.region_a, role="medical_director"
        )


def test_the_list_costs_the_same_queries_for_few_and_many_people(
    world: World, login_as: Any, django_assert_num_queries: Any
) -> None:
    client = login_as("coordinator")
    client.get(_list(world))  # the session's first save
    # The person (1; the session is a cookie, the access is kept), the region (1), the trusts for the filter, the
    # count, the page and its region and trust roles (5).
    with django_assert_num_queries(7):
        assert client.get(_list(world) + "?status=active").status_code == 200
    _grow(world, 20)
    with django_assert_num_queries(7):
        response = client.get(_list(world) + "?status=active")
    assert response.context["page"].paginator.count > 50  # a full page of 50


def test_a_persons_page_costs_the_same_queries_however_much_they_hold(
    world: World, login_as: Any, django_assert_num_queries: Any
) -> None:
    client = login_as("coordinator")
    url = _person(world, world["member"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    appoint(world.other_network, world["member"], role="deputy")
    for k in range(10):
        ActionItem.objects.create(
            network=world.network, title=f"Punkt {k}", owner=world["member"], due_date=timezone.localdate()
        )
        make_case(world, Case.Status.IN_PROGRESS, submitted_by=world["member"], responsible=world["member"])
    with django_assert_num_queries(len(small)):
        page = client.get(url)
    assert page.context["work"].count >= 20


# --- Roles, access and merging through the pages -------------------------------------------------------------------


def test_giving_a_role_with_bad_input_is_told_and_saves_nothing(world: World, login_as: Any) -> None:
    response = login_as("coordinator").post(
        _person(world, world["employee"]) + "region-roles/", {"region-role": "king"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not RegionRole.objects.filter(user=world["employee"]).exists()


def test_giving_and_removing_a_regional_role(world: World, login_as: Any) -> None:
    client = login_as("coordinator")
    url = _person(world, world["employee"])
    response = client.post(url + "region-roles/", {"region-role": "coordinator"}, follow=True)
    assert "is now Regional coordinator" in response.content.decode()
    role = RegionRole.objects.get(user=world["employee"])
    response = client.post(url + f"region-roles/{role.pk}/remove/", follow=True)
    assert "is no longer Regional coordinator" in response.content.decode()
    assert not RegionRole.objects.filter(user=world["employee"]).exists()


def test_removing_the_last_coordinator_is_told(world: World, login_as: Any) -> None:
    client = login_as("coordinator")
    role = RegionRole.objects.get(user=world["coordinator"], role="coordinator")
    response = client.post(_person(world, world["coordinator"]) + f"region-roles/{role.pk}/remove/", follow=True)
    assert "at least one active coordinator" in response.content.decode()
    assert RegionRole.objects.filter(pk=role.pk).exists()


def test_a_role_of_someone_else_is_not_found(world: World, login_as: Any) -> None:
    role = RegionRole.objects.get(user=world["director"])
    response = login_as("coordinator").post(_person(world, world["employee"]) + f"region-roles/{role.pk}/remove/")
    assert response.status_code == 404
    assert RegionRole.objects.filter(pk=role.pk).exists()


def test_posting_without_the_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["coordinator"])
    response = client.post(_person(world, world["employee"]) + "region-roles/", {"region-role": "coordinator"})
    assert response.status_code == 403
    assert not RegionRole.objects.filter(user=world["employee"]).exists()


def test_deactivating_shows_the_open_work_before_and_after(world: World, login_as: Any) -> None:
    member = world["member"]
    item = ActionItem.objects.create(
        network=world.network, title="Sende ut utkast", owner=member, due_date=timezone.localdate()
    )
    case = make_case(world, Case.Status.IN_PROGRESS, responsible=member, title="Overflytting av barn")
    client = login_as("coordinator")
    url = _person(world, member)
    confirm = client.get(url + "deactivate/").content.decode()
    assert "They hold 3 open items of work" in confirm  # the item, the case and the appointment
    response = client.post(url + "deactivate/", {"reason": "Sluttet"}, follow=True)
    page = response.content.decode()
    assert "can no longer log in" in page
    assert f"/action-items/{item.pk}/reassign/?next=" in page
    assert case.get_absolute_url() in page
    region_list = client.get(f"/regions/{world.region_a.pk}/people/open-work/").content.decode()
    assert "Sende ut utkast" in region_list and "Overflytting av barn" in region_list and str(member) in region_list
    assert not User.objects.get(pk=member.pk).is_active


def test_a_reason_with_an_identity_number_is_refused(world: World, login_as: Any) -> None:
    response = login_as("coordinator").post(
        _person(world, world["member"]) + "deactivate/", {"reason": "Sluttet, fnr 15108695088"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert User.objects.get(pk=world["member"].pk).is_active


def test_reactivating(world: World, login_as: Any) -> None:
    services.person_deactivate(user=world["coordinator"], person=world["member"])
    response = login_as("coordinator").post(_person(world, world["member"]) + "reactivate/", follow=True)
    assert "can log in again" in response.content.decode()
    assert User.objects.get(pk=world["member"].pk).is_active


def test_the_open_work_list_is_empty_once_the_work_is_given_away(world: World, login_as: Any) -> None:
    member = world["member"]
    item = ActionItem.objects.create(network=world.network, title="Punkt", owner=member, due_date=timezone.localdate())
    services.person_deactivate(user=world["coordinator"], person=member)
    client = login_as("coordinator")
    back = f"/regions/{world.region_a.pk}/people/open-work/"
    response = client.post(
        f"/action-items/{item.pk}/reassign/",
        {"owner": world["secretary"].pk, "expected_owner": member.pk, "next": back},
    )
    assert response["Location"] == back
    assert "Punkt" not in client.get(back).content.decode()


def test_merging_through_the_pages(world: World, login_as: Any) -> None:
    twin = make_user(
        "member2", trust=world.trusts_a[1], first_name="Member", last_name="Testesen", email="member@a2.example"
    )
    client = login_as("coordinator")
    url = _person(world, world["member"]) + "merge/"
    found = client.get(url).content.decode()
    assert f"?other={twin.pk}" in found  # suggested by the same name
    compare = client.get(url + f"?other={twin.pk}").content.decode()
    assert "member@a2.example" in compare and "Not moved:" in compare
    refused = client.post(url, {"other": twin.pk, "email": "member@example.org"})
    assert (
        refused.status_code == 200 and "Confirm that the two records are the same person." in refused.content.decode()
    )
    assert not PersonMerge.objects.exists()
    response = client.post(url, {"other": twin.pk, "email": "member@a2.example", "confirm": "on"}, follow=True)
    assert "is merged into this record" in response.content.decode()
    world["member"].refresh_from_db()
    assert world["member"].email == "member@a2.example"
    assert PersonMerge.objects.get().merged == twin


def test_merging_across_regions_is_not_offered_and_not_found(world: World, login_as: Any) -> None:
    client = login_as("coordinator")
    url = _person(world, world["member"]) + "merge/"
    assert client.get(url + f"?other={world['fagsjef_b'].pk}").status_code == 404
    assert client.post(url, {"other": world["fagsjef_b"].pk, "confirm": "on"}).status_code == 404
    assert client.get(url + "?other=x").status_code == 404


def test_merging_into_itself_is_explained(world: World, login_as: Any) -> None:
    url = _person(world, world["member"]) + "merge/"
    page = login_as("coordinator").get(url + f"?other={world['member'].pk}").content.decode()
    assert "cannot be merged into itself" in page and "Merge the records" not in page


def test_the_way_in_goes_to_the_persons_region(world: World, login_as: Any) -> None:
    response = login_as("fagsjef").get("/region/people/")
    assert response["Location"] == _list(world)
    assert login_as("member").get("/region/people/").status_code == 403


def test_the_region_page_links_to_the_people(world: World, login_as: Any) -> None:
    assert "/region/people/" in login_as("coordinator").get("/region/").content.decode()
    assert "/region/people/" in login_as("fagsjef").get("/region/").content.decode()


def test_the_pages_speak_bokmal_by_default(world: World, client: Client) -> None:
    User.objects.filter(pk=world["coordinator"].pk).update(language="nb")
    client.force_login(User.objects.get(pk=world["coordinator"].pk))
    page = client.get(_list(world) + "?login=never").content.decode()
    assert "Personer i Region A RHF" in page and "Aldri logget inn" in page
    person = client.get(_person(world, world["member"]) + "deactivate/").content.decode()
    assert "Deaktiver Member Testesen" in person
