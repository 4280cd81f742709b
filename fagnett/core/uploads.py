"""Uploaded files (agenda documents, case attachments, the capacity workbook): limited in size and type, stored under
random names outside the web root, and only ever served by views that check permission first.

The extension alone proves nothing, so the first bytes are read and must match it, and an Office or OpenDocument
file must be the package its name says. A package's directory is checked against the unpacking bounds
(``core.packages``) before anything is unpacked. Like all free text, the file's name and its text hold no national
identity number: a text file must be UTF-8 and is searched here; Office, OpenDocument and PDF files are read
(``core.document_text``) in a child process with memory and CPU limits (``core.forked.upload_limits``), so a file
built to exhaust the reader ends that process, not the worker, and is refused with a message.
"""

import io
import logging
import os
import uuid
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from fagnett.core import forked
from fagnett.core.document_text import PACKAGE_EXTENSIONS, SCANNED_EXTENSIONS, Finding, Unreadable, find_in_document
from fagnett.core.packages import PackageRefused, check_package
from fagnett.core.validators import find_national_id_numbers

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

#: extension → content type
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
}
_ZIP = b"PK\x03\x04"
# What an Office file protected by a password (or saved in the old binary format) starts with: a compound file.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    **dict.fromkeys(PACKAGE_EXTENSIONS, (_ZIP,)),
}
# The part an Office Open XML package of each kind must contain.
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
_OPENDOCUMENT = {".odt", ".ods", ".odp"}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(
        _("%(name)s: %(reason)s") % {"name": name, "reason": reason}, code="attachment", params={"name": name}
    )


def _too_large(name: str) -> ValidationError:
    return _refuse(name, _("the file is too large or too complex to read. Make it smaller or split it, and try again."))


def _where(finding: Finding) -> str:
    places = {
        "header": _("in a header or footer"),
        "comment": _("in a comment"),
        "note": _("in a footnote or endnote"),
        "speaker_notes": _("in the speaker notes"),
        "properties": _("in the document properties (title, author and the like)"),
        "link": _("in a link address"),
        "embedded": _("in an object embedded in the file"),
    }
    if finding.where == "page":
        return _("on page %(page)s") % {"page": finding.page}
    return places.get(finding.where, "")


def _contains_number(name: str, where: str = "") -> ValidationError:
    if where:
        reason = _(
            "the file looks like it contains a national identity number (fødselsnummer or D-number) %(where)s. "
            "Fagnett must not hold patient data: remove the number and upload the file again."
        ) % {"where": where}
    else:
        reason = _(
            "the file looks like it contains a national identity number (fødselsnummer or D-number). "
            "Fagnett must not hold patient data: remove the number and upload the file again."
        )
    return _refuse(name, reason)


def check_upload(
    upload: UploadedFile,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    extensions: Collection[str] | None = None,
    scan: bool = True,
) -> CheckedUpload:
    """The file's name, type and size if it may be stored; ``ValidationError`` naming the file otherwise.

    ``extensions`` narrows the allowed types (e.g. ``{".xlsx"}`` for the capacity import). ``scan=False`` leaves out
    the search of a document's text, for a caller that reads and checks every value it keeps itself and stores
    nothing else. A file is read once: the result is kept on the upload, so a form and the service behind it can
    both call this.
    """
    key = (max_bytes, tuple(sorted(extensions)) if extensions is not None else None, scan)
    remembered = getattr(upload, "_fagnett_checked", None)
    if remembered is not None and remembered[0] == key:
        return remembered[1]
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if find_national_id_numbers(name):
        raise ValidationError(
            _("A file name looks like it contains a national identity number. Rename the file and try again."),
            code="national_id",
        )
    if extensions is not None and extension not in extensions:
        raise _refuse(name, _("only %(types)s files can be uploaded here.") % {"types": ", ".join(sorted(extensions))})
    if extension not in ALLOWED_TYPES:
        raise _refuse(
            name, _("only PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG and text files can be uploaded.")
        )
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
    content = upload.read()
    upload.seek(0)
    mismatch = _refuse(name, _("the content is not what the file name says. Save the file again and retry."))
    if extension in PACKAGE_EXTENSIONS and content.startswith(_COMPOUND_FILE):
        raise _refuse(
            name,
            _(
                "the file is protected by a password or saved in an older format. Remove the password or save it "
                "as %(extension)s, and try again."
            )
            % {"extension": extension},
        )
    if extension in _MAGIC and not content.startswith(_MAGIC[extension]):
        raise mismatch
    if extension in PACKAGE_EXTENSIONS:
        _check_package(name, extension, content, mismatch)
    if extension == ".txt":
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(name, _("a text file must be saved as UTF-8.")) from None
        if "\x00" in text:
            raise mismatch
        if find_national_id_numbers(text):
            raise _contains_number(name)
    if scan and extension in SCANNED_EXTENSIONS:
        _scan(name, extension, content)
    checked = CheckedUpload(name=name, content_type=ALLOWED_TYPES[extension], size=size)
    upload._fagnett_checked = (key, checked)  # type: ignore[attr-defined]
    return checked


def _check_package(name: str, extension: str, content: bytes, mismatch: ValidationError) -> None:
    """The package is within the unpacking bounds and holds the part its kind must have. Only its directory is read."""
    try:
        package = check_package(io.BytesIO(content))
    except PackageRefused as refused:
        if refused.not_a_package:
            raise mismatch from None
        if refused.encrypted:
            raise _refuse(name, _("the file is protected by a password. Remove the password and try again.")) from None
        logger.warning("Upload %r refused before unpacking: %s", name, refused.reason)
        raise _too_large(name) from None
    with package:
        names = set(package.namelist())
        if extension in _OOXML_PART and _OOXML_PART[extension] not in names:
            raise mismatch
        if extension in _OPENDOCUMENT:
            try:
                with package.open("mimetype") as part:
                    kind = part.read(100).decode("ascii", "replace").strip()
            except (KeyError, zipfile.BadZipFile, OSError):
                raise mismatch from None
            if kind != ALLOWED_TYPES[extension] or "content.xml" not in names:
                raise mismatch


def _scan(name: str, extension: str, content: bytes) -> None:
    """Search the document's text for identity numbers in a limited child process."""
    try:
        finding = forked.call(find_in_document, content, extension, limits=forked.upload_limits())
    except forked.LimitExceeded as exceeded:
        logger.warning("Upload %r could not be read within the limits: %s", name, exceeded)
        raise _too_large(name) from None
    except Unreadable as unreadable:
        if unreadable.reason == "encrypted":
            raise _refuse(name, _("the file is protected by a password. Remove the password and try again.")) from None
        if unreadable.reason == "too_large":
            raise _too_large(name) from None
        raise _refuse(name, _("the file could not be read. Save it again (or print it to PDF) and retry.")) from None
    if finding is not None:
        raise _contains_number(name, _where(finding))


def random_upload_path(instance: object, filename: str) -> str:
    """Store under a random name; the original name is kept in the database only."""
    return f"uploads/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
