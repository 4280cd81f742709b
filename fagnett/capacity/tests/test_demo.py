"""The demo's capacity data: Helse Nord's units over several rounds, marked as demo, consistent."""

import pytest

from fagnett.capacity import selectors
from fagnett.capacity.models import Assessment, CapacityEntry, Recommendation, ReportRound
from fagnett.capacity.validation import ORDERED_FIELDS, entry_errors, scenario_order_errors
from fagnett.organisations.models import Region

pytestmark = pytest.mark.django_db


def test_demo_capacity(demo: None) -> None:
    region = Region.objects.get(short_name="Helse Nord")
    rounds = list(ReportRound.objects.filter(region=region).order_by("period_start"))
    assert len(rounds) == 4 and all(r.is_demo and "demo" in r.name for r in rounds)
    assert [r.status for r in rounds] == ["closed", "closed", "closed", "open"]
    summer = rounds[2]
    assert summer.low_activity_name == "Sommerukene 28–31" and summer.low_activity_start is not None
    entries = CapacityEntry.objects.filter(round__region=region)
    assert entries.filter(scenario="max_surge").exists() and entries.filter(version=2, is_current=True).count() == 1
    for entry in entries:
        values = {
            name: getattr(entry, name)
            for name in ("physical_beds", "staffed_beds", "ventilated_beds", "status", "restrictions")
        }
        assert not entry_errors(entry.category, values), entry
    # The scenarios of each unit and category in order, as every way in now requires.
    cells: dict[tuple[int, int, str], dict[str, dict[str, object]]] = {}
    for entry in entries.filter(is_current=True):
        by_scenario = cells.setdefault((entry.round_id, entry.unit_id, entry.category), {})
        by_scenario[entry.scenario] = {n: getattr(entry, n) for n in ORDERED_FIELDS}
    assert all(not scenario_order_errors(category, v) for (_r, _u, category), v in cells.items())
    compliance = selectors.compliance(round_=rounds[3])
    assert {r.trust.short_name for r in compliance.rows if not r.complete} == {"HSYK", "FIN"}
    dashboard = selectors.dashboard(round_=summer, scenario="low_activity")
    normal = selectors.dashboard(round_=summer)
    assert dashboard.region_row.staffed_total < normal.region_row.staffed_total
    results = selectors.dimensioning(round_=summer, level="trust")
    assert any(r.beds_needed for r in results)
    # The region's two verdicts and one for UNN Tromsø (issue 21: per hospital as well as per trust and region).
    verdicts = Assessment.objects.filter(round=summer)
    assert verdicts.count() == 3 and verdicts.filter(hospital__name__icontains="Tromsø").count() == 1
    # The ICU network's recommendation for the summer round: a draft, with a dissent, so a newcomer sees one.
    recommendation = Recommendation.objects.get(round=summer)
    assert recommendation.status == Recommendation.Status.DRAFT and recommendation.consensus is False
    assert recommendation.dissent_by and all(text for _label, text in recommendation.criteria)


def test_demo_situation_reports(demo: None) -> None:
    """The "now" view is populated: most adult units have a recent report, one trust's none, one is stale; the open
    round's dimensioning measures normal operation from the week of situation reports where a trust has them all."""
    from fagnett.capacity import situation_selectors

    region = Region.objects.get(short_name="Helse Nord")
    now = situation_selectors.situation_now(region=region)
    assert 0 < now.total.reported < now.total.expected and now.total.stale == 1
    assert all(line is None or line.occupied_beds <= line.staffed_beds for u in now.total.units for line in u.lines)
    open_round = ReportRound.objects.get(region=region, status="open")
    sources = {r.row.measured_source for r in selectors.dimensioning(round_=open_round, level="unit")}
    assert selectors.MEASURED_FROM_SITUATION in sources
