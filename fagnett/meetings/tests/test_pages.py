"""The rows the meetings pages print, written in Python (``meetings.pages``, issue 23): what each row shows, escaped."""

from django.urls import reverse
from django.utils import translation

from fagnett.meetings import pages
from fagnett.meetings.selectors import PlanRow, TrustParticipation
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust


def _plan_row(pk: int, name: str, *, held: int, planned: int, minimum: int | None) -> PlanRow:
    return PlanRow(network=Network(pk=pk, name=name), planned=planned, held=held, cancelled=1, minimum=minimum)


def test_a_network_below_its_minimum_is_marked_and_links_to_its_meetings_of_the_year() -> None:
    rows = [
        _plan_row(7, "Barn & unge", held=1, planned=1, minimum=4),
        _plan_row(8, "Øye", held=2, planned=0, minimum=None),
    ]
    with translation.override("en"):
        html = pages.network_plan_rows(rows, year=2025)
    below, ok = html.split("</tr>")[:2]
    url = reverse("meetings:network_meetings", args=[7])
    assert f'<a class="ds-link" href="{url}?year=2025">Barn &amp; unge</a>' in below
    numbers = "".join(f'<td class="numeric">{n}</td>' for n in (1, 1, 1, 4))  # held, planned, cancelled, minimum
    assert numbers in below
    assert '<span class="ds-tag" data-color="warning">Below the minimum</span>' in below
    assert '<td class="numeric">–</td>' in ok  # no mandate, no minimum
    assert '<span class="ds-tag" data-color="success">OK</span>' in ok


def _trust(name: str, *, held: int, attended: int, people: int) -> TrustParticipation:
    trust = HealthTrust(pk=len(name), name=name)
    return TrustParticipation(trust=trust, meetings_held=held, meetings_attended=attended, people_present=people)


def test_participation_rows_show_the_share_in_whole_per_cent_and_mark_a_trust_not_taking_part() -> None:
    rows = [
        _trust("Helse <Nord>", held=3, attended=2, people=1250),
        _trust("Helse Sør", held=3, attended=0, people=0),
        _trust("Helse Vest", held=0, attended=0, people=0),
        _trust("Helse Midt", held=8, attended=1, people=1),
    ]
    with translation.override("nb"):
        html = pages.participation_rows(rows)
    first, absent, none_held, eighth = html.split("</tr>")[:4]
    assert first == (
        '<tr><th scope="row">Helse &lt;Nord&gt;</th><td class="numeric">3</td><td class="numeric">2</td>'
        '<td class="numeric">67 %</td><td class="numeric">1250</td>'
    )
    tag = '<span class="ds-tag" data-color="danger">Deltar ikke</span>'
    assert absent.startswith(f'<tr class="matrix__gap"><th scope="row">Helse Sør {tag}</th>')
    assert "0 %" in absent
    assert "matrix__gap" not in none_held and "ds-tag" not in none_held and "0 %" in none_held
    assert "12 %" in eighth  # 12.5 rounds to even, as the ``widthratio`` tag rounded it
