"""The capacity workbook import under the unpacking bounds and the reader's memory and CPU limits.

An 84 KB workbook with millions of shared strings once cost 320 MB and 12 s, and a slightly larger one killed the
worker. Now a zip bomb is refused from its directory, and a workbook within the bounds that still asks openpyxl for
too much memory or time ends the child that reads it: the reporter gets a message, nothing is saved.
"""

import time
from typing import Any

import pytest
from django.test import override_settings

from fagnett.accounts.models import User
from fagnett.capacity.excel import COLUMNS
from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_round, units_of
from fagnett.capacity.tests.test_excel import _bytes, _problems, _set, _template, _upload
from fagnett.core import testing_files as files
from fagnett.core.tests.test_upload_limits import peak_mb, resident_mb
from tests.factories import World

pytestmark = pytest.mark.django_db

TOO_LARGE = "The file is too large or too complex to read."


@pytest.fixture(autouse=True)
def english(world: World) -> None:
    User.objects.update(language="en")


@pytest.fixture
def round_(world: World) -> ReportRound:
    return make_round(world.region_a)


def test_a_workbook_zip_bomb_is_refused_at_once(world: World, login_as: Any, round_: ReportRound) -> None:
    # 20 million shared strings: 340 MB of XML in a file of under a megabyte.
    bomb = files.xlsx_with_shared_strings(repeat=("x", 20_000_000))
    assert len(bomb) < 2**20
    client = login_as("reporter")
    _upload(client, round_, b"")  # the page's first showing (templates, translations) is not what is timed
    resident, peak, started = resident_mb(), peak_mb(), time.monotonic()
    problems = _problems(_upload(client, round_, bomb))
    elapsed = time.monotonic() - started
    assert problems == [
        "kapasitet.xlsx: the file is too large or too complex to read. Make it smaller or split it, and try again."
    ]
    assert elapsed < 2
    assert resident_mb() - resident < 50 and peak_mb() - peak < 50
    assert not CapacityEntry.objects.exists()


def test_a_workbook_needing_more_memory_than_the_reader_may_have_is_refused(
    world: World, login_as: Any, round_: ReportRound
) -> None:
    """One 80 MB string that packs 48 times: within the bounds, but openpyxl needs well over 100 MB to hold it."""
    heavy = files.xlsx_with_long_string(80)
    client = login_as("reporter")
    with override_settings(UPLOAD_READER_MEMORY_MB=64):
        problems = _problems(_upload(client, round_, heavy))
    assert problems == [f"Sheet -, row 0: {TOO_LARGE} Make it smaller or split it."]
    # With the default allowance the same file is read, and found not to be the template.
    assert any("missing: unit" in problem for problem in _problems(_upload(client, round_, heavy)))
    assert not CapacityEntry.objects.exists()


@override_settings(UPLOAD_READER_MEMORY_MB=64)
def test_a_real_template_imports_under_a_low_memory_allowance(world: World, login_as: Any, round_: ReportRound) -> None:
    client = login_as("reporter")
    book = _template(client, round_)
    for row in range(3, 15):  # under the hidden codes and the column titles
        _set(book, row, "physical_beds", 8)
        _set(book, row, "staffed_beds", 6)
    assert _upload(client, round_, _bytes(book)).status_code == 302
    assert CapacityEntry.objects.filter(round=round_).count() == 12


@override_settings(UPLOAD_READER_CPU_SECONDS=1)
def test_a_workbook_needing_more_time_than_the_reader_may_have_is_refused(
    world: World, login_as: Any, round_: ReportRound
) -> None:
    unit = units_of(world)[0]
    rows = [[unit.pk, "", "", "K1", "normal", *([5] * (len(COLUMNS) - 9)), "", "", "", ""]] * 10_000
    slow = files.xlsx_sheet([list(COLUMNS), *rows])
    started = time.monotonic()
    problems = _problems(_upload(login_as("reporter"), round_, slow))
    assert problems == [f"Sheet -, row 0: {TOO_LARGE} Make it smaller or split it."]
    assert time.monotonic() - started < 20
    assert not CapacityEntry.objects.exists()


def test_only_workbooks_are_taken(world: World, login_as: Any, round_: ReportRound) -> None:
    problems = _problems(_upload(login_as("reporter"), round_, files.docx(["Kapasitet"]), "kapasitet.docx"))
    assert problems == ["kapasitet.docx: only .xlsx files can be uploaded here."]


@pytest.mark.parametrize(
    "sheet",
    [
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">',
        b'<!DOCTYPE x [<!ENTITY a "unit_id">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006'
        b'/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>',
    ],
    ids=["breaks off", "declares an entity"],
)
def test_a_damaged_sheet_is_a_message_not_a_server_error(
    world: World, login_as: Any, round_: ReportRound, sheet: bytes
) -> None:
    damaged = files.repackaged(
        files.xlsx([["unit_id"]], sheet_title="Capacity"), replace={"xl/worksheets/sheet1.xml": sheet}
    )
    assert _problems(_upload(login_as("reporter"), round_, damaged)) == [
        "Sheet -, row 0: The file is not an Excel workbook (.xlsx)."
    ]
