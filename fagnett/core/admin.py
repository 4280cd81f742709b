from django.contrib import admin

from fagnett.core.models import ReminderLog


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["kind", "object_key", "recipient", "sent_at"]
    list_filter = ["kind"]
