"""Every text that puts a number before a counted noun is a plural entry ("1 møte", "2 møter", never "1 møter").

The test walks the Norwegian catalogue, where every interface text, e-mail and document text ends up (Python's
gettext and templates' blocktranslate alike: a template's ``{{ count }}`` is ``%(count)s`` there). The rule, on the
English source text (msgid) of each entry that is not a plural entry:

    a placeholder ``%(name)s`` or ``%(name)d``, then at most one other word (an adjective: "open", "standard",
    "regional", "fewer"), then a counted noun from ``COUNTED_NOUNS``

fails the test, unless the placeholder's name is in ``NOT_COUNTS`` (placeholders that hold something other than a
count that can be one) with its reason. "the" is not taken as the word between, so "In %(year)s the networks" is
not read as a count of networks.
"""

import re
from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"

#: Nouns that count things in Fagnett, in the English plural the source texts use.
COUNTED_NOUNS = [
    "meetings",
    "networks",
    "cases",
    "people",
    "persons",
    "units",
    "rows",
    "entries",
    "records",
    "problems",
    "items",
    "members",
    "trusts",
    "procedures",
    "pathways",
    "files",
    "characters",
    "days",
    "hours",
    "weeks",
    "months",
    "beds",
    "lines",
    "places",
    "applications",
    "reports",
    "comments",
    "documents",
    "versions",
    "tasks",
    "topics",
    "nominations",
    "invitations",
    "attachments",
    "events",
    "registrations",
    "expenses",
    "grants",
    "appointments",
    "participants",
    "messages",
    "downloads",
    "keys",
    "sheets",
    "columns",
    "names",
    "e-mails",
    "answers",
    "cells",
]

#: Placeholders that stand before a counted noun but are not a count that can be one, each with its reason.
NOT_COUNTS = {
    # Every %(limit)s is a bound from the code or the settings (rows of a file, entries of an API call, characters
    # of a comment, meetings of one archive extract): numbers in the hundreds or thousands, never one.
    "limit": "a configured maximum, never one",
    # "only %(types)s files can be uploaded here": the list of allowed file types ("PDF, DOCX"), not a number.
    "types": "a list of file types",
}

PATTERN = re.compile(
    r"%\((?P<name>\w+)\)[sd](?:\s+(?!the\b)[a-z-]+)?\s+(?P<noun>" + "|".join(map(re.escape, COUNTED_NOUNS)) + r")\b"
)


def counted_without_plural(entries: list[polib.POEntry]) -> list[str]:
    """The msgids that break the rule, each with where it comes from."""
    found = []
    for entry in entries:
        if entry.obsolete or entry.msgid_plural:
            continue
        for match in PATTERN.finditer(entry.msgid):
            if match.group("name") not in NOT_COUNTS:
                places = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
                found.append(f"{match.group(0)!r} in {entry.msgid[:80]!r} ({places})")
    return found


def test_the_rule_finds_a_counted_noun_and_leaves_other_texts() -> None:
    def entry(msgid: str, plural: str = "") -> polib.POEntry:
        return polib.POEntry(msgid=msgid, msgid_plural=plural, occurrences=[("x.py", "1")])

    assert len(counted_without_plural([entry("%(count)s meetings were added to the plan.")])) == 1
    assert len(counted_without_plural([entry("%(count)s open cases were put on the agenda.")])) == 1
    assert len(counted_without_plural([entry("%(answered)s of %(total)s networks have answered.")])) == 1
    assert counted_without_plural([entry("%(n)s meeting", "%(n)s meetings")]) == []
    assert counted_without_plural([entry("In %(year)s the networks held meetings.")]) == []
    assert counted_without_plural([entry("Meetings: %(count)s")]) == []
    assert counted_without_plural([entry("The file has more than %(limit)s rows.")]) == []


def test_every_counted_text_in_the_catalogue_has_plural_forms() -> None:
    assert counted_without_plural(list(polib.pofile(str(CATALOGUE)))) == []
