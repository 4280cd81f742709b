from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.opendata.models import RegionApiKey


@admin.register(RegionApiKey)
class RegionApiKeyAdmin(SimpleHistoryAdmin):
    """Read-only: keys are issued on the coordinator's page, where the key is shown once."""

    list_display = ["region", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["region"]
    list_select_related = ["region"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
