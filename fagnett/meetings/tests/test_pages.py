"""The rows the meetings pages print, written in Python (``meetings.pages``, issue 23): what each row shows, escaped."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import translation

from fagnett.meetings import pages
from fagnett.meetings.models import Meeting
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


def _meeting(**changes: Any) -> Meeting:
    network = Network(pk=5, name=changes.pop("network_name", "Barn & unge"))
    fields = {
        "pk": 40,
        "network": network,
        "starts_at": datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC),  # 1 January 2026 in Oslo
        "ends_at": datetime.datetime(2026, 1, 1, 1, 0, tzinfo=datetime.UTC),
        "status": Meeting.Status.INVITED,
        "invitation_sent_at": None,
    }
    return Meeting(**{**fields, **changes})


def test_the_meeting_head_is_made_once_and_anew_when_what_it_prints_changes() -> None:
    with translation.override("en"):
        head = pages.meeting_head(_meeting())
        assert pages.meeting_head(_meeting()) is head  # kept: the same meeting as it was
        assert "Barn &amp; unge" in head["trail"] and "?year=2026" in head["trail"]  # the year in Oslo
        assert (head["date"], head["start"], head["end"]) == ("1 January 2026", "00:30", "02:00")
        assert "Invitation sent" in head["status"] and head["invitation_sent"] == ""
        assert head["export_urls"]["ics"] == reverse("meetings:export", args=[40, "ics"])
        assert head["urls"]["reply"] == reverse("meetings:reply", args=[40])
        assert head["urls"]["agenda_cases"] == reverse("cases:agenda_cases", args=[40])
        renamed = pages.meeting_head(_meeting(network_name="Øye"))
        assert "Øye" in renamed["trail"] and "Barn" not in renamed["trail"]
        held = pages.meeting_head(_meeting(status=Meeting.Status.HELD))
        assert "Held" in held["status"]
        sent = pages.meeting_head(_meeting(invitation_sent_at=datetime.datetime(2025, 12, 1, 8, tzinfo=datetime.UTC)))
        assert sent["invitation_sent"] and sent["status"] == head["status"]
        moved = pages.meeting_head(_meeting(starts_at=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)))
        assert moved["date"] == "2 March 2026" and moved["start"] == "10:00"
    with translation.override("nb"):
        assert pages.meeting_head(_meeting())["date"] == "1. januar 2026"
