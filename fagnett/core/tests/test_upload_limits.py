"""Uploaded packages are bounded before they are opened, and read in a child with memory and CPU limits.

A zip bomb (hundreds of megabytes packed into a few hundred kilobytes) is refused from its directory alone, fast and
without memory; a file within the bounds that still asks a reader for too much memory or time ends the child, and
the person gets a message instead of a server error.
"""

import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from fagnett.core import testing_files as files
from fagnett.core.testing_files import NUMBER
from fagnett.core.uploads import check_upload

TOO_LARGE = "the file is too large or too complex to read"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def resident_mb() -> float:
    """The memory this process holds now (not its peak)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content))
    (message,) = error.value.messages
    return message


def test_a_docx_zip_bomb_is_refused_at_once_without_unpacking() -> None:
    # 10 million paragraphs, 390 MB of XML, packed into about a megabyte.
    bomb = files.docx_body(repeat=("<w:p><w:r><w:t>tekst</w:t></w:r></w:p>", 10_000_000))
    assert len(bomb) < 2 * 2**20
    resident, peak, started = resident_mb(), peak_mb(), time.monotonic()
    message = _refusal("referat.docx", bomb)
    elapsed = time.monotonic() - started
    assert message.startswith(f"referat.docx: {TOO_LARGE}")
    assert elapsed < 1
    assert resident_mb() - resident < 30 and peak_mb() - peak < 30


def test_many_tiny_entries_are_refused_before_the_directory_is_parsed() -> None:
    many = files.repackaged(files.docx(["x"]), replace={f"customXml/item{i}.xml": b"<a/>" for i in range(6000)})
    assert TOO_LARGE in _refusal("referat.docx", many)


def test_the_declared_size_cannot_hide_a_bigger_part() -> None:
    """zipfile stops at the size an entry declares, so a directory that understates a part cannot make anything
    read more than the bounds allowed: the part is cut short and refused as damaged."""
    honest = files.docx_body([f"<w:p><w:r><w:t>Pasient {NUMBER}</w:t></w:r></w:p>"] * 1000)
    directory_at = honest.rindex(b"word/document.xml")  # the central directory's entry for the part
    header_at = honest.rindex(b"PK\x01\x02", 0, directory_at)
    lying = bytearray(honest)
    lying[header_at + 24 : header_at + 28] = (100).to_bytes(4, "little")  # "100 bytes unpacked"
    assert "could not be read" in _refusal("referat.docx", bytes(lying))


@override_settings(UPLOAD_READER_MEMORY_MB=48, UPLOAD_PACKAGE_MAX_RATIO=100_000)
def test_a_document_needing_more_memory_than_the_reader_may_have_is_refused() -> None:
    """One paragraph of a million runs: the scan holds a paragraph whole to join its runs."""
    runs = "".join(f"<w:r><w:t>{i}</w:t></w:r>" for i in range(1_000_000))
    huge = files.docx_body([f"<w:p>{runs}</w:p>"])
    started = time.monotonic()
    assert _refusal("referat.docx", huge).startswith(f"referat.docx: {TOO_LARGE}")
    assert time.monotonic() - started < 30
    with override_settings(UPLOAD_READER_MEMORY_MB=512):  # the same file is readable with the default allowance
        check_upload(SimpleUploadedFile("referat.docx", huge))


@override_settings(UPLOAD_READER_CPU_SECONDS=1, UPLOAD_PACKAGE_MAX_RATIO=100_000)
def test_a_document_needing_more_time_than_the_reader_may_have_is_refused() -> None:
    """Two million short paragraphs (80 MB of XML) take the scan several seconds of CPU."""
    many = files.docx_body(repeat=("<w:p><w:r><w:t>tekst</w:t></w:r></w:p>", 2_000_000))
    started = time.monotonic()
    assert _refusal("referat.docx", many).startswith(f"referat.docx: {TOO_LARGE}")
    assert time.monotonic() - started < 20
