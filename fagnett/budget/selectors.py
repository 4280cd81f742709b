"""Reads for the budget: a network's grants, expenses and balance, and the use of funds by kind and year."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear

from fagnett.accounts.models import User
from fagnett.budget.models import Expense, Grant
from fagnett.networks.models import Network
from fagnett.networks.selectors import network_get


def budget_network_get(*, user: User, network_id: int) -> Network:
    """The network if the person may read its budget: 404 outside the region, 403 for others in it."""
    network = network_get(user=user, network_id=network_id)
    if not user.has_perm("budget.view_budget", network):
        raise PermissionDenied
    return network


def grant_list(*, network: Network) -> list[Grant]:
    """The network's grants, each with ``spent`` and ``balance``, in one query."""
    grants: list[Grant] = list(
        Grant.objects.filter(network=network)
        .annotate(spent_total=Coalesce(Sum("expenses__amount"), 0))
        .order_by("period_start", "pk")
    )
    for grant in grants:
        grant.spent = grant.spent_total  # type: ignore[attr-defined]
        grant.balance = grant.amount - grant.spent_total  # type: ignore[attr-defined]
    return grants


def expense_list(*, network: Network) -> QuerySet[Expense]:
    return Expense.objects.filter(network=network).select_related("grant", "recorded_by").order_by("-spent_on", "-pk")


def grant_covering(*, network: Network, day: datetime.date) -> Grant | None:
    """The grant whose period covers ``day``; of overlapping grants, the one that started last."""
    return (
        Grant.objects.filter(network=network)
        .filter(period_start__lte=day, period_end__gte=day)
        .order_by("-period_start", "-pk")
        .first()
    )


def grant_balance(*, grant: Grant) -> int:
    spent = grant.expenses.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    return grant.amount - int(spent)


@dataclass
class Balance:
    granted: int
    spent: int

    @property
    def balance(self) -> int:
        return self.granted - self.spent


def balance_overall(*, grants: list[Grant]) -> Balance:
    """Granted minus spent over all the network's grants (from ``grant_list``, so no further query)."""
    return Balance(
        granted=sum(g.amount for g in grants),
        spent=sum(g.spent for g in grants),  # type: ignore[attr-defined]
    )


@dataclass
class UseOfFundsRow:
    kind: str
    label: str
    amount: int


@dataclass
class UseOfFunds:
    """What a network spent in a year, by kind, and the grants whose period touches that year."""

    year: int
    rows: list[UseOfFundsRow]
    grants: list[Grant] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)


def use_of_funds(*, network: Network, year: int) -> UseOfFunds:
    """Spending of ``network`` in ``year`` by kind (every kind, zero included), for the page and the annual report."""
    sums = dict(
        Expense.objects.filter(network=network)
        .filter(spent_on__year=year)
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    grants = list(
        Grant.objects.filter(network=network)
        .filter(period_start__lte=datetime.date(year, 12, 31), period_end__gte=datetime.date(year, 1, 1))
        .order_by("period_start", "pk")
    )
    rows = [UseOfFundsRow(kind=k, label=str(label), amount=int(sums.get(k, 0))) for k, label in Expense.Kind.choices]
    return UseOfFunds(year=year, rows=rows, grants=grants)


@dataclass
class KindYearTable:
    """Spending by kind (rows) and year (columns), with totals."""

    years: list[int]
    rows: list[tuple[str, list[int], int]]
    totals: list[int]

    @property
    def total(self) -> int:
        return sum(self.totals)


def use_of_funds_by_year(*, network: Network) -> KindYearTable:
    """Every year the network spent money in, by kind, in one query."""
    cells: dict[tuple[str, int], int] = {}
    for kind, year, total in (
        Expense.objects.filter(network=network)
        .annotate(year=ExtractYear("spent_on"))
        .values_list("kind", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        cells[(kind, year)] = int(total)
    years = sorted({year for _, year in cells})
    rows = []
    for kind, label in Expense.Kind.choices:
        amounts = [cells.get((kind, year), 0) for year in years]
        if any(amounts):
            rows.append((str(label), amounts, sum(amounts)))
    totals = [sum(cells.get((kind, year), 0) for kind in Expense.Kind.values) for year in years]
    return KindYearTable(years=years, rows=rows, totals=totals)
