"""The rows the networks pages write in Python (``networks.pages``) are what their templates' loops wrote."""

import re

import lxml.html
import pytest
from django.template import Context, Template
from django.utils import translation

from fagnett.networks import pages
from fagnett.networks.models import Network
from fagnett.networks.selectors import MatrixRow, NetworkRow, RepresentationMatrix, SubgroupRow
from fagnett.organisations.models import HealthTrust

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


#: networks/network_detail.html's loops before their rows were written in Python (issue 23).
MEMBER_LOOP = """{% for member in members %}
              <tr>
                <td>
                  {{ member.name }}{% if member.title %}
                  <br>
                  <span class="muted">{{ member.title }}</span>{% endif %}{% if can_open_nominations %}
                  <br>
                  <a class="ds-link"
                     href="{{ member.history_url }}">{% translate "History" %}<span class="ds-sr-only"> {{ member.name }}</span></a>{% endif %}
              </td>
              <td>{{ member.role }}</td>
              <td>{{ member.represents }}</td>
              <td>{{ member.period }}</td>
              {% if can_change %}
                <td>
                  <a class="ds-link"
                     href="{{ member.end_url }}">{% translate "End" %}<span class="ds-sr-only"> {{ member.name }}</span></a>
                </td>
              {% endif %}
            </tr>
    {% endfor %}"""  # noqa: E501 — the template's lines, as they were
MATRIX_LOOP = """{% for row in matrix.rows %}
          <tr{% if row.is_gap %} class="matrix__gap"{% endif %}>
            <th scope="row">
              {{ row.label }}{% if row.is_gap %} <span class="ds-tag"
                                                       data-color="danger">{% translate "No member" %}</span>{% endif %}
            </th>
            {% for cell in row.cells %}
              <td>
                {% for name in cell %}{{ name }}{% if not forloop.last %}
                  <br>
                {% endif %}{% empty %}<span class="muted" aria-label="{% translate 'none' %}">–</span>{% endfor %}
              </td>
            {% endfor %}
          </tr>
        {% endfor %}"""
NOMINATION_LOOP = """{% for nomination in nominations %}
        <li>
          {% if can_open_nominations %}<a class="ds-link" href="{{ nomination.decide_url }}">{{ nomination.name }}</a>{% else %}{{ nomination.name }}{% endif %} – {{ nomination.role }}, {{ nomination.represents }} ({% translate "nominated by" %} {{ nomination.nominated_by }})
        </li>
      {% endfor %}"""  # noqa: E501 — the template's line, as it was
SUBGROUP_LOOP = """{% for group in subgroups %}
        <li>
          <a class="ds-link"
             href="{{ group.get_absolute_url }}">{{ group.name }}</a> – {{ group.get_kind_display }} {% status_tag group %}
        </li>
      {% endfor %}"""  # noqa: E501 — the template's line, as it was

MEMBERS = [
    {
        "name": "Kari <Nordmann>",
        "title": "Overlege & forsker",
        "role": "Leder",
        "represents": "St. Olavs hospital HF",
        "period": "01.01.2025 – 31.12.2027",
        "history_url": "/history/appointment/1/",
        "end_url": "/appointments/1/end/",
    },
    {
        "name": "zed",
        "title": "",
        "role": "Medlem",
        "represents": 'Helse "Midt" RHF',
        "period": "01.01.2025",
        "history_url": "/history/appointment/2/",
        "end_url": "/appointments/2/end/",
    },
]
NOMINATIONS = [
    {**MEMBERS[0], "decide_url": "/nominations/1/", "nominated_by": "Fagsjef <Testesen>"},
    {**MEMBERS[1], "decide_url": "/nominations/2/", "nominated_by": None},
]


def laid_out_list(markup: str) -> str:
    """A list's ``markup`` as a browser lays it out (whitespace beside its items' tags does not show)."""
    markup = re.sub(r"\s+", " ", markup)
    return re.sub(r"\s*(</?li\b[^>]*>)\s*", r"\1", markup).strip()


