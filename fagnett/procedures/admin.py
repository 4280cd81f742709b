from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.procedures.models import Procedure, StatusEvent


class StatusEventInline(admin.TabularInline):
    model = StatusEvent
    extra = 0
    readonly_fields = ["from_status", "status", "happened_on", "note", "recorded_by", "recorded_at"]
    can_delete = False


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    list_display = ["title", "network", "kind", "status", "review_date"]
    list_filter = ["kind", "status", "network__region"]
    search_fields = ["title"]
    readonly_fields = ["status"]
    inlines = [StatusEventInline]
