from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fagnett.progress.models import ProgressReport, ReportingSchedule


@admin.register(ReportingSchedule)
class ReportingScheduleAdmin(SimpleHistoryAdmin):
    list_display = ["case", "interval", "unit", "first_due", "set_by", "set_at"]
    list_select_related = ["case", "set_by"]
    readonly_fields = ["lock_version"]


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = ["case", "status", "reported_by", "reported_at"]
    list_filter = ["status"]
    list_select_related = ["case", "reported_by"]
