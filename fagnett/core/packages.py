"""Bounds on an uploaded ZIP package (Office Open XML, OpenDocument) before anything unpacks it.

A ZIP file says in its directory how many entries it holds and how large each is unpacked. Those numbers are read
first, from the end of the file, and only a package within the bounds (settings ``UPLOAD_PACKAGE_*``) is opened:
an 84 KB workbook can otherwise unpack to millions of strings and hundreds of megabytes. The declared sizes can be
trusted as bounds: Python's ``zipfile`` never returns more bytes than an entry declares (and refuses the entry when
its checksum then fails), which is what openpyxl, python-docx and the text scanner read through.
"""

import io
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

_MB = 1024 * 1024
# Below this size a part may shrink any amount: small, very regular parts (styles, empty sheets) compress hundreds
# of times and cost nothing.
_RATIO_GRACE_BYTES = 1 * _MB
# Room for a file name, extra field and comment per directory entry, to bound the directory before it is parsed.
_DIRECTORY_BYTES_PER_ENTRY = 1024

_END = struct.Struct("<4s4H2LH")  # end of central directory record
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")
_ZIP64_END_SIGNATURE = b"PK\x06\x06"


class PackageRefused(Exception):
    """The package is outside the bounds, or is not a ZIP file at all (``not_a_package``)."""

    def __init__(self, reason: str, *, not_a_package: bool = False, encrypted: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_a_package = not_a_package
        self.encrypted = encrypted


@dataclass(frozen=True)
class PackageLimits:
    max_entries: int
    max_unpacked_bytes: int
    max_part_bytes: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> "PackageLimits":
        return cls(
            max_entries=int(settings.UPLOAD_PACKAGE_MAX_ENTRIES),
            max_unpacked_bytes=int(settings.UPLOAD_PACKAGE_MAX_UNPACKED_MB) * _MB,
            max_part_bytes=int(settings.UPLOAD_PACKAGE_MAX_PART_MB) * _MB,
            max_ratio=int(settings.UPLOAD_PACKAGE_MAX_RATIO),
        )


def _directory_size(file: BinaryIO) -> tuple[int, int]:
    """The number of entries and the size in bytes of the central directory, from the end record (ZIP64 too)."""
    file.seek(0, io.SEEK_END)
    length = file.tell()
    tail_start = max(0, length - _END.size - 0xFFFF)  # the record ends the file, after a comment of at most 64 KB
    file.seek(tail_start)
    tail = file.read()
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END.size:
        raise PackageRefused("no end of central directory", not_a_package=True)
    _, _, _, _, entries, directory_bytes, _, _ = _END.unpack_from(tail, at)
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:
        locator_at = at - _ZIP64_LOCATOR.size
        if locator_at < 0:
            raise PackageRefused("ZIP64 locator missing", not_a_package=True)
        signature, _, end64_offset, _ = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
        if signature != _ZIP64_LOCATOR_SIGNATURE:
            raise PackageRefused("ZIP64 locator missing", not_a_package=True)
        file.seek(end64_offset)
        record = file.read(_ZIP64_END.size)
        if len(record) < _ZIP64_END.size or record[:4] != _ZIP64_END_SIGNATURE:
            raise PackageRefused("ZIP64 end record missing", not_a_package=True)
        _, _, _, _, _, _, _, entries, directory_bytes, _ = _ZIP64_END.unpack(record)
    return entries, directory_bytes


def check_package(file: BinaryIO, limits: PackageLimits | None = None) -> zipfile.ZipFile:
    """The package, opened, if its directory is within ``limits`` (the settings by default); ``PackageRefused``
    otherwise. Nothing is unpacked here."""
    limits = limits or PackageLimits.from_settings()
    entries, directory_bytes = _directory_size(file)
    if entries > limits.max_entries:
        raise PackageRefused(f"{entries} entries (at most {limits.max_entries})")
    if directory_bytes > max(entries, 1) * _DIRECTORY_BYTES_PER_ENTRY:
        raise PackageRefused(f"a directory of {directory_bytes} bytes for {entries} entries")
    file.seek(0)
    try:
        package = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise PackageRefused("not a ZIP file", not_a_package=True) from None
    infos = package.infolist()
    if len(infos) > limits.max_entries:  # the end record undercounted
        raise PackageRefused(f"{len(infos)} entries (at most {limits.max_entries})")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise PackageRefused(f"{info.filename} is encrypted", encrypted=True)
        if info.file_size > limits.max_part_bytes:
            raise PackageRefused(f"{info.filename} unpacks to {info.file_size} bytes (at most {limits.max_part_bytes})")
        if info.file_size > _RATIO_GRACE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise PackageRefused(
                f"{info.filename} unpacks {info.file_size / max(info.compress_size, 1):.0f} times its size "
                f"(at most {limits.max_ratio})"
            )
        total += info.file_size
    if total > limits.max_unpacked_bytes:
        raise PackageRefused(f"unpacks to {total} bytes (at most {limits.max_unpacked_bytes})")
    return package
