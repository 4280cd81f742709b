"""A case's files: attachments and the exported record."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.cases import selectors, services
from fagnett.cases.export import case_docx
from fagnett.cases.forms import AttachmentForm
from fagnett.cases.views.detail import _detail
from fagnett.core.storage import stored_file_response
from fagnett.core.views_helpers import add_service_errors


def case_export(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    """The case record as a Word document, consultations and timeline included."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    content = case_docx(
        case=case,
        consultations=selectors.case_consultations(case=case),
        events=selectors.case_events(case=case),
    )
    name = f"sak-{case.reference.replace('/', '-')}" if case.reference else f"sak-{case.pk}"
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{name}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@require_POST
def case_attach(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("cases.attach_case", case):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            for upload in form.cleaned_data["attachments"]:
                services.case_attach(user=request.user, case=case, upload=upload)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The attachment was added."))
            return redirect(case)
    return _detail(request, case, attachment_form=form, status=400)


def attachment_download(request: AuthenticatedRequest, attachment_id: int) -> HttpResponseBase:
    attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    response = stored_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
