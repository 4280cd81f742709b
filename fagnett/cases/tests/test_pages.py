"""The case list's rows written in Python (``cases.pages``, issue 23) are the HTML the template's loop wrote."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from fagnett.cases.pages import case_rows
from fagnett.cases.selectors import CaseRow

#: The loop ``cases/_case_table.html`` had before its rows were written in Python, word for word.
TEMPLATE_LOOP = """{% load i18n %}{% for row in items %}
<tr>
  {% if row.common_row %}
    <td>{% translate "Common case" %}</td>
    <td>
      <a class="ds-link" href="{{ row.url }}">{{ row.title }}</a>
      <br>
      <span class="muted">{% translate "See each network's progress" %}</span>
    </td>
    <td>
      {% blocktranslate count counter=row.common_sent %}Sent to {{ counter }} network{% plural %}Sent to {{ counter }} networks{% endblocktranslate %}
    </td>
    <td>
      {{ row.origin }}
      <br>
      <span class="muted">{{ row.submitted_by }}</span>
    </td>
    <td>
      {% blocktranslate count counter=row.common_answered with sent=row.common_sent %}{{ counter }} of {{ sent }} answered{% plural %}{{ counter }} of {{ sent }} answered{% endblocktranslate %}
    </td>
    <td>{{ row.due }}</td>
  {% else %}
    <td class="nowrap">{{ row.reference|default:"–" }}</td>
    <td>
      <a class="ds-link" href="{{ row.url }}">{{ row.title }}</a>
      <br>
      <span class="muted">{{ row.source }}</span>
    </td>
    <td>
      {% if row.network %}{{ row.network }}{% else %}<span class="muted">{% translate "Not routed yet" %}</span>{% endif %}
    </td>
    <td>
      {{ row.origin }}
      <br>
      <span class="muted">{{ row.submitted_by }}</span>
    </td>
    <td><span class="ds-tag" data-color="{{ row.status_color }}">{{ row.status_label }}</span></td>
    <td>
      {{ row.due }}{% if row.overdue %} <span class="ds-tag"
                                              data-color="danger">{% translate "Overdue" %}</span>{% endif %}
    </td>
  {% endif %}
</tr>
{% endfor %}"""  # noqa: E501 -- the template's lines as they were


def _row(**values: object) -> CaseRow:
    row: dict[str, object] = {
        "pk": 7,
        "url": "/cases/7/",
        "reference": "ANI-2026/007",
        "title": "Overflytting",
        "source": "Meldt av en ansatt",
        "network": "Anestesi og intensiv",
        "origin": "A1",
        "submitted_by": "Kari Nordmann",
        "status_label": "Mottatt",
        "status_color": "info",
        "due": "01.03.2026",
        "overdue": False,
        "common_row": False,
        "common_case_id": None,
        "common_sent": 0,
        "common_answered": 0,
    }
    return CaseRow(**{**row, **values})  # type: ignore[arg-type]


ROWS = [
    _row(),
    _row(reference="", network="", overdue=True, due="28.02.2026"),
    # What people write reaches the page escaped: quotes, ampersands and markup in every free-text value.
    _row(
        title='<script>alert("x")</script> & \'sitat\'',
        network="Øye & <b>",
        origin='A"2',
        submitted_by="O'Brien <o@b>",
        source="Meldt & sendt",
    ),
    _row(common_row=True, common_case_id=3, url="/cases/common/3/", title="Felles <sak>", common_sent=1,
         common_answered=0, origin="RA"),
    _row(common_row=True, common_case_id=4, url="/cases/common/4/", title="Felles", common_sent=3,
         common_answered=2),
]  # fmt: skip


def _tags(html: str) -> str:
    """Whitespace between tags and inside them folded, as a browser reads it."""
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_rows_are_the_html_the_templates_loop_wrote(language: str) -> None:
    with translation.override(language):
        engine = Template(TEMPLATE_LOOP).render(Context({"items": ROWS}))
        written = case_rows(ROWS)
    assert _tags(written) == _tags(engine)
    assert "&lt;script&gt;" in written and "<script>" not in written


def test_a_translation_with_an_apostrophe_is_printed_as_the_template_printed_it() -> None:
    """Labels are trusted translations (as ``{% translate %}`` prints them), so English "network's" keeps its
    apostrophe; the people's own words are escaped."""
    with translation.override("en"):
        written = case_rows([_row(common_row=True, common_case_id=3, title="Fru O'Hara", common_sent=2)])
    assert "See each network's progress" in written and "Fru O&#x27;Hara" in written
    assert "Sent to 2 networks" in written and "0 of 2 answered" in written
