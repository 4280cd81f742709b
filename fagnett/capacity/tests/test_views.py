"""Pages: who sees what, the entry form with prefill and jump warnings, dashboards, exports, documents."""

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from fagnett.accounts.models import User
from fagnett.capacity.calculations import beds_needed, erlang_b
from fagnett.capacity.models import Assessment, CapacityEntry, ReportRound, UnitProfile
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.organisations.models import Unit
from tests.downloads import made
from tests.factories import World, make_trust
from tests.pdf_standards import assert_pdf_ua

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(world: World) -> ReportRound:
    return make_round(world.region_a, network=world.network)


@pytest.mark.parametrize(
    ("role", "page", "status"),
    [
        ("reporter", "detail", 200),
        ("reporter", "unit_own", 200),
        ("reporter", "unit_other", 404),
        ("member", "unit_own", 404),
        ("coordinator", "unit_other", 200),
        ("coordinator_b", "detail", 404),
        ("coordinator_b", "dashboard", 404),
        ("director", "dashboard", 200),
        ("leader", "dimensioning", 200),
        ("fagsjef_b", "assessment", 404),
        ("member", "assessment", 200),
        ("reporter", "create", 403),
        ("coordinator", "create", 200),
        ("reporter", "template", 200),
        ("member", "template", 403),
    ],
)
def test_permission_table(
    world: World, login_as: object, round_: ReportRound, role: str, page: str, status: int
) -> None:
    client: Client = login_as(role)  # type: ignore[operator]
    own, other = units_of(world, 0)[0], units_of(world, 1)[0]
    url = {
        "detail": f"/capacity/rounds/{round_.pk}/",
        "unit_own": f"/capacity/rounds/{round_.pk}/units/{own.pk}/",
        "unit_other": f"/capacity/rounds/{round_.pk}/units/{other.pk}/",
        "dashboard": f"/capacity/rounds/{round_.pk}/dashboard/",
        "dimensioning": f"/capacity/rounds/{round_.pk}/dimensioning/",
        "assessment": f"/capacity/rounds/{round_.pk}/assessment/",
        "create": "/capacity/rounds/new/",
        "template": f"/capacity/rounds/{round_.pk}/template.xlsx",
    }[page]
    assert client.get(url).status_code == status


def test_the_coordinator_opens_a_round_by_form(world: World, login_as: object) -> None:
    client: Client = login_as("coordinator")  # type: ignore[operator]
    response = client.post(
        "/capacity/rounds/new/",
        {
            "region": world.region_a.pk,
            "name": "Q3 2026",
            "network": world.network.pk,
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "deadline": "2026-10-15",
            "low_activity_name": "Sommerukene 28–31",
            "low_activity_start": "2026-07-06",
            "low_activity_end": "2026-08-02",
        },
    )
    assert response.status_code == 302
    assert ReportRound.objects.get().low_activity_name == "Sommerukene 28–31"
    bad = client.post(
        "/capacity/rounds/new/",
        {
            "region": world.region_a.pk,
            "name": "X",
            "period_start": "2026-07-01",
            "period_end": "2026-06-01",
            "deadline": "2026-10-15",
        },
    )
    assert bad.status_code == 200 and ReportRound.objects.count() == 1


def _entry_url(round_: ReportRound, unit_id: int, category: str = "K3", scenario: str = "normal") -> str:
    return f"/capacity/rounds/{round_.pk}/units/{unit_id}/{category}/{scenario}/"


def _opened(client: Client, url: str) -> str:
    """The token the form carries when it is opened (the form remembers which saved entry it shows)."""
    page = client.get(url)
    form = page.context["form"] if "form" in page.context else page.context["grid_form"]
    return form["based_on"].value() or ""


