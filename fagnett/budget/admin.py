from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.budget.models import Expense, Grant


@admin.register(Grant)
class GrantAdmin(SimpleHistoryAdmin):
    list_display = ["network", "amount", "period_start", "period_end", "source"]
    list_filter = ["network__region"]
    list_select_related = ["network"]


@admin.register(Expense)
class ExpenseAdmin(SimpleHistoryAdmin):
    list_display = ["network", "spent_on", "kind", "amount", "description"]
    list_filter = ["kind", "network__region"]
    list_select_related = ["network"]
