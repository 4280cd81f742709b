"""Guards that keep patient data out of Fagnett.

Fagnett must never hold patient data. Free text that contains a Norwegian national identity number
(fødselsnummer) or D-number — eleven digits whose two mod-11 control digits are valid and whose first six
digits are a real date (python-stdnum's ``fodselsnummer.is_valid``) — is refused. Eleven-digit numbers that
fail the control digits (phone numbers, case references) are accepted.

People and word processors write the number in many ways: ``15108695088``, ``151086 95088``,
``15.10.86-95088``, ``15 10 86 950 88``, with non-breaking or zero-width spaces, soft hyphens, dashes of every
kind, slashes, line breaks, full-width or other scripts' digits, percent-encoded in a link. ``_normalise`` turns
all of that into ASCII digits with plain separators, and ``_candidates`` looks for eleven-digit shapes in the
result. Only digits joined by separators (never across a word) make one candidate, and every candidate must
pass the checksum, so ordinary numbers next to each other are rarely taken for an identity number.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote_plus

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as NumberError
from stdnum.no import fodselsnummer

# Characters a person or a word processor puts between digit groups, mapped to one plain separator each.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_SLASHES = "\\\u2044\u2215\u29f8\uff0f"
_DOTS = "\u00b7\u2024\u2027\u2219\u22c5\u30fb\uff0e"


@functools.lru_cache(maxsize=4096)
def _replacement(char: str) -> str | None:
    """What ``char`` becomes before the search: a digit, a separator, nothing, or itself (None)."""
    if char.isascii():
        if char == "\\":
            return "/"
        if char.isspace():
            return " "
        if ord(char) < 0x20 or char == "\x7f":
            return ""  # other control characters are invisible: the digits on both sides join
        return None
    decimal = unicodedata.decimal(char, None)
    if decimal is not None:
        return str(decimal)  # Arabic-Indic, Devanagari … digits (full-width ones NFKC has already made ASCII)
    if char.isspace():
        return " "  # no-break, narrow no-break, thin, ideographic spaces, line and paragraph separators
    category = unicodedata.category(char)
    if category in ("Cf", "Cc", "Mn", "Me"):
        return ""  # zero-width spaces and joiners, soft hyphen, BOM, direction marks, combining marks
    if category == "Pd" or char in _DASHES:
        return "-"
    if char in _SLASHES:
        return "/"
    if char in _DOTS:
        return "."
    return None


_SPACES = re.compile(r" {2,}")


def _normalise(text: str) -> str:
    """``text`` with every digit in ASCII, invisible characters removed and every separator made plain."""
    text = unicodedata.normalize("NFKC", text)
    table = {}
    for char in set(text):
        if char.isascii() and (char.isalnum() or char in " .-/_:"):
            continue
        replacement = _replacement(char)
        if replacement is not None:
            table[ord(char)] = replacement
    return _SPACES.sub(" ", text.translate(table))


# A run of digit groups joined by at most three separator characters (". ", " - ", "/"): a word, a comma or a
# bracket ends the run, so digits are never joined across ordinary words.
_RUN = re.compile(r"[0-9]+(?:[ ./_:\-]{1,3}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")

# Within a longer run of numbers (a pasted table row) only the shapes people write an identity number in are
# taken: the date as one group or as day, month and year, then the individual number as one group or 3 + 2.
_DATE_SHAPES = ((6,), (2, 2, 2), (2, 2, 4))
_INDIVIDUAL_SHAPES = ((5,), (3, 2))


def _as_number(groups: list[str]) -> str | None:
    """Eleven digits from a date in ``groups`` written with a four-digit year (``15.10.1986 95088``)."""
    day, month, year, *rest = groups
    number = day + month + year[2:] + "".join(rest)
    try:
        if fodselsnummer.get_birth_date(number).year != int(year):
            return None  # the individual number says another century than the year written
    except NumberError:
        return None
    return number


def _candidates(groups: list[str]) -> Iterator[str]:
    lengths = [len(g) for g in groups]
    total = sum(lengths)
    if total == 11:
        yield "".join(groups)  # any grouping: "151 086 950 88", "15.10.86-95088", digits split by zero-width spaces
    elif total == 13 and lengths[:3] == [2, 2, 4] and (number := _as_number(groups)):
        yield number
    if len(groups) == 1:
        return
    for start in range(len(groups)):
        if lengths[start] == 11:
            yield groups[start]
        for date_shape in _DATE_SHAPES:
            date_end = start + len(date_shape)
            if tuple(lengths[start:date_end]) != date_shape:
                continue
            for individual_shape in _INDIVIDUAL_SHAPES:
                end = date_end + len(individual_shape)
                if tuple(lengths[date_end:end]) != individual_shape:
                    continue
                if date_shape == (2, 2, 4):
                    if number := _as_number(groups[start:end]):
                        yield number
                else:
                    yield "".join(groups[start:end])


def find_national_id_numbers(text: str) -> list[str]:
    """Every valid national identity number or D-number in ``text``, as eleven ASCII digits, each once.

    The one normalising search every free-text field, file name, link, API text and uploaded document's text
    goes through.
    """
    if not text:
        return []
    texts = [text]
    if "%" in text or "+" in text:
        texts.append(unquote_plus(text))  # links and file names: "151086%2095088", "?q=151086+95088"
    found: dict[str, None] = {}
    for each in texts:
        for run in _RUN.finditer(_normalise(each)):
            for number in _candidates(_GROUP.findall(run.group())):
                if fodselsnummer.is_valid(number):
                    found[number] = None
    return list(found)


def validate_no_national_id(value: str) -> None:
    if find_national_id_numbers(value):
        raise ValidationError(
            _(
                "This text looks like it contains a national identity number (fødselsnummer or "
                "D-number). Fagnett must not hold patient data: remove the number and try again."
            ),
            code="national_id",
        )