def test_entry_form_prefills_from_last_round_and_asks_to_confirm_jumps(world: World, login_as: object) -> None:
    unit = units_of(world)[0]
    old = make_round(world.region_a, name="Q4 2025", period_start=__import__("datetime").date(2025, 10, 1))
    make_entry(old, unit, physical_beds=6, staffed_beds=4)
    new = make_round(world.region_a)
    client: Client = login_as("reporter")  # type: ignore[operator]
    page = client.get(_entry_url(new, unit.pk))
    assert page.context["form"].initial["staffed_beds"] == 4 and page.context["prefilled_from_previous"]

    data = {
        "physical_beds": "14",
        "staffed_beds": "12",
        "ventilated_beds": "10",
        "status": "limited",
        "restrictions": ["staff"],
    }
    response = client.post(_entry_url(new, unit.pk), data)
    assert response.status_code == 200 and response.context["warnings"]
    assert not CapacityEntry.objects.filter(round=new).exists()
    response = client.post(_entry_url(new, unit.pk), {**data, "confirm_jumps": "on"})
    assert response.status_code == 302
    entry = CapacityEntry.objects.get(round=new)
    assert (entry.staffed_beds, entry.ventilated_beds, entry.restrictions, entry.nurses_fte) == (
        12,
        10,
        ["staff"],
        None,
    )


def test_entry_form_refuses_bad_numbers(world: World, login_as: object, round_: ReportRound) -> None:
    unit = units_of(world)[0]
    client: Client = login_as("reporter")  # type: ignore[operator]
    for data in (
        {"physical_beds": "4", "staffed_beds": "5"},
        {"staffed_beds": "-1"},
        {"staffed_beds": "fem"},
        {"physical_beds": "4", "staffed_beds": "4", "ventilated_beds": "5"},
        {"comment": "Pasient 01017000027"},
    ):
        response = client.post(_entry_url(round_, unit.pk), data)
        assert response.status_code == 200 and response.context["form"].errors
    assert not CapacityEntry.objects.exists()


def test_closed_round_correction_by_form(world: World, login_as: object) -> None:
    unit = units_of(world)[0]
    closed = make_round(world.region_a, status=ReportRound.Status.CLOSED)
    make_entry(closed, unit)
    client: Client = login_as("reporter")  # type: ignore[operator]
    response = client.post(_entry_url(closed, unit.pk), {"physical_beds": "10", "staffed_beds": "7"})
    assert response.status_code == 200 and "correction_reason" in response.context["form"].errors
    data = {"physical_beds": "10", "staffed_beds": "7", "correction_reason": "Tastefeil"}
    response = client.post(
        _entry_url(closed, unit.pk), {**data, "based_on": _opened(client, _entry_url(closed, unit.pk))}
    )
    assert response.status_code == 302
    assert list(CapacityEntry.objects.order_by("version").values_list("version", "is_current", "staffed_beds")) == [
        (1, False, 8),
        (2, True, 7),
    ]


def test_unit_profile_saved(world: World, login_as: object, round_: ReportRound) -> None:
    unit = units_of(world)[0]
    client: Client = login_as("reporter")  # type: ignore[operator]
    response = client.post(
        f"/capacity/rounds/{round_.pk}/units/{unit.pk}/profile/",
        {"invasive_ventilation": "on", "ecmo": "on", "isolation_rooms": "2"},
    )
    assert response.status_code == 302
    profile = UnitProfile.objects.get(unit=unit)
    assert profile.ecmo and profile.isolation_rooms == 2 and not profile.renal_replacement


def test_compliance_shows_who_is_late(world: World, login_as: object) -> None:
    import datetime

    round_ = make_round(world.region_a, deadline=datetime.date(2020, 1, 1), period_start=datetime.date(2019, 10, 1))
    for unit in units_of(world, 0):
        for category in ("K1", "K2", "K3"):
            for scenario in ("normal", "low_activity", "surge_7d", "max_surge"):
                make_entry(round_, unit, category, scenario, physical_beds=5, staffed_beds=4, ventilated_beds=None)
    client: Client = login_as("coordinator")  # type: ignore[operator]
    data = client.get(f"/capacity/rounds/{round_.pk}/compliance/").context["compliance"]
    assert [(r.trust.short_name, r.complete) for r in data.rows] == [("A1", True), ("A2", False), ("A3", False)]
    assert [r.trust.short_name for r in data.late] == ["A2", "A3"]


def _fill(round_: ReportRound, world: World) -> None:
    a1, a2 = units_of(world, 0)[0], units_of(world, 1)[0]
    make_entry(
        round_,
        a1,
        "K3",
        "normal",
        physical_beds=10,
        staffed_beds=8,
        nurses_fte=40,
        status="limited",
        admissions=180,
        mean_length_of_stay=4,
    )
    make_entry(round_, a1, "K2", "normal", physical_beds=6, staffed_beds=6, nurses_fte=20, status="available")
    make_entry(
        round_,
        a2,
        "K3",
        "normal",
        physical_beds=5,
        staffed_beds=4,
        nurses_fte=None,
        status="full",
        admissions=90,
        mean_length_of_stay=3,
    )
    make_entry(round_, a2, "K3", "max_surge", physical_beds=9, staffed_beds=9)


