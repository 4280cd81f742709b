"""The start page's rows written in Python (``web/pages.py``) are what its template's loops wrote, in both languages."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from fagnett.meetings.selectors import UpcomingMeetingRow
from fagnett.networks.selectors import ExpiringMandate
from fagnett.web import pages
from fagnett.web.for_you import ForYou
from fagnett.web.region_state import Concern, RegionState

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


#: The region panel's list as its template wrote it (``c``: the concerns).
REGION_LOOP = """        <li>
          <a class="ds-link" href="{{ c.below_minimum.url }}"><strong>{{ c.below_minimum.count }}</strong></a>
          {% blocktranslate count counter=c.below_minimum.count %}network has held fewer meetings than its minimum so far this year{% plural %}networks have held fewer meetings than their minimum so far this year{% endblocktranslate %}
        </li>
        <li>
          <a class="ds-link" href="{{ c.report_missing.url }}"><strong>{{ c.report_missing.count }}</strong></a>
          {% blocktranslate count counter=c.report_missing.count with year=region_state.report_year %}network has not submitted its annual report for {{ year }}{% plural %}networks have not submitted their annual report for {{ year }}{% endblocktranslate %}
        </li>
        <li>
          <a class="ds-link" href="{{ c.mandate_expiring.url }}"><strong>{{ c.mandate_expiring.count }}</strong></a>
          {% blocktranslate count counter=c.mandate_expiring.count with days=region_state.expiry_days %}network's mandate ends within {{ days }} days or has ended{% plural %}networks' mandates end within {{ days }} days or have ended{% endblocktranslate %}
        </li>
        {% if c.unrouted %}
          <li>
            <a class="ds-link" href="{{ c.unrouted.url }}"><strong>{{ c.unrouted.count }}</strong></a>
            {% blocktranslate count counter=c.unrouted.count %}case is waiting to be routed to a network{% plural %}cases are waiting to be routed to a network{% endblocktranslate %}
          </li>
        {% endif %}
        <li>
          <a class="ds-link" href="{{ c.no_secretary.url }}"><strong>{{ c.no_secretary.count }}</strong></a>
          {% blocktranslate count counter=c.no_secretary.count %}network has no secretary{% plural %}networks have no secretary{% endblocktranslate %}
        </li>
        <li>
          <a class="ds-link" href="{{ c.trust_gap.url }}"><strong>{{ c.trust_gap.count }}</strong></a>
          {% blocktranslate count counter=c.trust_gap.count %}network has a health trust of the region without an appointed member{% plural %}networks have a health trust of the region without an appointed member{% endblocktranslate %}
        </li>
"""  # noqa: E501 -- the template's lines


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize(
    ("counts", "unrouted"), [((1, 1, 1, 1, 1, 1), True), ((0, 2, 12, 3, 0, 5), True), ((2, 1, 0, 4, 1, 2), False)]
)
def test_the_region_panel_reads_as_the_templates_list_wrote_it(
    language: str, counts: tuple[int, ...], unrouted: bool
) -> None:
    """Each number with its sentence in the singular or the plural, the year and the days in it, a translation's
    apostrophe as it is ("network's mandate"), and the cases to route only for a coordinator."""
    keys = ["below_minimum", "report_missing", "mandate_expiring", "unrouted", "no_secretary", "trust_gap"]
    concerns = {
        key: Concern(key, count, f"/networks/?concern={key}&x=1")
        for key, count in zip(keys, counts, strict=True)
        if unrouted or key != "unrouted"
    }
    state = RegionState(year=2026, report_year=2025, expiry_days=90, concerns=concerns)
    with translation.override(language):
        written = pages.region_state_rows(state)
        assert _same(written) == _same(_loop(REGION_LOOP, c=concerns, region_state=state))
    assert written.count("<li>") == len(concerns) and "2025" in written
    assert 'href="/networks/?concern=trust_gap&amp;x=1"' in written
    if language == "en":
        assert ("network's mandate" if counts[2] == 1 else "networks' mandates") in written


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_expiring_mandates_read_as_the_templates_loop_wrote_them(language: str) -> None:
    mandates = [
        ExpiringMandate(4, TITLE, "/networks/4/", datetime.date(2027, 3, 4), 3),
        ExpiringMandate(9, "Øye", "/networks/9/", datetime.date(2026, 12, 31), 12),
    ]
    loop = """{% for mandate in summary.expiring %}
            <tr>
              <td>
                <a class="ds-link" href="{{ mandate.network_url }}">{{ mandate.network }}</a>
              </td>
              <td>{{ mandate.period_end|date:"SHORT_DATE_FORMAT" }}</td>
              <td>{{ mandate.version }}</td>
            </tr>
          {% endfor %}"""
    with translation.override(language):
        written = pages.expiring_rows(mandates)
        assert _same(written) == _same(_loop(loop, summary={"expiring": mandates}))
    assert "&lt;b&gt;Rutiner&lt;/b&gt;" in written and "<td>12</td>" in written


def test_no_rows_is_nothing_to_print() -> None:
    """The template shows its "nothing here" text when a list is empty: the empty rows must be falsy."""
    assert not pages.action_item_rows([]) and not pages.meeting_rows([]) and not pages.for_you_rows([])
    assert not pages.expiring_rows([])
