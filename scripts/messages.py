"""Finish the message catalogues after `makemessages`: English is the source language, so its catalogue
repeats each text; the headers are filled in; both catalogues are compiled to .mo with polib (no gettext
tools needed). Untranslated bokmål texts are listed and make the script fail."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {
    "nb": {"Language": "nb", "Language-Team": "Norwegian Bokmål", "Plural-Forms": "nplurals=2; plural=(n != 1);"},
    "en": {"Language": "en", "Language-Team": "English", "Plural-Forms": "nplurals=2; plural=(n != 1);"},
}


def main() -> int:
    missing = []
    for language, headers in HEADERS.items():
        path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path))
        catalogue.metadata.update(
            {"Project-Id-Version": "Fagnett", "Content-Type": "text/plain; charset=UTF-8", **headers}
        )
        catalogue.metadata_is_fuzzy = False
        for entry in catalogue:
            if language == "en":
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                else:
                    entry.msgstr = entry.msgid
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            elif not entry.translated() or "fuzzy" in entry.flags:
                missing.append(f"{language}: {entry.msgid!r}")
        catalogue.save(str(path))
        catalogue.save_as_mofile(str(path.with_suffix(".mo")))
    for line in missing:
        print("untranslated", line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
