from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.networks.models import Appointment, Mandate, Network, TaskListItem


@admin.register(Network)
class NetworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "field", "region", "kind", "status", "parent"]
    list_filter = ["region", "status", "kind"]
    search_fields = ["name", "field"]
    list_select_related = ["region", "parent"]


@admin.register(TaskListItem)
class TaskListItemAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "region", "order"]
    list_filter = ["region"]


@admin.register(Mandate)
class MandateAdmin(SimpleHistoryAdmin):
    """Mandates are versions: the admin shows them but never edits one in place."""

    list_display = ["network", "version", "period_start", "period_end", "approved_on"]
    list_filter = ["network__region"]
    list_select_related = ["network"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["person", "network", "role", "trust", "status", "start_date", "end_date"]
    list_filter = ["status", "role", "network__region"]
    search_fields = ["person__first_name", "person__last_name", "network__name"]
    list_select_related = ["person", "network", "trust"]
    raw_id_fields = ["person", "nominated_by", "decided_by"]