def test_dashboard_numbers(world: World, login_as: object, round_: ReportRound) -> None:
    _fill(round_, world)
    client: Client = login_as("leader")  # type: ignore[operator]
    response = client.get(f"/capacity/rounds/{round_.pk}/dashboard/")
    data = response.context["data"]
    # population with a thousands separator (a no-break space in Norwegian)
    assert '<td class="numeric">100\xa0000</td>' in response.content.decode()
    normal = {s: totals for s, _l, totals in data.region_totals}["normal"]
    assert [(t.staffed, t.physical) for t in normal] == [(None, None), (6, 6), (12, 15)]
    surge = {s: totals for s, _l, totals in data.region_totals}["max_surge"]
    assert surge[2].staffed == 9
    trusts = {row.label: row for row in data.trusts}
    assert trusts["A1"].staffed_list() == [None, 6, 8]
    assert trusts["A1"].per_100k() == [None, 6.0, 8.0]  # population 100 000
    assert trusts["A1"].composition() == [0, 43, 57]
    assert trusts["A1"].nurses_per_staffed_bed == round(60 / 14, 2)
    assert trusts["A3"].staffed_list() == [None, None, None]
    hospitals = {row.label: row for row in data.hospitals}
    assert hospitals[units_of(world, 1)[0].hospital.name].worst_status("K3") == "full"
    # A3 has not reported: the region's rate is over A1's and A2's 200 000 inhabitants, not all 300 000.
    assert data.region_row.staffed_total == 18 and data.region_row.total_per_100k == 9.0
    assert [p.staffed["K3"] for p in data.trend] == [12]


def test_dashboard_query_count_is_flat(world: World, login_as: object, round_: ReportRound) -> None:
    import datetime

    _fill(round_, world)
    client: Client = login_as("leader")  # type: ignore[operator]
    url = f"/capacity/rounds/{round_.pk}/dashboard/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(5):
        older = make_round(world.region_a, name=f"Old {i}", period_start=datetime.date(2024, 1 + i, 1))
        _fill(older, world)
    trust = make_trust(world.region_a, name="Trust A4 HF", short_name="A4")
    make_entry(round_, units_of_trust(trust), "K1", "normal")
    with CaptureQueriesContext(connection) as grown:
        client.get(url)
    assert len(grown) == len(small)
    # The coordinator sees every unit of the region on the round page, so its unit table grows with the trusts.
    client = login_as("coordinator")  # type: ignore[operator]
    for path in ("dimensioning/", "compliance/", ""):
        client.get(f"/capacity/rounds/{round_.pk}/{path}")
        with CaptureQueriesContext(connection) as before:
            client.get(f"/capacity/rounds/{round_.pk}/{path}")
        make_trust(world.region_a)
        with CaptureQueriesContext(connection) as after:
            client.get(f"/capacity/rounds/{round_.pk}/{path}")
        assert len(after) == len(before), path
    with CaptureQueriesContext(connection) as lst:
        client.get("/capacity/")
    make_round(world.region_a, name="More", period_start=datetime.date(2023, 1, 1))
    with CaptureQueriesContext(connection) as lst2:
        client.get("/capacity/")
    assert len(lst) == len(lst2)


def units_of_trust(trust: object) -> object:
    return Unit.objects.select_related("hospital__trust").get(hospital__trust=trust)


