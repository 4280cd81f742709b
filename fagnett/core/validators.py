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
# (Spaces of every kind, tabs and line breaks need no mapping: the search's \s matches them all.)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_SLASHES = "\\\u2044\u2215\u29f8\uff0f"
_DOTS = "\u00b7\u2024\u2027\u2219\u22c5\u30fb\uff0e"

# The characters that may need mapping: a backslash, and anything but printable ASCII and ASCII whitespace.
_SPECIAL = re.compile(r"[^\t\n\r\x20-\x5b\x5d-\x7e]")


@functools.lru_cache(maxsize=4096)
def _replacement(char: str) -> str | None:
    """What ``char`` becomes before the search: a digit, a separator, nothing, or itself (None)."""
    if char.isspace():
        return None
    if char.isascii():
        return "/" if char == "\\" else ""  # other control characters are invisible: the digits around them join
    decimal = unicodedata.decimal(char, None)
    if decimal is not None:
        return str(decimal)  # Arabic-Indic, Devanagari … digits (full-width ones NFKC has already made ASCII)
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


def _normalise(text: str) -> str:
    """``text`` with every digit in ASCII, invisible characters removed and every separator made plain."""
    text = unicodedata.normalize("NFKC", text)
    table = {}
    for char in set(_SPECIAL.findall(text)):  # the few distinct characters that may need it (æ, ø, å …)
        replacement = _replacement(char)
        if replacement is not None:
            table[char] = replacement
    if not table:
        return text
    return re.sub(f"[{''.join(map(re.escape, table))}]", lambda m: table[m.group()], text)


# A run of digit groups joined by at most three separators: a run of whitespace (spaces of every kind, line
# breaks) counts as one, so ". ", " - ", ".\r\n" join. A word, a comma or a bracket ends the run, so digits are
# never joined across ordinary words. Possessive quantifiers keep the search linear on long runs of spaces.
_RUN = re.compile(r"[0-9]++(?:(?:\s++|[./_:\-]){1,3}[0-9]++)*")
_GROUP = re.compile(r"[0-9]+")
# Percent-encoded text or a "+" between digits: a link or a file name that is also searched decoded.
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}|[0-9]\+[0-9]")


_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control_digits_hold(number: str) -> bool:
    """The two mod-11 control digits, checked quickly: most candidates fail here, before python-stdnum's
    complete check (which also wants a real birth date that is not in the future)."""
    digits = [ord(c) - 48 for c in number]
    if sum(w * d for w, d in zip(_W1, digits, strict=False)) % 11 != (11 - digits[9]) % 11:
        return False
    return sum(w * d for w, d in zip(_W2, digits, strict=False)) % 11 == (11 - digits[10]) % 11


def _is_identity_number(number: str) -> bool:
    return _control_digits_hold(number) and fodselsnummer.is_valid(number)


def _as_number(groups: list[str]) -> str | None:
    """Eleven digits from a date in ``groups`` written with a four-digit year (``15.10.1986 95088``)."""
    day, month, year, *rest = groups
    number = day + month + year[2:] + "".join(rest)
    if not _control_digits_hold(number):
        return None
    try:
        if fodselsnummer.get_birth_date(number).year != int(year):
            return None  # the individual number says another century than the year written
    except NumberError:
        return None
    return number


def _candidates(groups: list[str]) -> Iterator[str]:
    """The eleven-digit numbers a run of digit groups may be written as.

    A run of exactly eleven digits is one, however it is grouped ("151 086 950 88", digits split by zero-width
    spaces); so is a date with a four-digit year and five more digits. Within a longer run of numbers (a pasted
    table row) only the shapes people write an identity number in are taken: eleven digits, or the date as one
    group of six or as day, month and year, followed by the individual number as one group of five or 3 + 2.
    """
    lengths = [len(g) for g in groups]
    count, total = len(groups), sum(lengths)
    if total == 11:
        yield "".join(groups)
    elif total == 13 and lengths[:3] == [2, 2, 4] and (number := _as_number(groups)):
        yield number
    if count == 1 or total <= 11:
        return
    for start, length in enumerate(lengths):
        if length == 11:
            yield groups[start]
            continue
        if length == 6:
            date_end = start + 1
        elif length == 2 and start + 2 < count and lengths[start + 1] == 2 and lengths[start + 2] in (2, 4):
            date_end = start + 3
        else:
            continue
        if date_end < count and lengths[date_end] == 5:
            end = date_end + 1
        elif date_end + 1 < count and lengths[date_end] == 3 and lengths[date_end + 1] == 2:
            end = date_end + 2
        else:
            continue
        if lengths[date_end - 1] == 4:
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
    if _ENCODED.search(text):
        texts.append(unquote_plus(text))  # links and file names: "151086%2095088", "?q=151086+95088"
    found: dict[str, None] = {}
    checked: set[str] = set()  # a document may repeat a number thousands of times
    for each in texts:
        for match in _RUN.finditer(_normalise(each)):
            run = match.group()
            if len(run) < 11:
                continue  # fewer than eleven digits
            for number in _candidates(_GROUP.findall(run)):
                if number not in checked:
                    checked.add(number)
                    if _is_identity_number(number):
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
