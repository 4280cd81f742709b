import datetime
from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fagnett.budget.models import Expense, Grant
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def make_grant(world: World, **kwargs: object) -> Grant:
    return Grant.objects.create(
        **{
            "network": world.network,
            "amount": 100_000,
            "period_start": datetime.date(2025, 1, 1),
            "period_end": datetime.date(2025, 12, 31),
            "source": "Fagmidler",
            **kwargs,
        }
    )


def urls(world: World) -> dict[str, str]:
    return {
        "budget": reverse("budget:network_budget", args=[world.network.pk]),
        "budget_b": reverse("budget:network_budget", args=[world.network_b.pk]),
        "grant": reverse("budget:grant_create", args=[world.network.pk]),
        "expense": reverse("budget:expense_create", args=[world.network.pk]),
    }


# role → page → status: members, the coordinator and the directors read; nobody outside the region (404).
EXPECTED: dict[str, dict[str, int]] = {
    "coordinator": {"budget": 200, "budget_b": 404, "grant": 200, "expense": 403},
    "director": {"budget": 200, "budget_b": 404, "grant": 403, "expense": 403},
    "leader": {"budget": 200, "budget_b": 404, "grant": 403, "expense": 200},
    "secretary": {"budget": 200, "budget_b": 404, "grant": 403, "expense": 200},
    "member": {"budget": 200, "budget_b": 404, "grant": 403, "expense": 403},
    "rhf_rep": {"budget": 200, "budget_b": 404, "grant": 403, "expense": 403},
    "other_member": {"budget": 403, "budget_b": 404, "grant": 403, "expense": 403},
    "employee": {"budget": 403, "budget_b": 404, "grant": 403, "expense": 403},
    "fagsjef": {"budget": 403, "budget_b": 404, "grant": 403, "expense": 403},
    "coordinator_b": {"budget": 404, "budget_b": 200, "grant": 404, "expense": 404},
}


@pytest.mark.parametrize("role", EXPECTED)
def test_permission_table(world: World, login_as: LoginAs, role: str) -> None:
    client = login_as(role)
    for page, url in urls(world).items():
        assert client.get(url).status_code == EXPECTED[role][page], (role, page)


def test_coordinator_records_a_grant(world: World, login_as: LoginAs) -> None:
    response = login_as("coordinator").post(
        reverse("budget:grant_create", args=[world.network.pk]),
        {
            "amount": "50000",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "source": "Helse Midt-Norges fagmidler",
            "decision_reference": "",
        },
    )
    assert response.status_code == 302
    assert Grant.objects.get().amount == 50_000


@pytest.mark.parametrize("amount", ["-100", "0", "tusen", "12.5", ""])
def test_bad_amounts_show_an_error_and_save_nothing(world: World, login_as: LoginAs, amount: str) -> None:
    make_grant(world)
    response = login_as("secretary").post(
        reverse("budget:expense_create", args=[world.network.pk]),
        {"kind": "catering", "spent_on": "2025-03-01", "amount": amount, "description": "Lunsj"},
    )
    assert response.status_code == 200 and response.context["form"].errors["amount"]
    assert not Expense.objects.exists()


def test_expense_outside_the_period_shows_a_clear_message(world: World, login_as: LoginAs) -> None:
    make_grant(world)
    response = login_as("secretary").post(
        reverse("budget:expense_create", args=[world.network.pk]),
        {"kind": "catering", "spent_on": "2026-01-15", "amount": "500", "description": "Lunsj"},
    )
    assert response.status_code == 200
    assert "01.01.2025–31.12.2025" in response.context["form"].errors["spent_on"][0]
    assert not Expense.objects.exists()


def test_expense_beyond_the_balance_is_saved_with_a_warning(world: World, login_as: LoginAs) -> None:
    make_grant(world, amount=1_000)
    client = login_as("secretary")
    response = client.post(
        reverse("budget:expense_create", args=[world.network.pk]),
        {"kind": "speaker", "spent_on": "2025-03-01", "amount": "1500", "description": "Foredrag"},
    )
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]
    page = client.get(reverse("budget:network_budget", args=[world.network.pk]))
    assert page.context["overall"].balance == -500


def test_budget_page_shows_balance_and_use_of_funds(world: World, login_as: LoginAs) -> None:
    grant = make_grant(world)
    for kind, amount in (("secretariat", 30_000), ("catering", 5_000), ("catering", 2_500)):
        Expense.objects.create(
            network=world.network, grant=grant, kind=kind, spent_on=datetime.date(2025, 4, 1), amount=amount
        )
    response = login_as("member").get(reverse("budget:network_budget", args=[world.network.pk]) + "?year=2025")
    overall = response.context["overall"]
    assert (overall.granted, overall.spent, overall.balance) == (100_000, 37_500, 62_500)
    assert response.context["funds"].total == 37_500
    assert response.context["by_year"].rows[0] == (str(Expense.Kind.SECRETARIAT.label), [30_000], 30_000)


def test_budget_page_query_count_is_flat(world: World, login_as: LoginAs) -> None:
    client = login_as("coordinator")
    url = reverse("budget:network_budget", args=[world.network.pk])
    grant = make_grant(world)
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for year in range(2020, 2025):
        extra = make_grant(world, period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31))
        for i in range(8):
            Expense.objects.create(
                network=world.network,
                grant=extra if i % 2 else grant,
                kind=Expense.Kind.values[i % 6],
                spent_on=datetime.date(year, 1 + i, 1),
                amount=1000 + i,
                recorded_by=make_user(),
            )
    assert count() == small
