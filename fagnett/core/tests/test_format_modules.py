"""Each interface language writes dates, times and numbers its own way: bokmål as Norwegians do, English as in the
United Kingdom (en-GB) with the 24-hour clock, both through the named formats the templates and documents use."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, timezone, translation

from fagnett.core.formats import EXTRA_FORMATS

OSLO = datetime.timezone(datetime.timedelta(hours=1))  # Oslo in February (CET)
AFTERNOON = datetime.datetime(2027, 2, 9, 14, 30, tzinfo=OSLO)  # a Tuesday
MORNING = datetime.datetime(2027, 2, 9, 8, 5, tzinfo=OSLO)

EXPECTED = {
    "nb": {
        "DATE_FORMAT": "9. februar 2027",
        "DATETIME_FORMAT": "9. februar 2027 14:30",
        "SHORT_DATE_FORMAT": "09.02.2027",
        "SHORT_DATETIME_FORMAT": "09.02.2027 14:30",
        "MONTH_DAY_FORMAT": "9. februar",
        "YEAR_MONTH_FORMAT": "februar 2027",
        "TIME_FORMAT": "14:30",
        "WEEKDAY_DATE_FORMAT": "tirsdag 9. februar 2027",
        "WEEKDAY_DATETIME_FORMAT": "tirsdag 9. februar 2027, 14:30",
        "WEEKDAY_MONTH_DAY_FORMAT": "tirsdag 9. februar",
        "MONTH_DAY_TIME_FORMAT": "9. februar, 14:30",
    },
    "en": {
        "DATE_FORMAT": "9 February 2027",
        "DATETIME_FORMAT": "9 February 2027, 14:30",
        "SHORT_DATE_FORMAT": "09/02/2027",
        "SHORT_DATETIME_FORMAT": "09/02/2027 14:30",
        "MONTH_DAY_FORMAT": "9 February",
        "YEAR_MONTH_FORMAT": "February 2027",
        "TIME_FORMAT": "14:30",
        "WEEKDAY_DATE_FORMAT": "Tuesday 9 February 2027",
        "WEEKDAY_DATETIME_FORMAT": "Tuesday 9 February 2027, 14:30",
        "WEEKDAY_MONTH_DAY_FORMAT": "Tuesday 9 February",
        "MONTH_DAY_TIME_FORMAT": "9 February, 14:30",
    },
}


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [(language, name, text) for language, names in EXPECTED.items() for name, text in names.items()],
)
def test_every_named_format_in_both_languages(language: str, name: str, expected: str) -> None:
    with translation.override(language), timezone.override(OSLO):
        rendered = Template(f'{{{{ when|date:"{name}" }}}}').render(Context({"when": AFTERNOON}))
    assert rendered == expected


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_clock_has_24_hours_and_no_am_or_pm(language: str) -> None:
    with translation.override(language), timezone.override(OSLO):
        rendered = Template('{{ a|time:"TIME_FORMAT" }} {{ b|time }} {{ b|date:"DATETIME_FORMAT" }}').render(
            Context({"a": MORNING, "b": AFTERNOON})
        )
    assert rendered.startswith("08:05 14:30 ")
    assert not re.search(r"[ap]\.?m\.?|AM|PM", rendered)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "1\xa0250\xa0000,5"), ("en", "1,250,000.5")],
)
def test_numbers_group_and_separate_decimals_per_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert formats.number_format(1250000.5, 1, force_grouping=True) == expected


def test_both_languages_define_every_format_name_fagnett_uses() -> None:
    """A name missing from a language's module would be printed as the pattern itself ("WEEKDAY_…" letters)."""
    names = set(EXTRA_FORMATS) | set(EXPECTED["nb"])
    for language, _label in settings.LANGUAGES:
        module = importlib.import_module(f"fagnett.core.formats.{language}.formats")
        assert names <= set(vars(module)), language


def test_templates_use_named_formats_not_norwegian_patterns() -> None:
    """A pattern such as "j. F Y" in a template (a page, a document, an e-mail) would give English readers
    "9. February 2027"."""
    pattern = re.compile(r"\|(?:date|time):[\"']([^\"']*)[\"']")
    machine = {"c", "Ymd", "Y"}  # ISO timestamps, comparisons and years, the same in every language
    offenders = []
    templates = Path(settings.BASE_DIR, "fagnett")
    for path in [*templates.rglob("*.html"), *templates.rglob("mail/*.txt")]:  # pages, documents and e-mails
        for used in pattern.findall(path.read_text(encoding="utf-8")):
            if used not in machine and not re.fullmatch(r"[A-Z_]+_FORMAT", used):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {used}")
    assert not offenders
