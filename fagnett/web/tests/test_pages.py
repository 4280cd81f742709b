"""The start page's rows written in Python (``web/pages.py``) are what its template's loops wrote, in both languages."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from fagnett.meetings.selectors import UpcomingMeetingRow
from fagnett.web import pages
from fagnett.web.for_you import ForYou

TITLE = "<b>Rutiner</b> & \"sjekkliste\" for 'overflytting'"


def _loop(source: str, **context: object) -> str:
    """What the start page's template wrote before (its loop, as it was), rendered by the template engine."""
    return Template("{% load i18n %}" + source).render(Context(context))


def _same(html: str) -> str:
    """The markup with the layout's whitespace between tags taken out, as the page's comparison does."""
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_action_items_read_as_the_templates_loop_wrote_them(language: str) -> None:
    items = [
        (TITLE, datetime.date(2019, 4, 22), True),
        ("Innhente tall", datetime.date(2027, 1, 9), False),
    ]
    loop = """{% for title, due_date, overdue in action_items %}
            <li>
              {{ title }} – {% translate "due" %} {{ due_date|date:"SHORT_DATE_FORMAT" }}{% if overdue %} <span class="ds-tag" data-color="danger">{% translate "Overdue" %}</span>{% endif %}
            </li>
          {% endfor %}"""  # noqa: E501 -- the template's line
    with translation.override(language):
        written = pages.action_item_rows(items)
        assert _same(written) == _same(_loop(loop, action_items=items))
    assert "&lt;b&gt;Rutiner&lt;/b&gt; &amp; &quot;sjekkliste&quot;" in written
    assert written.count('data-color="danger"') == 1


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_meetings_read_as_the_templates_loop_wrote_them(language: str) -> None:
    meetings = [
        # 23:30 UTC on New Year's Eve is half past midnight on 1 January in Oslo.
        UpcomingMeetingRow(
            "/meetings/7/", datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC), TITLE, "Digitalt"
        ),
        UpcomingMeetingRow("/meetings/8/", datetime.datetime(2027, 6, 1, 7, 0, tzinfo=datetime.UTC), "Øye", "Fysisk"),
    ]
    loop = """{% for meeting in upcoming %}
            <li>
              <a class="ds-link" href="{{ meeting.url }}">{{ meeting.starts_at|date:"MONTH_DAY_TIME_FORMAT" }}</a> – {{ meeting.network }} <span class="muted">({{ meeting.form|lower }})</span>
            </li>
          {% endfor %}"""  # noqa: E501 -- the template's line
    with translation.override(language):
        written = pages.meeting_rows(meetings)
        assert _same(written) == _same(_loop(loop, upcoming=meetings))
    assert "00:30" in written and "(digitalt)" in written


def test_for_you_reads_as_the_templates_loop_wrote_it() -> None:
    items = [
        ForYou("cases", 2, f"2 saker venter på svar fra {TITLE}", "/cases/network/1/?status=open&x=1"),
        ForYou("nominations", 1, "1 nominasjon venter på din avgjørelse", "/nominations/"),
    ]
    loop = """{% for item in for_you %}
        <li data-kind="{{ item.kind }}">
          <a class="ds-link" href="{{ item.url }}">{{ item.text }}</a>
        </li>
      {% endfor %}"""
    written = pages.for_you_rows(items)
    assert _same(written) == _same(_loop(loop, for_you=items))
    assert 'href="/cases/network/1/?status=open&amp;x=1"' in written


def test_no_rows_is_nothing_to_print() -> None:
    """The template shows its "nothing here" text when a list is empty: the empty rows must be falsy."""
    assert not pages.action_item_rows([]) and not pages.meeting_rows([]) and not pages.for_you_rows([])
