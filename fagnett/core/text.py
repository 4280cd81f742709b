"""Control characters out of what people type.

A single-line text (a title, a name, a place) holds no line breaks and no control characters: ``"\\r\\n"``
in a title breaks the e-mail subject, the iCalendar line and the CSV row it is written to, NUL cannot be
stored in PostgreSQL, and bidirectional overrides (U+202A–U+202E, U+2066–U+2069) make a text display
differently from what it says. A multi-line text keeps its line breaks and tabs but loses the rest.
The model fields (``core.models``) and form fields (``core.forms``) for free text apply these in ``to_python``.
"""

import re

# Line breaks of every kind (the characters str.splitlines() breaks on) and tabs.
_BREAKS = "\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
# C0 and C1 control characters other than those, DEL, the explicit bidirectional embeddings, overrides and
# isolates, and a byte order mark inside the text (pasted from a file). LRM/RLM and the zero-width joiners are
# kept: scripts and emoji need them.
_INVISIBLE = "\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ufeff"

_SINGLE_LINE_BREAKS = re.compile(f"[{_BREAKS}]+")
_SINGLE_LINE_DROP = re.compile(f"[{_INVISIBLE}]+")
_MULTI_LINE_BREAKS = re.compile("[\v\f\x85\u2028\u2029]")
_MULTI_LINE_DROP = re.compile(f"[{_INVISIBLE}\x1c\x1d\x1e]+")


def single_line(value: str) -> str:
    """``value`` on one line: each run of line breaks and tabs becomes one space; other control characters go."""
    if value.isprintable():  # the common case, in C
        return value
    return _SINGLE_LINE_BREAKS.sub(" ", _SINGLE_LINE_DROP.sub("", value)).strip()


def multi_line(value: str) -> str:
    """``value`` with its line breaks (``\\n``, ``\\r\\n``) and tabs kept and other control characters removed.

    Vertical tab, form feed and the Unicode line and paragraph separators become ``\\n``.
    """
    if value.isprintable():
        return value
    return _MULTI_LINE_BREAKS.sub("\n", _MULTI_LINE_DROP.sub("", value))
