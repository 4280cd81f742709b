"""Uploaded files: limited in size and type, stored under random names outside the web root.

The type is decided by the file's first bytes, not by its name alone: a file whose content does not match
its extension is refused. Files are only ever served by views that check permission first.
"""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from fagnett.core.validators import find_national_id_numbers

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

_ZIP = b"PK\x03\x04"
# extension → (content type, magic prefixes; an empty tuple means "text, checked separately")
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (_ZIP,)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain", ()),
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int


def check_upload(upload: UploadedFile, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    """Refuse files that are empty, too large, of a type we do not take, or whose content is not what the name says."""
    name = PurePath(upload.name or "file").name
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name})
    if size > max_bytes:
        raise ValidationError(
            _("The file %(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    if find_national_id_numbers(name):
        raise ValidationError(
            _("The file name %(name)s looks like it contains a national identity number. Rename the file.")
            % {"name": name}
        )
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(
            _("Files of type %(ext)s cannot be uploaded. Allowed: PDF, Word, Excel, PowerPoint, PNG, JPEG and text.")
            % {"ext": extension or "?"}
        )
    content_type, magics = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magics and not any(head.startswith(m) for m in magics):
        raise ValidationError(_("The content of %(name)s does not match its file type.") % {"name": name})
    if not magics:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("The content of %(name)s does not match its file type.") % {"name": name}) from None
    return CheckedUpload(name=name, content_type=content_type, size=size)


def random_upload_path(instance: object, filename: str) -> str:
    """Store under a random name; the original name is kept in the database only."""
    return f"uploads/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
