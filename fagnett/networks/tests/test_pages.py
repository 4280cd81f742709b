"""The rows the networks pages write in Python (``networks.pages``) are what their templates' loops wrote."""

import re

import lxml.html
import pytest
from django.template import Context, Template
from django.utils import translation

from fagnett.networks import pages
from fagnett.networks.selectors import NetworkRow

#: networks/_network_table.html's loop before its rows were written in Python (issue 23).
NETWORK_TABLE_LOOP = """{% for row in items %}
        <tr>
          <td>
            <a class="ds-link" href="{{ row.url }}">{{ row.name }}</a>
            {% if row.subgroup_of %}
              <br>
              <span class="muted">{{ row.subgroup_of }}</span>{% endif %}
          </td>
          <td>{{ row.field }}</td>
          <td>{{ row.region }}</td>
          <td><span class="ds-tag" data-color="{{ row.status_color }}">{{ row.status_label }}</span></td>
          <td>
            {% for leader in row.leaders %}
              {{ leader }}
              {% if not forloop.last %}<br>{% endif %}
            {% empty %}
              –
            {% endfor %}
          </td>
          <td class="numeric">{{ row.members }}</td>
          <td class="numeric">
            {{ row.meetings }}
            {% if row.behind_by_now %}
              <br>
              <span class="ds-tag" data-color="warning">{% blocktranslate count counter=row.behind_by_now %}Behind: {{ counter }} meeting by now{% plural %}Behind: {{ counter }} meetings by now{% endblocktranslate %}</span>
            {% endif %}
          </td>
          <td>
            {% if not row.reports_separately %}
              <span class="muted">{% translate "Not reported separately" %}</span>
            {% elif row.report_label %}
              <span class="ds-tag" data-color="{{ row.report_color }}">{{ row.report_label }}</span>
            {% else %}
              <span class="ds-tag" data-color="neutral">{% translate "Not started" %}</span>
            {% endif %}
          </td>
        </tr>
      {% endfor %}"""  # noqa: E501 — the template's line, as it was


def laid_out(markup: str) -> str:
    """``markup`` as a browser lays it out: whitespace beside a table's or a line's tags does not show, any other run
    of it shows as one space."""
    markup = re.sub(r"\s+", " ", markup)
    return re.sub(r"\s*(</?(?:tr|td|br)\b[^>]*>)\s*", r"\1", markup).strip()


def cells(markup: str) -> list[str]:
    """The text of each cell of the rows (its words, each run of whitespace one space), as a test reading the page
    finds it."""
    table = lxml.html.fromstring(f"<table><tbody>{markup}</tbody></table>")
    return [" ".join(cell.text_content().split()) for cell in table.xpath("//td")]


def network_row(**changes: object) -> NetworkRow:
    row: NetworkRow = {
        "url": "/networks/7/",
        "name": "Akuttmedisin",
        "subgroup_of": "",
        "field": "Akuttmedisin",
        "region": "HMN",
        "status_label": "Aktivt",
        "status_color": "success",
        "leaders": ["Randi Bakken"],
        "members": "9",
        "meetings": "4 / 4",
        "behind_by_now": None,
        "reports_separately": True,
        "report_label": "Akseptert",
        "report_color": "success",
    }
    row.update(changes)  # type: ignore[typeddict-item]
    return row


ROWS = [
    network_row(),
    network_row(name='Fagråd <for> "akutt" & co', subgroup_of="Fagråd – Akuttmedisin", reports_separately=False),
    network_row(leaders=[], report_label="", behind_by_now=1, meetings="0 / 4"),
    network_row(leaders=["Ola <Nordmann>", "Kari & Co", "Per"], behind_by_now=3, status_color="warning"),
    network_row(url="/networks/8/?a=1&b=2", field="Øre-nese-hals", members="0", meetings="2 / –"),
]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_network_rows_are_the_templates_rows(language: str) -> None:
    with translation.override(language):
        template = Template("{% load i18n %}" + NETWORK_TABLE_LOOP).render(Context({"items": ROWS}))
        written = pages.network_rows(ROWS)
    assert laid_out(written) == laid_out(template)
    assert cells(written) == cells(template)
    assert "&lt;Nordmann&gt; <br>Kari &amp; Co <br>Per" in written
    assert ("Bak: 3 møter innen nå" if language == "nb" else "Behind: 3 meetings by now") in written


def test_no_rows_no_markup() -> None:
    assert pages.network_rows([]) == ""
