"""Attendance at a meeting."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest
from fagnett.core.views_helpers import add_service_errors
from fagnett.meetings import selectors, services
from fagnett.meetings.forms import AttendanceForm
from fagnett.meetings.views.common import _manage


@require_http_methods(["GET", "POST"])
def attendance(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    _manage(request, meeting)
    form = AttendanceForm(request.POST or None, rows=selectors.attendance_rows(meeting=meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(user=request.user, meeting=meeting, statuses=form.statuses())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Attendance was saved."))
            return redirect(meeting)
    return render(request, "meetings/attendance.html", {"meeting": meeting, "form": form})
