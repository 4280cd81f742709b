"""Uploaded files (agenda documents, case attachments): limited in size and type, stored under random names
outside the web root, and only ever served by views that check permission first.

The extension alone proves nothing, so the first bytes are read and must match it, and an Office file must be
the package its name says. A text file must be UTF-8 and, like all free text, hold no national identity
number; neither may the file's name.
"""

import os
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from fagnett.core.validators import find_national_id_numbers

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

#: extension → content type
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
}
_ZIP = b"PK\x03\x04"
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".pptx": (_ZIP,),
}
# The part an Office Open XML package of each kind must contain.
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(
        _("%(name)s: %(reason)s") % {"name": name, "reason": reason}, code="attachment", params={"name": name}
    )


def check_upload(upload: UploadedFile, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    """The file's name, type and size if it may be stored; ``ValidationError`` naming the file otherwise."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if find_national_id_numbers(name):
        raise ValidationError(
            _("A file name looks like it contains a national identity number. Rename the file and try again."),
            code="national_id",
        )
    if extension not in ALLOWED_TYPES:
        raise _refuse(name, _("only PDF, Word, Excel, PowerPoint, PNG, JPEG and text files can be uploaded."))
    size = upload.size or 0
    if size > max_bytes:
        raise _refuse(
            name,
            _("the file is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    if size == 0:
        raise _refuse(name, _("the file is empty."))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    mismatch = _refuse(name, _("the content is not what the file name says. Save the file again and retry."))
    if extension in _MAGIC and not head.startswith(_MAGIC[extension]):
        raise mismatch
    if extension in _OOXML_PART:
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except zipfile.BadZipFile:
            raise mismatch from None
        finally:
            upload.seek(0)
        if _OOXML_PART[extension] not in names:
            raise mismatch
    if extension == ".txt":
        content = upload.read()
        upload.seek(0)
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(name, _("a text file must be saved as UTF-8.")) from None
        if "\x00" in text:
            raise mismatch
        if find_national_id_numbers(text):
            raise _refuse(
                name,
                _("the file looks like it contains a national identity number. Fagnett must not hold patient data."),
            )
    return CheckedUpload(name=name, content_type=ALLOWED_TYPES[extension], size=size)


def random_upload_path(instance: object, filename: str) -> str:
    """Store under a random name; the original name is kept in the database only."""
    return f"uploads/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
