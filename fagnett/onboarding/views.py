"""The coordinator's pages for bringing a region in from spreadsheets and taking it out as a ZIP file.

The import is a step page: upload (``upload``) → preview with counts, the first rows of each sheet and any problem
(``import_detail`` while the import waits) → confirm (``import_confirm``; a large import becomes a background job the
person follows on its download page) → the result, with what it created and the way to undo it (``import_detail``
afterwards, ``import_undo``).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.core.spreadsheet import XLSX_CONTENT_TYPE
from fagnett.core.views_helpers import paginate
from fagnett.networks.selectors import coordinated_regions
from fagnett.onboarding import exports, selectors, services, workbooks
from fagnett.onboarding.forms import UploadForm
from fagnett.onboarding.models import RegionImport
from fagnett.onboarding.schema import KINDS, SHEETS


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The way in from the region page: straight to the one region the person coordinates, or a choice."""
    regions = list(coordinated_regions(user=request.user))
    if not regions:
        raise PermissionDenied
    if len(regions) == 1:
        return redirect("onboarding:region", region_id=regions[0].pk)
    return render(request, "onboarding/home.html", {"regions": regions})


@require_GET
def region_page(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    region = selectors.managed_region(user=request.user, region_id=region_id)
    imports = selectors.region_import_list(region=region)
    return render(
        request,
        "onboarding/region.html",
        {"region": region, "kinds": KINDS.values(), "page": paginate(request, imports, per_page=20)},
    )


@require_GET
def template_download(request: AuthenticatedRequest, region_id: int, kind: str) -> HttpResponse:
    """The empty Excel template of one kind, in the person's language, with the region's names in its drop-downs."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    if kind not in KINDS:
        raise Http404
    trusts, networks = selectors.drop_down_names(region=region)
    content = workbooks.template(kind=KINDS[kind], trusts=trusts, networks=networks)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{KINDS[kind].filename}-{slugify(region.short_name)}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    """Step 1: the files. Nothing is imported here: a clean upload leads to the preview."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    refused: services.ImportRefused | None = None
    if request.method == "POST" and form.is_valid():
        try:
            record = services.region_import_preview(user=request.user, region=region, uploads=form.uploads())
        except services.ImportRefused as error:
            refused = error
            form.add_error(
                None,
                ngettext(
                    "Nothing was imported: the files have a problem. Correct it and upload the files again.",
                    "Nothing was imported: the files have %(count)s problems. Correct them and upload the files again.",
                    error.count,
                )
                % {"count": error.count},
            )
        else:
            return redirect(record)
    return render(
        request,
        "onboarding/upload.html",
        {"region": region, "form": form, "refused": refused, "kinds": KINDS.values()},
        status=200,
    )


def _detail_context(request: AuthenticatedRequest, record: RegionImport) -> dict[str, object]:
    sheet = request.GET.get("sheet", "")
    if sheet not in SHEETS:
        sheet = ""
    counts = (
        record.counts
        if record.status != RegionImport.Status.PREVIEW
        else {s["code"]: s["counts"] for s in record.preview.get("sheets", [])}
    )
    return {
        "region": record.region,
        "record": record,
        "sheets": [{"code": code, "title": SHEETS[code].title, "counts": values} for code, values in counts.items()],
        "preview": record.preview.get("sheets", []),
        "sheet": sheet,
        "objects": paginate(request, selectors.imported_objects(region_import=record, sheet=sheet), per_page=100)
        if record.status != RegionImport.Status.PREVIEW
        else None,
    }


@require_GET
def import_detail(request: AuthenticatedRequest, region_id: int, import_id: int) -> HttpResponse:
    """Step 2 (a preview waiting for confirmation) or step 3 (what the import did)."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    record = selectors.region_import_get(region=region, import_id=import_id)
    if services.region_import_release_if_lost(record):
        record.refresh_from_db()
    context = _detail_context(request, record)
    if record.status == RegionImport.Status.QUEUED:
        context["job"] = services.region_import_jobs(record).filter(owner=request.user).first()
    return render(request, "onboarding/import_detail.html", context)


@require_POST
def import_confirm(request: AuthenticatedRequest, region_id: int, import_id: int) -> HttpResponse:
    region = selectors.managed_region(user=request.user, region_id=region_id)
    record = selectors.region_import_get(region=region, import_id=import_id)
    if services.region_import_runs_as_job(record):
        # A large import takes longer than a request may: a background job carries it out and the person follows it.
        try:
            job = services.region_import_enqueue(
                user=request.user, region_import=record, back_label=_("See what the import did")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(record)
        return redirect(job)
    try:
        services.region_import_confirm(user=request.user, region_import=record)
    except services.ImportRefused as error:
        context = _detail_context(request, record)
        context["refused"] = error
        return render(request, "onboarding/import_detail.html", context)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(record)
    messages.success(request, _("The files were imported."))
    return redirect(record)


@require_POST
def import_discard(request: AuthenticatedRequest, region_id: int, import_id: int) -> HttpResponse:
    region = selectors.managed_region(user=request.user, region_id=region_id)
    record = selectors.region_import_get(region=region, import_id=import_id)
    try:
        services.region_import_discard(user=request.user, region_import=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(record)
    messages.success(request, _("The upload was dropped; nothing was imported."))
    return redirect("onboarding:region", region_id=region.pk)


@require_http_methods(["GET", "POST"])
def import_undo(request: AuthenticatedRequest, region_id: int, import_id: int) -> HttpResponse:
    """Undo a whole import: first what would stop it, then the confirmation."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    record = selectors.region_import_get(region=region, import_id=import_id)
    if record.status != RegionImport.Status.DONE:
        messages.error(request, _("Only an import that was carried out can be undone."))
        return redirect(record)
    if request.method == "POST":
        try:
            services.region_import_undo(user=request.user, region_import=record)
        except services.UndoRefused as refused:
            reasons = refused.reasons
        else:
            messages.success(request, _("The import was undone."))
            return redirect(record)
    else:
        reasons = services.region_import_undo_blockers(record)
    return render(request, "onboarding/import_undo.html", {**_detail_context(request, record), "reasons": reasons})


@require_GET
def export(request: AuthenticatedRequest, region_id: int) -> FileResponse:
    """Everything the region holds, as a documented ZIP of CSV and JSON files and the uploaded documents."""
    region = selectors.managed_region(user=request.user, region_id=region_id)
    content = exports.region_export(region)
    name = f"fagnett-{slugify(region.short_name)}-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(content, as_attachment=True, filename=name, content_type="application/zip")
