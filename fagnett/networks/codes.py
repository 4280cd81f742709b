"""A network's code: the 2–6 capital letters or digits that start its case numbers (``ANI-2026/014``).

Derived from the network's name when none is given (``Anestesi og intensiv`` → ``ANI``), unique in the region.
Pure functions, so the migration that gave the existing networks their codes uses the same rule.
"""

import re
import unicodedata
from collections.abc import Callable

CODE_PATTERN = r"^[A-Z0-9]{2,6}$"
#: Words that say nothing about the field, left out of the initials.
_FILLER = {
    "og",
    "i",
    "for",
    "med",
    "av",
    "på",
    "til",
    "om",
    "ledere",
    "fagnettverk",
    "nettverk",
    "fagledernettverk",
    "arbeidsgruppe",
    "regionale",
    "regionalt",
    "and",
    "of",
    "the",
}
_LETTERS = str.maketrans({"Æ": "AE", "Ø": "O", "Å": "A", "æ": "ae", "ø": "o", "å": "a"})


def _ascii(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word.translate(_LETTERS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain).upper()


def base_code(name: str) -> str:
    """The code the name suggests: initials of its words, or the first letters of a one-word name."""
    words = re.findall(r"\w+", name)
    meaningful = [w for w in words if w.lower() not in _FILLER] or words
    parts = [p for p in (_ascii(w) for w in meaningful) if p]
    if not parts:
        return "NT"
    if len(parts) == 1:
        return parts[0][:3].ljust(2, "X")
    if len(parts) == 2:
        return parts[0][:2] + parts[1][0]
    return "".join(p[0] for p in parts)[:6]


def derive_code(name: str, is_taken: Callable[[str], bool]) -> str:
    """``base_code(name)``, or it with a number (``ANI2``) when another network of the region has it."""
    base = base_code(name)
    if not is_taken(base):
        return base
    for number in range(2, 1000):
        suffix = str(number)
        candidate = base[: 6 - len(suffix)] + suffix
        if not is_taken(candidate):
            return candidate
    raise ValueError(f"no free code for {name!r}")
