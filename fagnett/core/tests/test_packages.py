"""The unpacking bounds of a ZIP package, read from its directory before anything is unpacked."""

import io
from collections.abc import Callable

import pytest

from fagnett.core import testing_files as files
from fagnett.core.packages import PackageLimits, PackageRefused, check_package


@pytest.mark.parametrize(
    ("limits", "make", "reason"),  # each file is within the default bounds, except the bomb
    [
        (
            PackageLimits(5000, 200 * 2**20, 100 * 2**20, 200),
            lambda: files.xlsx_with_shared_strings(repeat=("x", 3_000_000)),
            "times its size",
        ),
        (PackageLimits(5000, 200 * 2**20, 10 * 2**20, 10_000), lambda: files.xlsx_with_long_string(20), "unpacks to"),
        (PackageLimits(5000, 10 * 2**20, 100 * 2**20, 10_000), lambda: files.xlsx_with_long_string(20), "unpacks to"),
        (PackageLimits(5, 200 * 2**20, 100 * 2**20, 200), lambda: files.xlsx([["a"]]), "entries"),
    ],
    ids=["ratio", "part", "total", "entries"],
)
def test_each_bound_is_checked_from_the_directory(
    limits: PackageLimits, make: Callable[[], bytes], reason: str
) -> None:
    content = make()
    with pytest.raises(PackageRefused) as refused:
        check_package(io.BytesIO(content), limits)
    assert reason in refused.value.reason and not refused.value.not_a_package


def test_a_package_within_the_bounds_opens() -> None:
    package = check_package(io.BytesIO(files.xlsx([["a", 1]])))
    assert "xl/workbook.xml" in package.namelist()
