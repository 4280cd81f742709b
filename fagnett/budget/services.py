"""Recording grants and expenses. Each is one transaction that checks permission; history is kept by
django-simple-history."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.budget.models import Expense, Grant
from fagnett.budget.selectors import grant_balance, grant_covering
from fagnett.core.permissions import require_perm
from fagnett.networks.models import Network

GRANT_FIELDS = ("amount", "period_start", "period_end", "source", "decision_reference")
EXPENSE_FIELDS = ("kind", "spent_on", "amount", "description")


@transaction.atomic
def grant_record(*, user: User, network: Network, data: dict[str, Any]) -> Grant:
    require_perm(user, "budget.add_grant", network)
    grant = Grant(network=network, recorded_by=user, **{k: data[k] for k in GRANT_FIELDS if k in data})
    grant.full_clean()
    grant.save()
    return grant


@dataclass(frozen=True)
class RecordedExpense:
    expense: Expense
    #: what is left of the grant after this expense; negative when the expense went beyond it
    balance: int

    @property
    def over_budget(self) -> bool:
        return self.balance < 0


@transaction.atomic
def expense_record(*, user: User, network: Network, data: dict[str, Any]) -> RecordedExpense:
    """Record an expense against the grant whose period covers its date.

    An expense outside every grant period is refused; one beyond the grant's balance is saved, and the
    caller warns about it.
    """
    require_perm(user, "budget.add_expense", network)
    expense = Expense(network=network, recorded_by=user, **{k: data[k] for k in EXPENSE_FIELDS if k in data})
    if expense.spent_on is not None:
        grant = grant_covering(network=network, day=expense.spent_on)
        if grant is None:
            periods = ", ".join(
                f"{g.period_start:%d.%m.%Y}–{g.period_end:%d.%m.%Y}"
                for g in Grant.objects.filter(network=network).order_by("period_start")
            )
            message = (
                _("No grant covers %(date)s. The network's grants cover %(periods)s.")
                if periods
                else _("No grant covers %(date)s: the network has no grants yet.")
            )
            raise ValidationError({"spent_on": message % {"date": f"{expense.spent_on:%d.%m.%Y}", "periods": periods}})
        expense.grant = grant
    expense.full_clean(exclude=None if expense.spent_on is not None else ["grant"])
    expense.save()
    return RecordedExpense(expense=expense, balance=grant_balance(grant=expense.grant))
