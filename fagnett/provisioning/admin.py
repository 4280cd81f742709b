from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.core.admin import revoke_keys
from fagnett.provisioning.models import ProvisionedPerson, ScimGroup, ScimToken


@admin.register(ScimToken)
class ScimTokenAdmin(SimpleHistoryAdmin):
    """Read-only but for revoking: keys are issued on the coordinator's page, where the key is shown once."""

    list_display = ["region", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["region"]
    list_select_related = ["region"]
    actions = [revoke_keys]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ProvisionedPerson)
class ProvisionedPersonAdmin(SimpleHistoryAdmin):
    list_display = ["person", "region", "external_id", "created_at"]
    list_filter = ["region"]
    search_fields = ["external_id", "person__username", "person__email"]
    list_select_related = ["person", "region"]
    raw_id_fields = ["person"]


@admin.register(ScimGroup)
class ScimGroupAdmin(SimpleHistoryAdmin):
    """What the identity provider pushed; changed by the provider, so read here only."""

    list_display = ["display_name", "region", "external_id", "updated_at"]
    list_filter = ["region"]
    search_fields = ["display_name", "external_id"]
    raw_id_fields = ["members"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
