"""The upload of an import: one file per kind of template, or the ZIP of an export."""

import os
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from fagnett.core.packages import PackageRefused, check_package
from fagnett.core.spreadsheet import XLSX_CONTENT_TYPE
from fagnett.core.uploads import MAX_UPLOAD_BYTES, check_upload
from fagnett.core.validators import find_national_id_numbers
from fagnett.onboarding.schema import KINDS
from fagnett.onboarding.services import Upload

#: an export with its documents can be large; the import reads only its CSV files
MAX_EXPORT_BYTES = 100 * 1024 * 1024

_WORKBOOK = {"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}


def check_export_upload(upload: UploadedFile) -> None:
    """A ZIP file within the size and unpacking bounds, whose name holds no identity number. Its CSV files are read
    (and every value checked) by the import; nothing else in it is read or kept."""
    name = os.path.basename(upload.name or "")
    if find_national_id_numbers(name):
        raise ValidationError(_("A file name looks like it contains a national identity number. Rename the file."))
    if not name.lower().endswith(".zip"):
        raise ValidationError(_("Upload the .zip file of an export from Fagnett."))
    if (upload.size or 0) > MAX_EXPORT_BYTES:
        raise ValidationError(
            _gettext(
                "The file is %(size)s; the largest allowed is %(limit)s. Make a ZIP of the export's CSV files only."
            )
            % {"size": filesizeformat(upload.size or 0), "limit": filesizeformat(MAX_EXPORT_BYTES)}
        )
    upload.seek(0)
    try:
        check_package(upload.file).close()  # type: ignore[arg-type]
    except PackageRefused as refused:
        if refused.not_a_package:
            raise ValidationError(_("The file is not a ZIP file.")) from None
        raise ValidationError(
            _("The file is too large or too complex to read. Make a ZIP of the CSV files only.")
        ) from None
    finally:
        upload.seek(0)


class UploadForm(forms.Form):
    organisation = forms.FileField(
        label=_("Organisation (.xlsx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=_WORKBOOK),
        help_text=KINDS["organisation"].help,
    )
    people = forms.FileField(
        label=_("People (.xlsx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=_WORKBOOK),
        help_text=KINDS["people"].help,
    )
    networks = forms.FileField(
        label=_("Networks (.xlsx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=_WORKBOOK),
        help_text=KINDS["networks"].help,
    )
    history = forms.FileField(
        label=_("History (.xlsx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=_WORKBOOK),
        help_text=KINDS["history"].help,
    )
    export = forms.FileField(
        label=_("Or: an export from Fagnett (.zip)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
        help_text=_("Its organisation, people, networks, mandates and appointments are read."),
    )

    def _clean_workbook(self, name: str) -> Any:
        upload = self.cleaned_data.get(name)
        if upload:
            # Name, size, type and the package's bounds. The text is not scanned: the import reads every cell it
            # keeps and names the row and column of an identity number; nothing else is stored.
            check_upload(upload, max_bytes=MAX_UPLOAD_BYTES, extensions={".xlsx"}, scan=False)
        return upload

    def clean_organisation(self) -> Any:
        return self._clean_workbook("organisation")

    def clean_people(self) -> Any:
        return self._clean_workbook("people")

    def clean_networks(self) -> Any:
        return self._clean_workbook("networks")

    def clean_history(self) -> Any:
        return self._clean_workbook("history")

    def clean_export(self) -> Any:
        upload = self.cleaned_data.get("export")
        if upload:
            check_export_upload(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(name) for name in self.fields):
            raise ValidationError(_("Choose at least one file."))
        return cleaned

    def uploads(self) -> list[Upload]:
        found = []
        for name in (*KINDS, "export"):
            upload = self.cleaned_data.get(name)
            if upload:
                upload.seek(0)
                found.append(Upload(name, os.path.basename(upload.name or name), upload.read()))
        return found
