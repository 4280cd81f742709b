"""Norwegian dates, numbers, amounts and plural forms — and English ones when the person chose English."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*(\w+)\s*\}\}")


def render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load fagnett %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "12\xa0345\xa0678 kr"), ("en", "NOK 12,345,678")],
)
def test_amounts_in_kroner_as_each_language_writes_them(language: str, expected: str) -> None:
    assert render("{{ amount|kroner }}", language, amount=Decimal("12345678")) == expected


def test_a_missing_amount_is_a_dash() -> None:
    assert render("{{ amount|kroner }}", "nb", amount=None) == "–"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "5. mars 2026 · 05.03.2026 · 1,5"), ("en", "5 March 2026 · 05/03/2026 · 1.5")],
)
def test_dates_and_decimals_follow_the_language(language: str, expected: str) -> None:
    source = '{{ day|date:"DATE_FORMAT" }} · {{ day|date:"SHORT_DATE_FORMAT" }} · {{ number|floatformat:1 }}'
    assert render(source, language, day=datetime.date(2026, 3, 5), number=1.5) == expected


def test_plural_forms_choose_singular_and_plural_in_bokmal() -> None:
    with translation.override("nb"):
        one = ngettext("One problem in the file", "%(counter)s problems in the file", 1) % {"counter": 1}
        three = ngettext("One problem in the file", "%(counter)s problems in the file", 3) % {"counter": 3}
    assert (one, three) == ("Én feil i filen", "3 feil i filen")


def test_every_plural_text_has_both_forms_with_the_count_where_the_source_has_it() -> None:
    wrong = []
    for entry in polib.pofile(str(CATALOGUE)):
        if not entry.msgid_plural:
            continue
        forms = [entry.msgstr_plural.get(0, ""), entry.msgstr_plural.get(1, "")]
        wanted_plural = {name for pair in PLACEHOLDER.findall(entry.msgid_plural) for name in pair if name}
        found_plural = {name for pair in PLACEHOLDER.findall(forms[1]) for name in pair if name}
        if not all(forms) or wanted_plural != found_plural:
            wrong.append(entry.msgid_plural)
    assert wrong == []
