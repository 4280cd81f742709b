"""A round where some trusts have not reported (issue 21, item 1): the mandate's "siste oppdaterte rapport legges
til grunn". A unit that has not reported counts with its latest earlier report, marked with its date; a unit with
none is "–", never 0; every page, export and document says how complete the round is; per-100 000 figures are over
the population of the trusts with figures for every unit only."""

import csv
import dataclasses
import datetime
import io
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import formats, timezone, translation
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from fagnett.capacity import selectors
from fagnett.capacity.models import CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.organisations.models import Hospital, Unit
from tests.downloads import made
from tests.factories import World

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """The text of each cell of each table with an id, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: bytes) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html.decode())
    return parser.tables


def row_of(table: list[list[str]], first: str) -> list[str]:
    return next(row for row in table if row and row[0] == first)


@pytest.fixture
def rounds(world: World) -> tuple[ReportRound, ReportRound]:
    """Q1: A1 and A2 report. Q2: only A1 reports; A2's first unit has Q1's report, its second unit (new) and A3's
    unit have never reported."""
    a1, a2, a3 = units_of(world, 0)[0], units_of(world, 1)[0], units_of(world, 2)[0]
    Unit.objects.create(hospital=a2.hospital, name="ICU A2 nord")
    q1 = make_round(world.region_a, name="Q1 2026", period_start=datetime.date(2026, 1, 1))
    q2 = make_round(world.region_a, name="Q2 2026", period_start=datetime.date(2026, 4, 1), network=world.network)
    make_entry(q1, a1, "K3", "normal", physical_beds=12, staffed_beds=10)
    make_entry(q1, a2, "K3", "normal", physical_beds=8, staffed_beds=6, status="limited")
    make_entry(q1, a2, "K2", "normal", physical_beds=4, staffed_beds=4)
    make_entry(q2, a1, "K3", "normal", physical_beds=12, staffed_beds=11)
    assert a3.hospital.trust.population == 100_000
    return q1, q2


@pytest.fixture
def client_en(world: World, login_as: object) -> Client:
    leader = world["leader"]
    leader.language = "en"
    leader.save(update_fields=["language"])
    return login_as("leader")  # type: ignore[operator,no-any-return]


def _reported_on() -> str:
    with translation.override("en"):
        return formats.date_format(timezone.localdate(), "DATE_FORMAT")


def test_the_dashboard_uses_the_latest_earlier_report_and_never_shows_0_for_missing(
    rounds: tuple[ReportRound, ReportRound], client_en: Client
) -> None:
    _q1, q2 = rounds
    response = client_en.get(f"/capacity/rounds/{q2.pk}/dashboard/")
    assert response.status_code == 200
    found = tables(response.content)
    header = found["trust-table"][0]
    a2, a3 = row_of(found["trust-table"], "Trust A2 HF"), row_of(found["trust-table"], "Trust A3 HF")
    # A2 counts with Q1's report (dated), not as nothing; its new unit has none, so it has no per-100 000 figure.
    assert a2[header.index("K3")] == "6" and a2[header.index("K2")] == "4" and a2[header.index("Total")] == "10"
    assert a2[header.index("Total per 100 000")] == "–"
    assert f"report for Q1 2026, dated {_reported_on()}" in a2[header.index("Units reported")]
    assert "0 / 2" in a2[header.index("Units reported")] and "one without any report" in a2[-1]
    # A3 never reported: a dash in every figure, never 0 or 0.0.
    assert a3[1:5] == ["–", "–", "–", "–"] and a3[6:10] == ["–", "–", "–", "–"]
    # The region's rate is over A1 alone (every unit known): 11 K3 beds per 100 000, not 11 + 6 over 300 000.
    region = row_of(found["trust-table"], "Region A RHF")
    assert region[header.index("K3")] == "17" and region[header.index("Total per 100 000")] == "11.0"
    text = response.content.decode()
    assert "1 of 4 units have reported in this round." in text
    assert "For one unit the latest earlier report is used, marked with its date." in text
    assert "2 units have never reported: they are shown as –, not as 0." in text
    assert "the region's rate is over the 100,000 inhabitants of 1 of 3 trusts" in text
    completeness = {row[0]: row[1:] for row in found["completeness-table"][1:]}
    assert completeness["Trust A1 HF"] == ["1 / 1", "–", "–"]
    assert completeness["Trust A2 HF"][0] == "0 / 2" and "Q1 2026" in completeness["Trust A2 HF"][1]
    assert completeness["Trust A2 HF"][2] == "ICU A2 nord"
    assert completeness["Trust A3 HF"][0] == "0 / 1" and completeness["Trust A3 HF"][1] == "–"
    # The trend does not plunge: Q2 counts A2's unit with its Q1 report, and says so.
    trend = {row[0]: row[1:] for row in found["trend-table"][1:]}
    assert trend["Q1 2026"][2] == "16" and trend["Q2 2026"][2] == "17"
    assert trend["Q2 2026"][3] == "1 / 4 (one unit with an earlier report)"


def test_the_figures_behind_every_page(rounds: tuple[ReportRound, ReportRound], world: World) -> None:
    _q1, q2 = rounds
    data = selectors.dashboard(round_=q2)
    trusts = {row.label: row for row in data.trusts}
    assert trusts["A3"].staffed_total is None and trusts["A3"].per_100k() == [None, None, None]
    assert trusts["A1"].per_100k() == [None, None, 11.0]
    assert data.region_row.rate_population == 100_000 and data.region_row.total_per_100k == 11.0
    assert [(p.reported, p.carried, p.expected) for p in data.trend] == [(2, 0, 4), (1, 1, 4)]
    region = data.completeness
    assert (region.expected, region.reported, len(region.carried), len(region.missing)) == (4, 1, 1, 2)
    # Statuses of earlier reports count; the dimensioning counts the earlier report's beds and says so.
    hospital = next(h for h in data.hospitals if h.label == units_of(world, 1)[0].hospital.name)
    assert hospital.worst_status("K3") == "limited" and hospital.has_earlier
    rows = selectors.dimensioning(round_=q2, level="trust")
    a2 = next(r for r in rows if r.row.label == "Trust A2 HF" and r.row.category == "K3")
    assert a2.row.staffed == 6 and len(a2.row.earlier_reports) == 1


def test_the_exports_say_where_each_row_comes_from(rounds: tuple[ReportRound, ReportRound], client_en: Client) -> None:
    _q1, q2 = rounds
    text = client_en.get(f"/capacity/rounds/{q2.pk}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    a1 = next(r for r in rows if r["trust"] == "Trust A1 HF")
    assert (a1["report"], a1["report_round"], a1["staffed_beds"]) == ("this_round", "Q2 2026", "11")
    a2 = [r for r in rows if r["trust"] == "Trust A2 HF" and r["report"] == "earlier_round"]
    assert sorted((r["category"], r["staffed_beds"], r["report_round"]) for r in a2) == [
        ("K2", "4", "Q1 2026"),
        ("K3", "6", "Q1 2026"),
    ]
    assert all(r["reported_on"] == timezone.localdate().isoformat() for r in a2)
    none = [r for r in rows if r["report"] == "none"]
    assert sorted(r["unit"] for r in none) == sorted(["ICU A2 nord", units_of_name(rows, "Trust A3 HF")])
    assert all(r["staffed_beds"] == "" and r["physical_beds"] == "" for r in none)
    assert {(r["trust"], r["trust_units_reported"], r["trust_units_expected"]) for r in rows} == {
        ("Trust A1 HF", "1", "1"),
        ("Trust A2 HF", "0", "2"),
        ("Trust A3 HF", "0", "1"),
    }
    book = load_workbook(io.BytesIO(client_en.get(f"/capacity/rounds/{q2.pk}/export.xlsx").content))
    sheet = book["Completeness"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["trust", "units_expected", "units_reported", "units_earlier_report", "units_no_report"],
        ["Trust A1 HF", 1, 1, 0, 0],
        ["Trust A2 HF", 2, 0, 1, 1],
        ["Trust A3 HF", 1, 0, 0, 1],
    ]


def units_of_name(rows: list[dict[str, str]], trust: str) -> str:
    return next(r["unit"] for r in rows if r["trust"] == trust)


def test_the_recommendation_says_how_complete_the_round_is(
    rounds: tuple[ReportRound, ReportRound], client_en: Client
) -> None:
    _q1, q2 = rounds
    docx = Document(io.BytesIO(made(client_en, f"/capacity/rounds/{q2.pk}/recommendation.docx").content))
    paragraphs = "\n".join(p.text for p in docx.paragraphs)
    assert "1 of 4 units have reported in this round." in paragraphs
    assert "the 100,000 inhabitants of 1 of 3 trusts" in paragraphs
    cells = [[c.text for c in row.cells] for table in docx.tables for row in table.rows]
    assert ["Trust A3 HF", "0 / 1", "–", units_of_cell(cells)] in cells
    assert any(row[0] == "Trust A2 HF" and f"report for Q1 2026, dated {_reported_on()}" in row[2] for row in cells)
    pdf = PdfReader(io.BytesIO(made(client_en, f"/capacity/rounds/{q2.pk}/recommendation.pdf").content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "1 of 4 units have reported in this round." in text
    assert "report for Q1 2026" in text


def units_of_cell(cells: list[list[str]]) -> str:
    return next(row[3] for row in cells if row[0] == "Trust A3 HF" and row[1] == "0 / 1")


def test_a_complete_round_says_so_and_computes_the_rate_over_everyone(world: World, client_en: Client) -> None:
    round_ = make_round(world.region_a, name="Q3 2026", period_start=datetime.date(2026, 7, 1))
    for index in range(3):
        make_entry(round_, units_of(world, index)[0], "K3", "normal", physical_beds=10, staffed_beds=9)
    response = client_en.get(f"/capacity/rounds/{round_.pk}/dashboard/")
    assert "3 of 3 units have reported in this round." in response.content.decode()
    assert response.context["data"].region_row.total_per_100k == 9.0


@pytest.mark.parametrize("page", ["dimensioning/", "compliance/", "assessment/"])
def test_the_round_pages_say_how_complete_the_round_is(
    rounds: tuple[ReportRound, ReportRound], client_en: Client, page: str
) -> None:
    _q1, q2 = rounds
    response = client_en.get(f"/capacity/rounds/{q2.pk}/{page}")
    text = response.content.decode()
    assert "1 of 4 units have reported in this round." in text
    assert f"report for Q1 2026, dated {_reported_on()}" in text


def test_a_figure_entry_holds_the_columns_it_is_read_with() -> None:
    """``round_figures`` builds each ``FigureEntry`` from a ``values_list`` row in ``FIGURE_FIELDS`` order, then its
    unit and round: a column added to one and not the other would shift every figure after it."""
    names = [f.name for f in dataclasses.fields(selectors.FigureEntry)]
    assert names == [*selectors.FIGURE_FIELDS, "unit", "round"]
    columns = {f.attname for f in CapacityEntry._meta.concrete_fields}
    assert set(selectors.FIGURE_FIELDS) <= columns


def test_the_dashboard_lists_the_hospitals_the_units_query_finds(world: World) -> None:
    """The dashboard's hospitals come with the units (``round_figures``), inactive ones included, not from a query of
    their own: the same hospitals, in the same order, as that query (by trust and name), and an inactive unit is
    listed by its hospital but never counted."""
    a3 = units_of(world, 2)[0]
    Unit.objects.filter(pk=a3.pk).update(active=False)
    round_ = make_round(world.region_a)
    data = selectors.dashboard(round_=round_)
    expected = list(
        Hospital.objects.filter(trust__region_id=world.region_a.pk, units__kind=Unit.Kind.ICU, units__age_group="adult")
        .values_list("name", "trust__name")
        .distinct()
        .order_by("trust__name", "name")
    )
    assert [(row.label, row.trust) for row in data.hospitals] == expected
    assert a3.hospital.name in [row.label for row in data.hospitals]
    hospital = next(row for row in data.hospitals if row.label == a3.hospital.name)
    assert hospital.completeness.expected == 0 and a3.pk not in data.figures.units


def test_each_units_latest_earlier_round_is_the_orms(world: World) -> None:
    """``_latest_earlier_rounds`` (hand-written SQL, the last four rounds first) gives what the plain ORM query
    gives: a unit's latest earlier round with staffed beds, one found only beyond the last four, none for a unit
    that never reported, an entry without staffed beds or no longer current not counted, another region's not."""
    a1, a2, a3 = units_of(world, 0)[0], units_of(world, 1)[0], units_of(world, 2)[0]
    rounds = [
        make_round(world.region_a, name=f"M{k}", period_start=datetime.date(2025, 1, 1) + datetime.timedelta(weeks=k))
        for k in range(8)
    ]
    make_entry(rounds[6], a1, staffed_beds=5)
    make_entry(rounds[5], a1, staffed_beds=4)
    make_entry(rounds[1], a2, staffed_beds=3)  # beyond the last four before rounds[7]
    make_entry(rounds[6], a2, staffed_beds=None)  # no staffed beds: not a report
    old = make_entry(rounds[4], a2, staffed_beds=2)
    CapacityEntry.objects.filter(pk=old.pk).update(is_current=False)
    other = make_round(world.region_b, period_start=datetime.date(2025, 2, 20))
    make_entry(other, a3, staffed_beds=9)
    unit_ids = [a1.pk, a2.pk, a3.pk]

    def by_orm(round_: ReportRound) -> dict[int, int]:
        latest: dict[int, int] = {}
        for unit_id in unit_ids:
            entry = (
                CapacityEntry.objects.filter(
                    unit_id=unit_id,
                    is_current=True,
                    staffed_beds__isnull=False,
                    round__region_id=round_.region_id,
                    round__period_start__lt=round_.period_start,
                )
                .order_by("-round__period_start", "-round_id")
                .first()
            )
            if entry is not None:
                latest[unit_id] = entry.round_id
        return latest

    for round_ in rounds:
        assert selectors._latest_earlier_rounds(round_, unit_ids) == by_orm(round_)
    assert selectors._latest_earlier_rounds(rounds[7], unit_ids) == {a1.pk: rounds[6].pk, a2.pk: rounds[1].pk}
