"""What every spreadsheet export writes through."""

from typing import Any

#: a cell starting with one of these is read as a formula by Excel and LibreOffice
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that would start a formula is kept as text (spreadsheet formula injection); other values unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
