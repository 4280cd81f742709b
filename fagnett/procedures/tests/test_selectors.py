import pytest
from django.http import Http404

from fagnett.procedures import selectors
from fagnett.procedures.models import Procedure, Status
from fagnett.procedures.tests.factories import d, make_procedure
from tests.factories import World, make_network

pytestmark = pytest.mark.django_db

P, IP, PUB, REV, WD = Status.PROPOSED, Status.IN_PROGRESS, Status.PUBLISHED, Status.UNDER_REVISION, Status.WITHDRAWN


def known_fixtures(world: World) -> None:
    """Exactly 3 started, 2 revised and 1 completed in 2025 in ``world.network``, plus noise that must not count."""
    net = world.network
    make_procedure(net, (P, d(1)), (IP, d(2)))  # started
    make_procedure(net, (P, d(1)), (IP, d(3)), kind=Procedure.Kind.PATHWAY)  # started (a pathway)
    make_procedure(net, (P, d(12, 1, 2024)), (IP, d(2)), (PUB, d(9)))  # started and completed: one procedure
    make_procedure(net, (PUB, d(5, 1, 2020)), (REV, d(4)))  # revised
    make_procedure(net, (PUB, d(5, 1, 2020)), (REV, d(11, 1, 2024)), (PUB, d(3)))  # revised (published after revision)
    make_procedure(net, (P, d(6)))  # only proposed: not counted
    make_procedure(net, (P, d(1, 1, 2024)), (IP, d(2, 1, 2024)), (WD, d(6)))  # withdrawn in 2025: not counted
    make_procedure(net, (P, d(1, 1, 2024)), (IP, d(3, 1, 2024)))  # started 2024
    make_procedure(world.other_network, (P, d(1)), (IP, d(2)))  # another network
    make_procedure(world.network_b, (P, d(1)), (IP, d(2)))  # another region


def test_counts_per_network_and_region_total(world: World) -> None:
    known_fixtures(world)
    counts = selectors.procedure_counts(region_id=world.region_a.pk, year=2025)
    rows = {row.network.pk: row for row in counts.rows}
    row = rows[world.network.pk]
    assert (row.started, row.revised, row.completed) == (3, 2, 1)
    assert row.worked_on == 5
    assert row.pathways_worked_on == 1
    assert row.worked_on_last_year == 3  # started 2024 twice (one later withdrawn), revision started 2024
    assert row.change == 2
    other = rows[world.other_network.pk]
    assert (other.started, other.revised, other.completed) == (1, 0, 0)
    assert world.network_b.pk not in rows
    assert (counts.started, counts.revised, counts.completed, counts.worked_on) == (4, 2, 1, 6)
    assert counts.networks_with_pathways == 1


def test_network_counts_agree_with_region_counts(world: World) -> None:
    known_fixtures(world)
    row = selectors.network_counts(network=world.network, year=2025)
    assert (row.started, row.revised, row.completed, row.worked_on) == (3, 2, 1, 5)
    empty = selectors.network_counts(network=world.network, year=2030)
    assert (empty.started, empty.revised, empty.completed) == (0, 0, 0)


def test_counts_take_two_queries_however_many_networks(world: World, django_assert_num_queries) -> None:
    known_fixtures(world)
    for _ in range(10):
        network = make_network(world.region_a)
        make_procedure(network, (P, d(1)), (IP, d(2)))
    with django_assert_num_queries(2):
        counts = selectors.procedure_counts(region_id=world.region_a.pk, year=2025)
        assert counts.started == 14


def test_procedure_get_is_404_outside_the_region(world: World) -> None:
    procedure = make_procedure(world.network)
    assert selectors.procedure_get(user=world["employee"], procedure_id=procedure.pk) == procedure
    with pytest.raises(Http404):
        selectors.procedure_get(user=world["coordinator_b"], procedure_id=procedure.pk)
    with pytest.raises(Http404):
        selectors.procedure_get(user=world["employee"], procedure_id=procedure.pk + 1000)


def test_list_filters_by_kind_and_status(world: World) -> None:
    make_procedure(world.network, (P, d(1)), title="A")
    make_procedure(world.network, (P, d(1)), (IP, d(2)), kind=Procedure.Kind.PATHWAY, title="B")

    def titles(**filters: str) -> list[str]:
        found = selectors.procedure_list(network=world.network, filters=selectors.ProcedureFilters(**filters))
        return [p.title for p in found]

    assert titles() == ["A", "B"]
    assert titles(kind=Procedure.Kind.PATHWAY) == ["B"]
    assert titles(status=P) == ["A"]
