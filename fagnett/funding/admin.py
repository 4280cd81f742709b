from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.funding.models import Application, ApplicationEvent, BudgetLine, FundingCall


@admin.register(FundingCall)
class FundingCallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "region", "year", "deadline", "status", "amount_available"]
    list_filter = ["region", "status"]
    list_select_related = ["region"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    readonly_fields = ["kind", "actor", "at", "text"]
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["call", "network", "proposed_name", "applicant", "trust", "status", "amount_granted"]
    list_filter = ["status", "call__region"]
    list_select_related = ["call", "network", "applicant", "trust"]
    readonly_fields = ["status", "grant"]
    inlines = [BudgetLineInline, ApplicationEventInline]
