from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.cases.models import Case, CaseAttachment, CaseEvent, CommonCase, Consultation


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "kind", "actor", "text"]
    readonly_fields = ["at", "kind", "actor", "text"]
    can_delete = False


class ConsultationInline(admin.TabularInline):
    model = Consultation
    extra = 0
    fields = ["kind", "required", "not_required_reason", "status", "consulted_on", "consulted", "outcome"]
    readonly_fields = ["kind", "required", "not_required_reason", "status", "consulted_on", "consulted", "outcome"]
    can_delete = False


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ["title", "network", "year", "number", "status", "source", "submitted_at"]
    list_filter = ["region", "status", "source", "year"]
    search_fields = ["title"]
    list_select_related = ["network"]
    readonly_fields = ["number", "lock_version"]
    exclude = ["topics"]  # put on in the app, where the region's list and the permission are checked
    inlines = [ConsultationInline, CaseEventInline]


@admin.register(CommonCase)
class CommonCaseAdmin(SimpleHistoryAdmin):
    list_display = ["title", "region", "due_date", "created_at"]
    list_filter = ["region"]


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "case", "content_type", "size", "uploaded_at"]
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by"]
