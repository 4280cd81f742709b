"""Dimensioning an ICU leader recognises (issue 21, item 4): the occupancy measured in the reported rounds beside the
Erlang estimate with its assumptions; pooling only within one hospital unless the person chooses sites, then with a
caveat; the comparison in neutral words ("beregnet behov 11, har 19")."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from fagnett.capacity import calculations, pages, selectors
from fagnett.capacity.calculations import beds_needed
from fagnett.capacity.models import ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.core.templatetags.components import status_tag
from fagnett.organisations.models import Unit
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_percentile_and_measured_occupancy_by_hand() -> None:
    # Sorted 4, 6, 8, 10, 12: the 90th percentile lies at rank (5 − 1) × 0.9 = 3.6, i.e. 10 + 0.6 × (12 − 10).
    measured = calculations.measured_occupancy([10, 4, 12, 6, 8])
    assert measured == calculations.Measured(mean=8.0, p90=pytest.approx(11.2), samples=5)
    assert calculations.percentile([3.0], 0.9) == 3.0
    assert calculations.measured_occupancy([]) is None
    with pytest.raises(ValueError):
        calculations.percentile([], 0.9)


def test_pooling_within_sites_never_pools_across_hospitals() -> None:
    near = [(4, 3.0), (4, 3.0)]  # two units of one hospital
    far = [(6, 5.0)]  # a unit of another hospital
    result = calculations.pooling_within_sites([near, far], 0.05)
    assert result.pooled_beds_needed == beds_needed(6.0, 0.05) + beds_needed(5.0, 0.05)
    assert result.separate_beds_needed == 2 * beds_needed(3.0, 0.05) + beds_needed(5.0, 0.05)
    refused = 6.0 * calculations.erlang_b(8, 6.0) + 5.0 * calculations.erlang_b(6, 5.0)
    assert result.pooled_blocking == pytest.approx(refused / 11.0)
    # Across both hospitals as one unit would need fewer beds still: that is what is not assumed.
    assert calculations.pooling([*near, *far], 0.05).pooled_beds_needed <= result.pooled_beds_needed


def _rounds(world: World) -> tuple[list[ReportRound], Unit]:
    """Three quarters in which trust A1's adult unit had 10 staffed K3 beds at 50, 70 and 90 % mean occupancy, a
    quarter in which it gave no occupancy, and a later quarter (not before the one shown) at 10 %."""
    unit = units_of(world, 0)[0]
    rounds = []
    for month, occupancy in ((1, 50), (4, None), (7, 70), (10, 90)):
        round_ = make_round(world.region_a, period_start=datetime.date(2026, month, 1))
        make_entry(round_, unit, "K3", "normal", physical_beds=12, staffed_beds=10, occupancy_mean=occupancy)
        rounds.append(round_)
    later = make_round(world.region_a, period_start=datetime.date(2027, 1, 1))
    make_entry(later, unit, "K3", "normal", physical_beds=12, staffed_beds=10, occupancy_mean=10)
    return rounds, unit


def test_measured_occupancy_over_the_rounds_up_to_the_one_shown(world: World) -> None:
    rounds, _unit = _rounds(world)
    k3 = [r for r in selectors.dimensioning(round_=rounds[-1], level="unit") if r.row.category == "K3"]
    # Occupied beds 10 × 50 % = 5, 10 × 70 % = 7, 10 × 90 % = 9 (the quarter without occupancy is left out, the
    # later quarter too): mean 7, 90th percentile at rank 1.8 → 7 + 0.8 × 2 = 8.6.
    assert k3[0].row.measured == calculations.Measured(mean=7.0, p90=pytest.approx(8.6), samples=3)


def test_the_page_shows_measured_beside_erlang_with_its_assumptions_and_flat_queries(
    world: World, login_as: object
) -> None:
    rounds, _unit = _rounds(world)
    client: Client = login_as("leader")  # type: ignore[operator]
    response = client.get(f"/capacity/rounds/{rounds[-1].pk}/dimensioning/?level=unit")
    html = response.content.decode()
    assert "7,0 / 8,6" in html and "3 runder" in html
    assert "Poisson" in html and "gjennomsnittlig liggetid" in html, html[html.find("erlang-assumptions") :][:900]
    assert "på eller under 5,0 %" in html
    # The query count does not grow with the rounds measured over.
    with CaptureQueriesContext(connection) as many:
        client.get(f"/capacity/rounds/{rounds[-1].pk}/dimensioning/?level=unit")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/capacity/rounds/{rounds[0].pk}/dimensioning/?level=unit")
    assert len(many) == len(one)


def test_pooling_within_one_hospital_only_and_chosen_sites_with_a_caveat(world: World, login_as: object) -> None:
    round_ = make_round(world.region_a)
    first, other = units_of(world, 0)[0], units_of(world, 1)[0]
    second = Unit.objects.create(hospital=first.hospital, name="Postoperativ intensiv", kind=Unit.Kind.ICU)
    # Offered loads over 90 days: 180 × 3 / 90 = 6, 90 × 4 / 90 = 4 and 450 × 1 / 90 = 5 erlang.
    make_entry(round_, first, "K3", "normal", physical_beds=8, staffed_beds=8, admissions=180, mean_length_of_stay=3)
    make_entry(round_, second, "K3", "normal", physical_beds=6, staffed_beds=6, admissions=90, mean_length_of_stay=4)
    make_entry(round_, other, "K3", "normal", physical_beds=8, staffed_beds=8, admissions=450, mean_length_of_stay=1)
    region = next(r for r in selectors.dimensioning(round_=round_, level="region") if r.row.category == "K3")
    assert region.row.load == pytest.approx(15.0) and region.pooling is not None
    # The two units of one hospital pooled (10 erlang), the other hospital's apart (5): not all three as one.
    assert region.pooling.pooled_beds_needed == beds_needed(10.0, 0.05) + beds_needed(5.0, 0.05)
    assert region.pooling.pooled_beds_needed != beds_needed(15.0, 0.05)
    trusts = {r.row.label: r for r in selectors.dimensioning(round_=round_, level="trust") if r.row.category == "K3"}
    assert trusts[other.hospital.trust.name].pooling is None  # one unit: nothing to pool

    client: Client = login_as("leader")  # type: ignore[operator]
    url = f"/capacity/rounds/{round_.pk}/dimensioning/?level=region"
    assert client.get(url).context["site_pooling"] == []
    response = client.get(f"{url}&sites={first.hospital_id}&sites={other.hospital_id}")
    chosen = response.context["site_pooling"]
    assert [(p.category, p.pooling.pooled_beds_needed) for p in chosen] == [("K3", beds_needed(15.0, 0.05))]
    html = response.content.decode()
    assert "avstand, transport og kompetanse avgjør" in html
    assert f"{first.hospital.name}, {other.hospital.name} drevet som én enhet" in html


def test_the_comparison_is_in_neutral_words(world: World, login_as: object) -> None:
    round_ = make_round(world.region_a)
    unit = units_of(world, 0)[0]
    # 210 admissions over 90 days × 3 days = 7 erlang: 11 beds keep refusals at or under 5 %; the unit has 19.
    make_entry(round_, unit, "K3", "normal", physical_beds=20, staffed_beds=19, admissions=210, mean_length_of_stay=3)
    assert beds_needed(7.0, 0.05) == 11
    client: Client = login_as("leader")  # type: ignore[operator]
    url = f"/capacity/rounds/{round_.pk}/dimensioning/?level=unit"
    response = client.get(url)
    result = next(r for r in response.context["results"] if r.row.category == "K3")
    assert result.verdict == "above_need"
    html = response.content.decode()
    assert "beregnet behov 11, har 19" in html
    assert "enn nødvendig" not in html and "For få senger" not in html
    world["leader"].language = "en"
    world["leader"].save(update_fields=["language"])
    assert "calculated need 11, has 19" in client.get(url).content.decode()


def test_the_rows_verdict_tags_are_the_components() -> None:
    """``pages.dimensioning_rows`` renders a verdict's tag once per verdict and puts each row's words in: the same
    HTML as ``{% status_tag result "verdict" %}`` for every row (below, above and at the need, words escaped)."""
    results = []
    for label, staffed in (("A", 3), ("B <b>", 30), ("C", 9), ("D", 12)):
        row = selectors.DimensionRow(label, "K1", staffed=staffed, load=6.0, arrivals=1.5, has_load=True)
        results.append(row.compute(0.05))
    results.append(selectors.DimensionRow("E", "K2", staffed=4).compute(0.05))  # no load: no verdict
    assert {r.verdict for r in results} >= {"below_need", "above_need", ""}
    html = pages.dimensioning_rows(results).html()
    rows = html.split("</tr>")[:-1]
    assert len(rows) == len(results)
    for row, r in zip(rows, results, strict=True):
        assert (str(status_tag(r, "verdict")) in row) if r.verdict else ("ds-tag" not in row), row
    assert 'data-color="warning"' in rows[0] and "&lt;b&gt;" in rows[1] and "\x00" not in html


def test_kept_rows_show_a_situation_reports_age_as_of_each_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are kept with the results (``pages.dimensioning_table``); "2 hours ago" is put in per request."""
    filed_at = timezone.now() - datetime.timedelta(hours=2, minutes=1)
    row = selectors.DimensionRow("ICU", "K3", staffed=8, unit_ids={1}, measured_latest=filed_at)
    row.measured = calculations.Measured(mean=5.0, p90=7.0, samples=3)
    row.measured_source = selectors.MEASURED_FROM_SITUATION
    results = selectors.DimensionResults([row.compute(0.05)], key=("kept rows", 1), version=1)
    with translation.override("nb"):
        now = pages.dimensioning_table(results)
        assert "for 2\xa0timer siden" in now and "5,0 / 7,0" in now and "\x00" not in now
        later = timezone.now() + datetime.timedelta(hours=3)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "for 5\xa0timer siden" in pages.dimensioning_table(results)
        assert pages.dimensioning_table(results).replace("5\xa0timer", "2\xa0timer") == now  # the rest as kept
