"""The flat rows' helpers (``core.rows``) write what the template engine would have written."""

import datetime
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import set_script_prefix
from django.utils import dateformat, formats, timezone, translation
from django.utils.functional import lazy
from django.utils.html import format_html

from fagnett.core import rows
from fagnett.core.rows import RowMarkup, date_formatter, url_pattern

DATES = [
    datetime.date(2027, 2, 9),
    datetime.date(5, 12, 31),  # a year under 1000 is padded, as Django's "Y"
    datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC),  # 1 January 2027 in Oslo
    datetime.datetime(2026, 6, 30, 12, 0),  # naive: as it is
]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("name", ["SHORT_DATE_FORMAT", "DATE_FORMAT", "WEEKDAY_DATE_FORMAT", "MONTH_DAY_FORMAT"])
def test_a_date_reads_as_django_writes_it(language: str, name: str) -> None:
    with translation.override(language):
        written = date_formatter(name)
        pattern = formats.get_format(name)
        for value in DATES:
            aware = isinstance(value, datetime.datetime) and timezone.is_aware(value)
            local = timezone.localtime(value) if aware else value
            assert written(value) == dateformat.format(local, pattern)
        assert written(None) == "–"


def test_the_numeric_formats_are_written_without_dateformat() -> None:
    with translation.override("nb"):
        assert date_formatter()(datetime.date(2027, 2, 9)) == "09.02.2027"
    with translation.override("en"):
        assert date_formatter()(datetime.date(2027, 2, 9)) == "09/02/2027"


def test_an_address_is_reversed_once_and_filled_per_row() -> None:
    url = url_pattern("meetings:detail")
    assert url(12) == "/meetings/12/"
    assert url(987654321) == "/meetings/987654321/"


def test_an_address_is_reversed_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    reversed_ = []
    real = rows.reverse

    def counting(name: str, **kwargs: Any) -> str:
        reversed_.append(name)
        return real(name, **kwargs)

    monkeypatch.setattr(rows, "reverse", counting)
    rows._url_templates.clear()
    for pk in (1, 2):  # two requests, each with its own url_pattern
        assert url_pattern("audit:history", "meeting")(pk) == f"/history/meeting/{pk}/"
    assert reversed_ == ["audit:history"]


def test_a_kept_address_follows_the_script_prefix() -> None:
    url_pattern("meetings:detail")(1)  # kept under the prefix "/"
    set_script_prefix("/fagnett/")
    try:
        assert url_pattern("meetings:detail")(3) == "/fagnett/meetings/3/"
    finally:
        set_script_prefix("/")
    assert url_pattern("meetings:detail")(3) == "/meetings/3/"


def test_row_markup_escapes_every_value_as_the_template_engine_does() -> None:
    row = RowMarkup('<tr><td><a href="{url}">{title}</a></td><td>{tag}</td><td>{n}</td><td>{lazy}</td></tr>')
    values = {
        "url": "/a?x=1&y=2",
        "title": "<script>alert('x')</script> & \"sitat\"",
        "tag": format_html("<b>{}</b>", "<i>"),
        "n": 12,
        "lazy": lazy(str, str)("<Fagnett>"),  # neither a str nor safe (as a lazy translation): escaped as its text
    }
    engine = Template(
        '<tr><td><a href="{{ url }}">{{ title }}</a></td><td>{{ tag }}</td><td>{{ n }}</td><td>{{ lazy }}</td></tr>'
    ).render(Context(values))
    assert row(**values) == engine
    assert "<script>" not in row(**values) and "<b>&lt;i&gt;</b>" in row(**values)


def test_row_markup_joins_rows_into_one_safe_string() -> None:
    rows = RowMarkup("<li>{n}</li>").rows({"n": n} for n in [1, "<2>"])
    assert rows == "<li>1</li><li>&lt;2&gt;</li>" and hasattr(rows, "__html__")
