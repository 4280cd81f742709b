"""Numbers, percentages and dates as the reader reads them: one place for pages, documents, spreadsheets and APIs.

Every surface that shows a figure to a person — a page, a Word or PDF document, a CSV or Excel export, a chart's
labels, an API's human-readable message — writes it with these functions, so the same figure reads the same
everywhere: in the active language (Norwegian bokmål "25,7", "4. desember 2026"; English en-GB "25.7",
"4 December 2026"), rounded the same way to the same number of decimals.

Rounding is half-up on the decimal value the person would write (``Decimal`` with ``ROUND_HALF_UP``): 0.125 at two
decimals is 0.13 and 12.5 % at none is 13 %. Not Python's ``round()``, which rounds half to even and works on the
binary float (``round(2.675, 2)`` is 2.67, ``round(0.125, 2)`` 0.12); not Django's ``number_format``, which cuts the
decimals off (25.69 at one decimal is "25,6"). Django's ``floatformat`` filter does round half-up, but only the
float's shortest text, and its negative argument drops decimals, so a page and a document using it and ``round()``
disagreed. A float is taken as its shortest text (``repr``), which is what the person would write for it: 25.65 is
"25.65", not 25.6499999… .

A missing value is "–" (a dash), never 0: not reported is not zero.
"""

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from django.utils import formats, timezone

#: what a missing value is written as
MISSING = "–"
#: the decimals of a percentage, on every surface
PERCENT_DIGITS = 1

Number = int | float | Decimal | Fraction


def to_decimal(value: Number) -> Decimal:
    """The exact decimal a value stands for: a float as its shortest text, a fraction to 28 significant digits."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Fraction):
        with localcontext() as context:
            context.prec = 28
            return Decimal(value.numerator) / Decimal(value.denominator)
    raise TypeError(f"not a number: {value!r}")


def round_half_up(value: Number, digits: int = 0) -> Decimal:
    """``value`` rounded half-up (away from zero at a half) to ``digits`` decimals."""
    exact = to_decimal(value)
    with localcontext() as context:
        context.prec = max(28, len(exact.as_tuple().digits) + digits + 2)
        return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(value: Number | None, digits: int = 0, *, grouping: bool = True, sign: bool = False) -> str:
    """A number in the active language with ``digits`` decimals, rounded half-up: "1 250,5" in bokmål, "1,250.5"
    in English. ``grouping=False`` leaves out the thousands separator (for spreadsheets, which would read a grouped
    number as text); ``sign`` writes "+" before a positive number (a change)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING  # a chart's NaN for "no figure" too
    rounded = round_half_up(value, digits)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    text = formats.number_format(rounded, digits, use_l10n=True, force_grouping=grouping)
    if not grouping:
        text = text.replace(formats.get_format("THOUSAND_SEPARATOR"), "")
    return f"+{text}" if sign and rounded > 0 else str(text)


def percent(share: Number | None, digits: int = PERCENT_DIGITS, *, sign: bool = False) -> str:
    """A share (0–1) as a percentage, rounded half-up to ``digits`` decimals: 0.2565 is "25,7 %" in bokmål."""
    if share is None:
        return MISSING
    if isinstance(share, Fraction):
        return f"{number(share * 100, digits, sign=sign)} %"
    return f"{number(to_decimal(share) * 100, digits, sign=sign)} %"


def percent_of(part: Number | None, whole: Number | None, digits: int = PERCENT_DIGITS, *, sign: bool = False) -> str:
    """``part`` as a percentage of ``whole``, computed exactly before it is rounded; "–" without a whole."""
    if part is None or not whole:
        return MISSING
    return percent(Fraction(to_decimal(part)) / Fraction(to_decimal(whole)), digits, sign=sign)


def date(value: datetime.date | None, style: str = "DATE_FORMAT") -> str:
    """A date (or the local date of a moment) in the active language: "4. desember 2026", "4 December 2026";
    ``style`` is one of the named formats (``SHORT_DATE_FORMAT``: "04.12.2026", "04/12/2026")."""
    if value is None:
        return MISSING
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, style)


def date_time(value: datetime.datetime | None, style: str = "DATETIME_FORMAT") -> str:
    """A moment in local time in the active language: "4. desember 2026 14:30", "4 December 2026, 14:30"."""
    if value is None:
        return MISSING
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, style)
