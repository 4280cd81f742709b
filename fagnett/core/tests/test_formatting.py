"""``core.formatting``: the one way a figure or date is written for a reader (issue 21, item 6)."""

import datetime
from decimal import Decimal
from fractions import Fraction

from django.template import Context, Template
from django.utils import translation

from fagnett.core import formatting


def test_half_up_on_every_surface_is_not_python_round() -> None:
    """The cases that made the page and the PDF disagree: Python's round() and Django's number_format."""
    with translation.override("nb"):
        assert round(2.25, 1) == 2.2 and formatting.number(2.25, 1) == "2,3"
        assert round(0.125, 2) == 0.12 and formatting.number(0.125, 2) == "0,13"
        assert round(2.675, 2) == 2.67 and formatting.number(2.675, 2) == "2,68"
        assert formatting.percent(0.2569) == "25,7 %"  # number_format cut it to 25,6
        assert formatting.percent(0.125, 0) == "13 %"
        assert formatting.number(-0.04, 1) == "0,0"  # never "-0,0"
        assert formatting.number(1_250_000) == "1\xa0250\xa0000"
        assert formatting.number(1_250_000.5, 1, grouping=False) == "1250000,5"
        assert formatting.number(None) == "–" and formatting.percent(None) == "–"
        assert formatting.date(datetime.date(2026, 12, 4)) == "4. desember 2026"
    with translation.override("en"):
        assert formatting.number(2.25, 1) == "2.3" and formatting.number(1_250_000) == "1,250,000"
        assert formatting.date(datetime.date(2026, 12, 4)) == "4 December 2026"


def test_exact_values_round_half_up_and_signs_show_changes() -> None:
    with translation.override("nb"):
        assert formatting.number(Decimal(9 * 100_000) / 400_000, 1) == "2,3"
        assert formatting.percent(Fraction(1, 8), 0) == "13 %"
        assert formatting.percent_of(1, 8, 0, sign=True) == "+13 %"
        assert formatting.percent_of(-1, 8, 0, sign=True) == "-13 %"
        assert formatting.percent_of(1, 0) == "–"
        assert formatting.number(float("nan"), 1) == "–"
        moment = datetime.datetime(2026, 12, 4, 13, 30, tzinfo=datetime.UTC)
        assert formatting.date_time(moment) == "4. desember 2026 14:30"  # Oslo time


def test_the_template_filters_are_the_same_function() -> None:
    source = "{% load fagnett %}{{ a|number:1 }} · {{ b|percent }} · {{ c|day }} · {{ d|number:1 }}"
    values = {"a": 2.25, "b": 0.2569, "c": datetime.date(2026, 12, 4), "d": None}
    with translation.override("nb"):
        assert Template(source).render(Context(values)) == "2,3 · 25,7 % · 4. desember 2026 · –"
    with translation.override("en"):
        assert Template(source).render(Context(values)) == "2.3 · 25.7 % · 4 December 2026 · –"
