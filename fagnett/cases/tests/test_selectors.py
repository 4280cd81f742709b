import datetime

import pytest
from django.db import connection
from django.http import Http404

from fagnett.cases import selectors
from fagnett.cases.models import Case
from fagnett.cases.selectors import CaseFilters
from fagnett.cases.tests.factories import days_from_today, make_case
from tests.factories import World

pytestmark = pytest.mark.django_db

S = Case.Status


def titles(world: World, role: str, **filters: object) -> set[str]:
    return set(selectors.case_list(user=world[role], filters=CaseFilters(**filters)).values_list("title", flat=True))  # type: ignore[arg-type]


class TestVisibility:
    @pytest.fixture
    def cases(self, world: World) -> dict[str, Case]:
        return {
            "network": make_case(world, title="I nettverket", submitted_by=world["member"]),
            "other": make_case(world, title="I Øye", network=world.other_network, submitted_by=world["leader"]),
            "unrouted": make_case(world, title="Ikke rutet", network=None),
            "from_a3": make_case(world, title="Fra A3", network=world.other_network, trust=world.trusts_a[2],
                                 submitted_by=world["coordinator"]),
            "region_b": make_case(world, title="Nord", network=world.network_b, submitted_by=world["fagsjef_b"]),
        }  # fmt: skip

    EXPECTED = {
        "coordinator": {"I nettverket", "I Øye", "Ikke rutet", "Fra A3"},
        "director": {"I nettverket", "I Øye", "Ikke rutet", "Fra A3"},
        "leader": {"I nettverket", "I Øye"},  # their network, and the case they submitted elsewhere
        "member": {"I nettverket"},
        "other_member": {"I Øye", "Fra A3"},
        "employee": {"Ikke rutet"},  # their own only
        "fagsjef": {"Fra A3"},  # cases from their trust
        "coordinator_b": {"Nord"},
        "fagsjef_b": {"Nord"},
    }

    @pytest.mark.parametrize("role", sorted(EXPECTED))
    def test_each_person_sees_exactly_their_cases(self, world: World, cases: dict[str, Case], role: str) -> None:
        assert titles(world, role) == self.EXPECTED[role]
        for case in cases.values():
            if case.title in self.EXPECTED[role]:
                assert selectors.case_get(user=world[role], case_id=case.pk) == case
            else:
                with pytest.raises(Http404):
                    selectors.case_get(user=world[role], case_id=case.pk)


class TestSearch:
    @pytest.fixture(autouse=True)
    def cases(self, world: World) -> None:
        make_case(
            world,
            title="Flytting av elektiv virksomhet",
            description="Fra store til små sykehus.",
            trust=world.trusts_a[0],
            year=2025,
            status=S.ACCEPTED,
        )
        make_case(
            world,
            title="Prioriteringsveileder for anestesi",
            description="Innspill til Helsedirektoratet.",
            trust=world.trusts_a[1],
            status=S.RECOMMENDATION_GIVEN,
        )
        make_case(world, title="Kapasitet på intensiv", description="Økt behov for overvåkningssenger i Ålesund.",
                  network=world.other_network, trust=world.trusts_a[1])  # fmt: skip

    def test_words_are_found_whatever_their_case_with_æøå(self, world: World) -> None:
        assert titles(world, "coordinator", q="ELEKTIV") == {"Flytting av elektiv virksomhet"}
        assert titles(world, "coordinator", q="ålesund") == {"Kapasitet på intensiv"}
        assert titles(world, "coordinator", q="Økt behov") == {"Kapasitet på intensiv"}
        assert titles(world, "coordinator", q="helsedirektoratet") == {"Prioriteringsveileder for anestesi"}
        assert titles(world, "coordinator", q="kirurgi") == set()

    def test_inflected_forms_match_on_postgresql_only(self, world: World) -> None:
        # "sykehusene" and "sykehus" share the Norwegian stem; SQLite matches substrings, so it finds neither form
        # that is not literally there.
        found = titles(world, "coordinator", q="sykehusene")
        if connection.vendor == "postgresql":
            assert found == {"Flytting av elektiv virksomhet"}
        else:
            assert found == set()

    def test_filters_by_network_status_trust_and_year_and_case_number(self, world: World) -> None:
        assert titles(world, "coordinator", network=world.other_network.pk) == {"Kapasitet på intensiv"}
        assert titles(world, "coordinator", status=S.RECOMMENDATION_GIVEN) == {"Prioriteringsveileder for anestesi"}
        assert titles(world, "coordinator", trust=world.trusts_a[1].pk) == {
            "Prioriteringsveileder for anestesi",
            "Kapasitet på intensiv",
        }
        assert titles(world, "coordinator", year=2025) == {"Flytting av elektiv virksomhet"}
        year = datetime.date.today().year
        assert titles(world, "coordinator", q=f"{year}/1") >= {"Prioriteringsveileder for anestesi"}
        assert len(titles(world, "coordinator", q=f"{year}/001")) == 2  # one 001 in each network

    def test_search_stays_within_what_the_person_may_see(self, world: World) -> None:
        assert titles(world, "member", q="intensiv") == set()  # the ICU case is in another network
        assert titles(world, "coordinator_b", q="elektiv") == set()


def test_overdue_cases_are_flagged_and_filtered(world: World) -> None:
    late = make_case(world, title="Forsinket", due_date=days_from_today(-1), status=S.IN_PROGRESS)
    make_case(world, title="I tide", due_date=days_from_today(3))
    make_case(world, title="Besvart", due_date=days_from_today(-10), status=S.RECOMMENDATION_GIVEN)
    assert titles(world, "leader", overdue=True) == {"Forsinket"}
    assert late.is_overdue(days_from_today(0))


def test_home_summary_counts_what_waits_for_each_person(world: World) -> None:
    make_case(world, network=None)  # to route
    make_case(world)  # to accept
    make_case(world, status=S.ESCALATED)  # to decide
    make_case(world, status=S.IN_PROGRESS, due_date=days_from_today(-2))  # overdue
    coordinator = selectors.case_home_summary(user=world["coordinator"])
    assert (coordinator.to_route, coordinator.to_respond, coordinator.to_decide, coordinator.overdue) == (1, 0, 1, 1)
    leader = selectors.case_home_summary(user=world["leader"])
    assert (leader.to_route, leader.to_respond, leader.to_decide, leader.overdue) == (0, 1, 0, 1)
    director = selectors.case_home_summary(user=world["director"])
    assert director.to_decide == 1
    employee = selectors.case_home_summary(user=world["employee"])
    assert employee.my_open == 3  # received ×2 and in progress; the escalated one has an answer
