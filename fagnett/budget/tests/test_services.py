import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fagnett.budget import selectors, services
from fagnett.budget.models import Expense, Grant
from fagnett.networks.models import Network
from tests.factories import World

pytestmark = pytest.mark.django_db

GRANT = {
    "amount": 750_000,
    "period_start": datetime.date(2024, 3, 1),
    "period_end": datetime.date(2027, 2, 28),
    "source": "Helse Nords fagmidler",
    "decision_reference": "2024/123",
}


def grant(world: World, network: Network | None = None, **kwargs: object) -> Grant:
    return services.grant_record(user=world["coordinator"], network=network or world.network, data={**GRANT, **kwargs})


def expense(world: World, amount: int, day: datetime.date, kind: str = Expense.Kind.CATERING) -> Expense:
    data = {"kind": kind, "spent_on": day, "amount": amount, "description": "Lunsj på samling"}
    return services.expense_record(user=world["secretary"], network=world.network, data=data).expense


class TestGrant:
    def test_coordinator_records_a_grant(self, world: World) -> None:
        recorded = grant(world)
        assert (recorded.amount, recorded.recorded_by, recorded.history.count()) == (750_000, world["coordinator"], 1)

    @pytest.mark.parametrize("role", ["leader", "secretary", "member", "director", "coordinator_b"])
    def test_others_cannot_record_grants(self, world: World, role: str) -> None:
        with pytest.raises(PermissionDenied):
            services.grant_record(user=world[role], network=world.network, data=GRANT)
        assert not Grant.objects.exists()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"amount": 0}, "amount"),
            ({"amount": -5}, "amount"),
            ({"period_end": datetime.date(2024, 1, 1)}, "period_end"),
            ({"source": ""}, "source"),
        ],
    )
    def test_bad_input_saves_nothing(self, world: World, change: dict[str, object], field: str) -> None:
        with pytest.raises(ValidationError) as error:
            grant(world, **change)
        assert field in error.value.message_dict
        assert not Grant.objects.exists()


class TestExpense:
    def test_balance_arithmetic(self, world: World) -> None:
        first = grant(world)
        second = grant(
            world, amount=20_000, period_start=datetime.date(2027, 3, 1), period_end=datetime.date(2028, 2, 29)
        )
        expense(world, 12_500, datetime.date(2024, 5, 2))
        expense(world, 80_000, datetime.date(2025, 1, 31), Expense.Kind.SECRETARIAT)
        last = expense(world, 5_000, datetime.date(2027, 3, 1))
        assert last.grant == second
        grants = selectors.grant_list(network=world.network)
        assert [(g.amount, g.spent, g.balance) for g in grants] == [  # type: ignore[attr-defined]
            (750_000, 92_500, 657_500),
            (20_000, 5_000, 15_000),
        ]
        overall = selectors.balance_overall(grants=grants)
        assert (overall.granted, overall.spent, overall.balance) == (770_000, 97_500, 672_500)
        assert selectors.grant_balance(grant=first) == 657_500

    def test_outside_every_grant_period_is_refused_with_a_clear_message(self, world: World) -> None:
        grant(world)
        with pytest.raises(ValidationError) as error:
            expense(world, 1_000, datetime.date(2024, 2, 29))
        assert "01.03.2024–28.02.2027" in error.value.message_dict["spent_on"][0]
        assert not Expense.objects.exists()

    def test_no_grant_at_all_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            expense(world, 1_000, datetime.date(2025, 1, 1))
        assert "spent_on" in error.value.message_dict

    @pytest.mark.parametrize("amount", [0, -100])
    def test_zero_or_negative_amount_saves_nothing(self, world: World, amount: int) -> None:
        grant(world)
        with pytest.raises(ValidationError) as error:
            expense(world, amount, datetime.date(2025, 1, 1))
        assert "amount" in error.value.message_dict
        assert not Expense.objects.exists()

    def test_beyond_the_balance_is_saved_and_reported(self, world: World) -> None:
        grant(world, amount=10_000)
        data = {
            "kind": Expense.Kind.SPEAKER,
            "spent_on": datetime.date(2025, 1, 1),
            "amount": 12_000,
            "description": "X",
        }
        recorded = services.expense_record(user=world["leader"], network=world.network, data=data)
        assert recorded.over_budget and recorded.balance == -2_000
        assert Expense.objects.count() == 1

    @pytest.mark.parametrize("role", ["coordinator", "member", "director", "other_member", "coordinator_b"])
    def test_only_leader_and_secretary_record_expenses(self, world: World, role: str) -> None:
        grant(world)
        data = {"kind": "other", "spent_on": datetime.date(2025, 1, 1), "amount": 100, "description": "X"}
        with pytest.raises(PermissionDenied):
            services.expense_record(user=world[role], network=world.network, data=data)
        assert not Expense.objects.exists()

    def test_leader_cannot_record_for_another_network(self, world: World) -> None:
        grant(world, network=world.other_network)
        data = {"kind": "other", "spent_on": datetime.date(2025, 1, 1), "amount": 100, "description": "X"}
        with pytest.raises(PermissionDenied):
            services.expense_record(user=world["leader"], network=world.other_network, data=data)


def test_use_of_funds_by_kind_and_year(world: World) -> None:
    grant(world)
    grant(world, network=world.other_network)
    expense(world, 40_000, datetime.date(2025, 2, 1), Expense.Kind.SECRETARIAT)
    expense(world, 15_000, datetime.date(2025, 5, 1), Expense.Kind.GATHERING)
    expense(world, 6_000, datetime.date(2025, 5, 1))
    expense(world, 4_000, datetime.date(2025, 10, 1))
    expense(world, 9_999, datetime.date(2024, 10, 1))
    funds = selectors.use_of_funds(network=world.network, year=2025)
    assert {row.kind: row.amount for row in funds.rows} == {
        "secretariat": 40_000,
        "gathering": 15_000,
        "catering": 10_000,
        "speaker": 0,
        "documentation": 0,
        "other": 0,
    }
    assert funds.total == 65_000
    assert [g.amount for g in funds.grants] == [750_000]
    table = selectors.use_of_funds_by_year(network=world.network)
    assert table.years == [2024, 2025]
    assert table.totals == [9_999, 65_000] and table.total == 74_999
