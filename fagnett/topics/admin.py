from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.topics.models import Topic


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "region", "order", "active"]
    list_filter = ["region", "active"]
    search_fields = ["name"]