def items(markup: str) -> list[str]:
    return [" ".join(li.text_content().split()) for li in lxml.html.fromstring(f"<ul>{markup}</ul>").xpath("//li")]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("with_history", [True, False])
@pytest.mark.parametrize("with_end", [True, False])
def test_member_rows_are_the_templates_rows(language: str, with_history: bool, with_end: bool) -> None:
    context = {"members": MEMBERS, "can_open_nominations": with_history, "can_change": with_end}
    with translation.override(language):
        template = Template("{% load i18n %}" + MEMBER_LOOP).render(Context(context))
        written = pages.member_rows(MEMBERS, with_history=with_history, with_end=with_end)
    assert laid_out(written) == laid_out(template)
    assert cells(written) == cells(template)
    assert "Kari &lt;Nordmann&gt;" in written
    assert ("/appointments/2/end/" in written, "/history/appointment/2/" in written) == (with_end, with_history)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_matrix_rows_are_the_templates_rows(language: str) -> None:
    roles = [("leader", "Leder"), ("member", "Medlem"), ("deputy", "Vara")]
    matrix = RepresentationMatrix(
        roles=roles,
        rows=[
            MatrixRow("Trust <A1> HF", HealthTrust(pk=1), [["Kari & Ola"], ["Per", "Pål", "Espen"], []], 4),
            MatrixRow("Trust A2 HF", HealthTrust(pk=2), [[], [], []], 0),
            MatrixRow("Region A RHF", None, [[], [], []], 0),
        ],
    )
    with translation.override(language):
        template = Template("{% load i18n %}" + MATRIX_LOOP).render(Context({"matrix": matrix}))
        written = pages.matrix_rows(matrix)
    laid = re.sub(r"\s*(</?(?:th)\b[^>]*>)\s*", r"\1", laid_out(template))
    assert laid_out(written) == laid
    table = lxml.html.fromstring(f"<table><tbody>{template}</tbody></table>")
    assert [" ".join(c.text_content().split()) for c in table.xpath("//th|//td")] == [
        " ".join(c.text_content().split())
        for c in lxml.html.fromstring(f"<table><tbody>{written}</tbody></table>").xpath("//th|//td")
    ]
    assert written.count('class="matrix__gap"') == 1  # the trust without anyone, not the region's own row


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("with_link", [True, False])
def test_nomination_items_are_the_templates_items(language: str, with_link: bool) -> None:
    context = {"nominations": NOMINATIONS, "can_open_nominations": with_link}
    with translation.override(language):
        template = Template("{% load i18n %}" + NOMINATION_LOOP).render(Context(context))
        written = pages.nomination_items(NOMINATIONS, with_link=with_link)
    assert laid_out_list(written) == laid_out_list(template)
    assert items(written) == items(template)
    assert ("nominated by None" in items(written)[1]) == (language == "en")  # as the template wrote a missing one


@pytest.mark.parametrize("language", ["nb", "en"])
def test_subgroup_items_are_the_templates_items(language: str) -> None:
    groups = [
        Network(pk=7, name="Fagråd <for> akutt", kind=Network.Kind.COUNCIL, status=Network.Status.ACTIVE),
        Network(pk=8, name="Arbeidsgruppe", kind=Network.Kind.WORKING_GROUP, status=Network.Status.NOT_STARTED),
        Network(pk=9, name="Gammel", kind=Network.Kind.COUNCIL, status=Network.Status.MERGED),
    ]
    rows = [SubgroupRow(g.pk, g.name, g.kind, g.status) for g in groups]
    with translation.override(language):
        template = Template("{% load i18n components %}" + SUBGROUP_LOOP).render(Context({"subgroups": groups}))
        written = pages.subgroup_items(rows)
    assert laid_out_list(written) == laid_out_list(template)
    assert items(written) == items(template)
