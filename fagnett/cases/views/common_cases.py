"""Common cases: several regions' cases on one subject."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.cases import selectors, services
from fagnett.cases.export import common_case_docx
from fagnett.cases.forms import CommonCaseForm
from fagnett.core.views_helpers import add_service_errors
from fagnett.networks.selectors import coordinated_regions


def common_case_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "cases/common_case_list.html",
        {
            "common_cases": selectors.common_case_list(user=request.user),
            "can_send": access_for(request.user).is_coordinator_anywhere,
        },
    )


@require_http_methods(["GET", "POST"])
def common_case_create(request: AuthenticatedRequest) -> HttpResponse:
    regions = coordinated_regions(user=request.user)
    if not regions.exists():
        raise PermissionDenied
    form = CommonCaseForm(request.POST or None, regions=regions, networks=selectors.region_networks(regions=regions))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            common = services.common_case_send(
                user=request.user,
                region=data["region"],
                networks=None if data["all_networks"] else list(data["networks"]),
                data=data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The common case was sent to the networks."))
            return redirect(common)
    return render(request, "cases/common_case_form.html", {"form": form})


def common_case_detail(request: AuthenticatedRequest, common_case_id: int) -> HttpResponse:
    common = selectors.common_case_get(user=request.user, common_case_id=common_case_id)
    return render(
        request,
        "cases/common_case_detail.html",
        {
            "common": common,
            "matrix": selectors.common_case_matrix(user=request.user, common_case=common),
            "today": timezone.localdate(),
        },
    )


def common_case_export(request: AuthenticatedRequest, common_case_id: int) -> HttpResponseBase:
    common = selectors.common_case_get(user=request.user, common_case_id=common_case_id)
    matrix = selectors.common_case_matrix(user=request.user, common_case=common)
    content = common_case_docx(
        common=common,
        matrix=matrix,
        consultations=selectors.consultations_by_case(case_ids=[row.case.pk for row in matrix.rows]),
    )
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"felles-sak-{common.pk}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
