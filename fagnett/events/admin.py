from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.events.models import Event, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["person", "network", "trust", "status", "comment", "registered_at"]
    readonly_fields = ["person", "network", "trust", "status", "registered_at"]
    can_delete = False


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "region", "kind", "starts_at", "status", "capacity"]
    list_filter = ["region", "kind", "status"]
    search_fields = ["title"]
    readonly_fields = ["status", "sequence", "invitation_sent_at"]
    filter_horizontal = ["networks"]
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = ["person", "event", "network", "status", "registered_at"]
    list_filter = ["status", "event__region"]
    search_fields = ["person__first_name", "person__last_name", "event__title"]
    raw_id_fields = ["person", "event"]
