"""Both catalogues are complete: every user-facing text in the code is in them and translated."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ["nb", "en"]


def catalogue(language: str, root: Path = ROOT) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = catalogue(language)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {language}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    po = catalogue(language)
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, f"{entry.msgid!r} is missing from django.mo: run make messages"
        msgstr, plural = compiled[(entry.msgctxt, entry.msgid)]
        if entry.msgid_plural:
            assert [plural[k] for k in sorted(plural)] == [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
        else:
            assert msgstr == entry.msgstr, f"{entry.msgid!r} differs in django.mo: run make messages"


def test_catalogue_holds_every_text_in_the_code_and_no_other(tmp_path: Path) -> None:
    """Extract the texts afresh in a copy of the tree: nothing may be missing from the committed catalogue, and the
    catalogue may hold nothing the extraction no longer finds. A text only a stale catalogue holds — one the code
    still shows, but through a call ``makemessages`` does not see — would lose its translation at the next
    ``make messages``."""
    for name in ("fagnett", "config", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nb", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    fresh = {(e.msgctxt, e.msgid) for e in catalogue("nb", tmp_path)}
    committed = {(e.msgctxt, e.msgid) for e in catalogue("nb")}
    assert fresh - committed == set(), "texts missing from the catalogue: run make messages and translate them"
    assert committed - fresh == set(), "texts only the catalogue holds: run make messages, or let it see the call"