@pytest.mark.parametrize("name", ["composition", "distribution", "trend", "status", "dimensioning"])
def test_charts_are_svg(world: World, login_as: object, round_: ReportRound, name: str) -> None:
    _fill(round_, world)
    client: Client = login_as("director")  # type: ignore[operator]
    response = client.get(f"/capacity/rounds/{round_.pk}/charts/{name}.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert client.get(f"/capacity/rounds/{round_.pk}/charts/unknown.svg").status_code == 404


def test_exports(world: World, login_as: object, round_: ReportRound) -> None:
    _fill(round_, world)
    client: Client = login_as("director")  # type: ignore[operator]
    text = client.get(f"/capacity/rounds/{round_.pk}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # Four entries, and one row for A3's unit, which has never reported (blank, not zero).
    assert rows[0][:5] == ["trust", "hospital", "unit", "category", "scenario"] and len(rows) == 6
    assert rows[-1][0] == "Trust A3 HF" and rows[-1][rows[0].index("report")] == "none"
    book = load_workbook(io.BytesIO(client.get(f"/capacity/rounds/{round_.pk}/export.xlsx").content))
    sheet = book.active
    assert sheet is not None and sheet.max_row == 6
    assert client.get(f"/capacity/rounds/{round_.pk}/export.txt").status_code == 404


def test_dimensioning_page(world: World, login_as: object, round_: ReportRound) -> None:
    _fill(round_, world)
    client: Client = login_as("leader")  # type: ignore[operator]
    results = client.get(f"/capacity/rounds/{round_.pk}/dimensioning/?level=region&scenario=normal&target=5").context[
        "results"
    ]
    k3 = next(r for r in results if r.row.category == "K3")
    # 180 admissions / 90 days × 4 days = 8 erlang; 90 / 90 × 3 = 3 erlang; together 11 on 12 staffed beds.
    assert k3.row.load == pytest.approx(11.0) and k3.row.staffed == 12
    assert k3.blocking == pytest.approx(erlang_b(12, 11.0))
    assert k3.beds_needed == beds_needed(11.0, 0.05)
    # The two units are at hospitals of different trusts: pooling is weighed within one hospital only, so none.
    assert k3.pooling is None
    surge = client.get(f"/capacity/rounds/{round_.pk}/dimensioning/?level=unit&scenario=max_surge").context["results"]
    assert surge[0].row.load_from_normal and surge[0].row.load == pytest.approx(3.0)


def test_the_kept_filter_forms_show_a_change_at_once(world: World, login_as: object, round_: ReportRound) -> None:
    """The filter forms' HTML is kept in the worker (``core.rows.form_fields_html`` and ``form_field_groups``) under
    the language and all the form shows: a new hospital to pool, another choice and another language show at once."""
    _fill(round_, world)
    client: Client = login_as("leader")  # type: ignore[operator]
    url = f"/capacity/rounds/{round_.pk}/dimensioning/"
    client.get(url)
    trust = make_trust(world.region_a)
    unit = units_of_trust(trust)
    make_entry(round_, unit, "K3", "normal")  # type: ignore[arg-type]
    html = client.get(url).content.decode()
    assert f'value="{unit.hospital.pk}"' in html and unit.hospital.name in html  # type: ignore[attr-defined]
    assert "Sykehus som slås sammen (valgfritt)" in html
    assert '<option value="max_surge" selected>' in client.get(f"{url}?scenario=max_surge").content.decode()
    dashboard = f"/capacity/rounds/{round_.pk}/dashboard/"
    assert '<option value="max_surge" selected>' not in client.get(dashboard).content.decode()
    assert '<option value="max_surge" selected>' in client.get(f"{dashboard}?scenario=max_surge").content.decode()
    User.objects.filter(pk=world["leader"].pk).update(language="en")
    assert "Hospitals to pool (optional)" in client.get(url).content.decode()


def test_assessment_and_recommendation(
    world: World, login_as: object, round_: ReportRound, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    _fill(round_, world)
    client: Client = login_as("leader")  # type: ignore[operator]
    response = client.post(
        f"/capacity/rounds/{round_.pk}/assessment/",
        {
            "trust": world.trusts_a[1].pk,
            "category": "K3",
            "scenario": "normal",
            "verdict": "inadequate",
            "reasons": "Høy avvisningsrate",
            "actions": "To nye K3-senger",
        },
    )
    assert response.status_code == 302 and Assessment.objects.get().verdict == "inadequate"
    docx = Document(io.BytesIO(made(client, f"/capacity/rounds/{round_.pk}/recommendation.docx").content))
    text = "\n".join(p.text for p in docx.paragraphs) + "\n".join(
        c.text for t in docx.tables for row in t.rows for c in row.cells
    )
    assert "Høy avvisningsrate" in text and "To nye K3-senger" in text and "Trust A2 HF" in text
    assert len(docx.inline_shapes) == 2
    pdf_file = made(client, f"/capacity/rounds/{round_.pk}/recommendation.pdf").content
    assert_pdf_ua(pdf_file, lang="nb", title="Intensivkapasitet i Region A RHF: nettverkets anbefaling")
    pdf = PdfReader(io.BytesIO(pdf_file))
    pdf_text = " ".join("".join(page.extract_text() for page in pdf.pages).split())
    assert "Høy avvisningsrate" in pdf_text and "Trust A2 HF" in pdf_text
    member: Client = login_as("member")  # type: ignore[operator]
    assert member.post(f"/capacity/rounds/{round_.pk}/assessment/", {"category": "K1"}).status_code == 403


def test_close_round(world: World, login_as: object, round_: ReportRound) -> None:
    client: Client = login_as("reporter")  # type: ignore[operator]
    assert client.post(f"/capacity/rounds/{round_.pk}/close/").status_code == 403
    client = login_as("coordinator")  # type: ignore[operator]
    assert client.post(f"/capacity/rounds/{round_.pk}/close/").status_code == 302
    round_.refresh_from_db()
    assert not round_.is_open


@pytest.mark.parametrize("name", ["composition", "distribution", "trend", "status", "dimensioning"])
def test_pages_and_charts_of_an_empty_round(world: World, login_as: object, round_: ReportRound, name: str) -> None:
    client: Client = login_as("coordinator")  # type: ignore[operator]
    assert client.get(f"/capacity/rounds/{round_.pk}/charts/{name}.svg").status_code == 200
    for path in ("", "dashboard/", "dimensioning/", "compliance/", "assessment/", "export.csv", "recommendation.docx"):
        assert client.get(f"/capacity/rounds/{round_.pk}/{path}").status_code == 200, path


def test_the_whole_grid_in_one_form(world: World, login_as: object, round_: ReportRound) -> None:
    unit = units_of(world)[0]
    client: Client = login_as("reporter")  # type: ignore[operator]
    url = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/"
    assert client.get(url).status_code == 200
    data = {
        "K3__normal__physical_beds": "10",
        "K3__normal__staffed_beds": "8",
        "K3__normal__ventilated_beds": "6",
        "K3__normal__status": "full",
        "K2__max_surge__physical_beds": "4",
        "K2__max_surge__staffed_beds": "5",  # more staffed than physical
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "K2__max_surge__staffed_beds" in response.context["grid_form"].errors
    assert not CapacityEntry.objects.exists()
    data["K2__max_surge__staffed_beds"] = "4"
    assert client.post(url, data).status_code == 302
    data["based_on"] = _opened(client, url)
    assert sorted(CapacityEntry.objects.values_list("category", "scenario", "staffed_beds", "status")) == [
        ("K2", "max_surge", 4, ""),
        ("K3", "normal", 8, "full"),
    ]
    # A later blank for a reported cell blanks it (not reported), it is not skipped.
    data["K2__max_surge__physical_beds"] = data["K2__max_surge__staffed_beds"] = ""
    assert client.post(url, data).status_code == 302
    assert CapacityEntry.objects.get(category="K2").staffed_beds is None
    closed = make_round(world.region_a, name="Closed", status=ReportRound.Status.CLOSED)
    assert client.post(f"/capacity/rounds/{closed.pk}/units/{unit.pk}/", data).status_code == 403


def test_entry_history_and_assessment_basis(world: World, login_as: object, round_: ReportRound) -> None:
    _fill(round_, world)
    unit = units_of(world)[0]
    client: Client = login_as("reporter")  # type: ignore[operator]
    url = _entry_url(round_, unit.pk)
    client.post(
        url, {"physical_beds": "10", "staffed_beds": "9", "ventilated_beds": "6", "based_on": _opened(client, url)}
    )
    history = client.get(_entry_url(round_, unit.pk)).context["history"]
    assert [(h.staffed_beds, h.history_user) for h in history] == [(9, world["reporter"]), (8, None)]
    leader: Client = login_as("leader")  # type: ignore[operator]
    basis = leader.get(f"/capacity/rounds/{round_.pk}/assessment/?scenario=normal").context["basis"]
    assert {(r.row.label, r.row.category) for r in basis} == {
        ("Trust A1 HF", "K2"),
        ("Trust A1 HF", "K3"),
        ("Trust A2 HF", "K3"),
    }


def test_two_reporters_saving_the_same_cell_never_overwrite_each_other(
    world: World, login_as: object, round_: ReportRound
) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, physical_beds=10, staffed_beds=8)
    url = _entry_url(round_, unit.pk)
    client: Client = login_as("reporter")  # type: ignore[operator]
    first, second = _opened(client, url), _opened(client, url)  # two tabs, or two people of the unit
    assert client.post(url, {"physical_beds": "10", "staffed_beds": "9", "based_on": first}).status_code == 302

    response = client.post(
        url, {"physical_beds": "12", "staffed_beds": "6", "comment": "Mangler sykepleiere", "based_on": second}
    )
    assert response.status_code == 200
    assert CapacityEntry.objects.get().staffed_beds == 9  # the first save stands
    page = response.content.decode()
    assert 'id="conflict"' in page and 'id="conflict-values"' in page
    rows = {label: (saved, mine, differs) for label, saved, mine, differs in response.context["saved_values"]}
    label = {name: str(field.label) for name, field in response.context["form"].fields.items()}
    assert rows[label["staffed_beds"]] == ("9", "6", True)
    assert rows[label["physical_beds"]] == ("10", "12", True)
    assert rows[label["comment"]] == ("–", "Mangler sykepleiere", True)
    assert rows[label["ventilated_beds"]] == ("–", "–", False)
    # Saving again from the conflict page replaces the saved numbers knowingly.
    again = response.context["form"]["based_on"].value()
    assert again == CapacityEntry.objects.get().token
    response = client.post(url, {"physical_beds": "12", "staffed_beds": "6", "based_on": again})
    assert response.status_code == 302
    assert CapacityEntry.objects.get().staffed_beds == 6


def test_a_form_without_the_token_is_a_conflict_once_the_cell_is_saved(
    world: World, login_as: object, round_: ReportRound
) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, physical_beds=10, staffed_beds=8)
    client: Client = login_as("reporter")  # type: ignore[operator]
    response = client.post(_entry_url(round_, unit.pk), {"physical_beds": "10", "staffed_beds": "3"})
    assert response.status_code == 200 and response.context["conflict"] is not None
    assert CapacityEntry.objects.get().staffed_beds == 8


def test_two_corrections_of_a_closed_round_do_not_both_become_current(world: World, login_as: object) -> None:
    unit = units_of(world)[0]
    closed = make_round(world.region_a, status=ReportRound.Status.CLOSED)
    make_entry(closed, unit)
    url = _entry_url(closed, unit.pk)
    client: Client = login_as("reporter")  # type: ignore[operator]
    token = _opened(client, url)
    data = {"physical_beds": "10", "staffed_beds": "7", "correction_reason": "Tastefeil", "based_on": token}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "staffed_beds": "5"})
    assert response.status_code == 200 and response.context["conflict"].version == 2
    assert list(CapacityEntry.objects.order_by("version").values_list("version", "staffed_beds")) == [(1, 8), (2, 7)]


def test_the_grid_keeps_what_was_written_when_someone_saved_the_unit_first(
    world: World, login_as: object, round_: ReportRound
) -> None:
    unit = units_of(world)[0]
    make_entry(round_, unit, physical_beds=10, staffed_beds=8)
    url = f"/capacity/rounds/{round_.pk}/units/{unit.pk}/"
    cell = _entry_url(round_, unit.pk)
    client: Client = login_as("reporter")  # type: ignore[operator]
    grid_token = _opened(client, url)
    assert (
        client.post(cell, {"physical_beds": "10", "staffed_beds": "9", "based_on": _opened(client, cell)}).status_code
        == 302
    )

    data = {"K3__normal__physical_beds": "11", "K3__normal__staffed_beds": "11", "based_on": grid_token}
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["conflict"]
    assert 'id="conflict"' in response.content.decode()
    assert CapacityEntry.objects.get().staffed_beds == 9
    form = response.context["grid_form"]
    assert form["K3__normal__staffed_beds"].value() == "11"  # what the person wrote is still in the form
    response = client.post(url, {**data, "based_on": form["based_on"].value()})
    assert response.status_code == 302
    assert CapacityEntry.objects.get().staffed_beds == 11
