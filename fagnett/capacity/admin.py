from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.capacity.models import ApiToken, Assessment, CapacityEntry, ReportRound, UnitProfile
from fagnett.core.admin import revoke_keys


@admin.register(ReportRound)
class ReportRoundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "region", "period_start", "deadline", "status", "is_demo"]
    list_filter = ["region", "status"]


@admin.register(CapacityEntry)
class CapacityEntryAdmin(SimpleHistoryAdmin):
    """Read-only: entries change through the services, so rules and versions hold."""

    list_display = ["round", "unit", "category", "scenario", "version", "is_current", "staffed_beds"]
    list_filter = ["round__region", "category", "scenario", "is_current"]
    list_select_related = ["round", "unit", "unit__hospital"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["round", "trust", "category", "scenario", "verdict"]
    list_select_related = ["round", "trust"]


admin.site.register(UnitProfile, SimpleHistoryAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are issued with ``manage.py capacity_api_key`` or on the coordinator's page; here they are only listed
    and revoked."""

    list_display = ["trust", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["trust"]
    list_select_related = ["trust"]
    actions = [revoke_keys]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
