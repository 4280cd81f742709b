"""Patient groups (issue 21, item 2): ICU units are adult, paediatric, neonatal or mixed; every capacity view and
calculation shows one group — adult units by default, as the mandate's bed categories are defined for adults — and
sums beds of several groups only when the person chooses "all groups", which the page then says."""

import csv
import importlib
import io

import pytest
from django.test import Client
from django.utils import translation
from docx import Document

from fagnett.capacity import documents, selectors, services
from fagnett.capacity.models import ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.organisations.models import Unit
from tests.factories import Migrator, World, make_world

pytestmark = pytest.mark.django_db

migration = importlib.import_module("fagnett.organisations.migrations.0005_unit_age_group_mixed_and_names")


@pytest.fixture
def groups(world: World) -> tuple[ReportRound, Unit, Unit]:
    """Trust A1's hospital has its adult ICU (8 staffed K3 beds) and a neonatal ICU (5 staffed K3 beds); the other
    trusts' adult units have not reported."""
    adult = units_of(world, 0)[0]
    neonatal = Unit.objects.create(
        hospital=adult.hospital, name="Nyfødt intensiv", age_group=Unit.AgeGroup.NEONATAL, kind=Unit.Kind.ICU
    )
    round_ = make_round(world.region_a)
    make_entry(round_, adult, "K3", "normal", physical_beds=10, staffed_beds=8, admissions=180, mean_length_of_stay=4)
    make_entry(round_, neonatal, "K3", "normal", physical_beds=6, staffed_beds=5, admissions=90, mean_length_of_stay=6)
    return round_, adult, neonatal


def test_the_dashboard_shows_adult_units_by_default_and_says_why(
    groups: tuple[ReportRound, Unit, Unit], login_as: object
) -> None:
    round_, _adult, _neonatal = groups
    client: Client = login_as("director")  # type: ignore[operator]
    response = client.get(f"/capacity/rounds/{round_.pk}/dashboard/")
    data = response.context["data"]
    assert data.group == "adult"
    # The neonatal unit's 5 beds are not in the region's adult K3 figure, nor in its trust's or hospital's.
    assert data.region_row.by_category["K3"].staffed == 8
    assert data.trusts[0].by_category["K3"].staffed == 8
    assert [h.by_category["K3"].staffed for h in data.hospitals if h.label == _adult.hospital.name] == [8]
    assert data.trend[-1].staffed["K3"] == 8
    html = response.content.decode()
    assert "sengekategoriene i mandatet er definert for voksne" in html
    assert f'href="/capacity/rounds/{round_.pk}/export.csv?group=adult"' in html


def test_each_group_on_its_own_and_all_groups_only_when_chosen(
    groups: tuple[ReportRound, Unit, Unit], login_as: object
) -> None:
    round_, _adult, _neonatal = groups
    client: Client = login_as("director")  # type: ignore[operator]
    neonatal = client.get(f"/capacity/rounds/{round_.pk}/dashboard/?group=neonatal").context["data"]
    assert neonatal.region_row.by_category["K3"].staffed == 5 and neonatal.trend[-1].staffed["K3"] == 5
    paediatric = client.get(f"/capacity/rounds/{round_.pk}/dashboard/?group=paediatric").context["data"]
    assert paediatric.region_row.by_category["K3"].staffed is None  # no unit of the group: "–", not 0
    response = client.get(f"/capacity/rounds/{round_.pk}/dashboard/?group=all")
    assert response.context["data"].region_row.by_category["K3"].staffed == 13
    assert "Alle pasientgrupper er summert" in response.content.decode()
    # An unknown group is the default, not an error and not everything.
    assert client.get(f"/capacity/rounds/{round_.pk}/dashboard/?group=x").context["data"].group == "adult"


def test_completeness_counts_the_units_of_the_chosen_group(groups: tuple[ReportRound, Unit, Unit]) -> None:
    round_, _adult, _neonatal = groups
    adult = selectors.round_figures(round_=round_)
    # Three trusts with an adult unit each, one reported; the neonatal unit is not expected among adult units.
    assert (adult.region.reported, adult.region.expected) == (1, 3)
    neonatal = selectors.round_figures(round_=round_, group="neonatal")
    assert (neonatal.region.reported, neonatal.region.expected) == (1, 1)
    assert [t.expected for t in neonatal.trusts] == [1, 0, 0]
    everything = selectors.round_figures(round_=round_, group="all")
    assert (everything.region.reported, everything.region.expected) == (2, 4)
    cells = selectors.CELLS_PER_UNIT
    compliance = selectors.compliance(round_=round_)
    assert [(r.expected, r.reported) for r in compliance.rows] == [(cells, 1), (cells, 0), (cells, 0)]
    compliance = selectors.compliance(round_=round_, group="neonatal")
    assert [(r.expected, r.reported) for r in compliance.rows] == [(cells, 1), (0, 0), (0, 0)]


def test_the_other_pages_and_the_export_follow_the_group(
    world: World, groups: tuple[ReportRound, Unit, Unit], login_as: object
) -> None:
    round_, adult, neonatal = groups
    client: Client = login_as("leader")  # type: ignore[operator]
    base = f"/capacity/rounds/{round_.pk}"
    k3 = [r for r in client.get(f"{base}/dimensioning/?level=region").context["results"] if r.row.category == "K3"]
    assert [(r.row.staffed, r.row.load) for r in k3] == [(8, pytest.approx(8.0))]
    k3 = list(client.get(f"{base}/dimensioning/?level=region&group=neonatal").context["results"])
    assert [(r.row.staffed, r.row.load) for r in k3] == [(5, pytest.approx(6.0))]
    basis = client.get(f"{base}/assessment/").context["basis"]
    assert sum(r.row.staffed for r in basis) == 8
    compliance = client.get(f"{base}/compliance/?group=neonatal")
    assert compliance.context["figures"].region.expected == 1
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/export.csv").content.decode("utf-8-sig")), delimiter=";"))
    assert {row[2] for row in rows[1:]} == {adult.name, *(u.name for i in (1, 2) for u in units_of(world, i))}
    assert {row[rows[0].index("age_group")] for row in rows[1:]} == {"adult"}
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"{base}/export.csv?group=neonatal").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert [row[2] for row in rows[1:]] == [neonatal.name]


def test_the_round_page_lists_every_unit_with_its_group_and_filters_when_asked(
    groups: tuple[ReportRound, Unit, Unit], login_as: object
) -> None:
    round_, adult, neonatal = groups
    client: Client = login_as("coordinator")  # type: ignore[operator]
    rows = client.get(f"/capacity/rounds/{round_.pk}/").context["unit_rows"]
    assert {unit.pk for unit, _count in rows} >= {adult.pk, neonatal.pk}
    rows = client.get(f"/capacity/rounds/{round_.pk}/?group=neonatal").context["unit_rows"]
    assert [(unit.pk, count) for unit, count in rows] == [(neonatal.pk, 1)]


def test_the_recommendation_is_of_one_group_and_says_which(groups: tuple[ReportRound, Unit, Unit]) -> None:
    round_, _adult, _neonatal = groups
    with translation.override("en"):
        report = documents.recommendation_data(round_=round_)
        assert report.dashboard.region_row.by_category["K3"].staffed == 8
        assert "the bed categories of the mandate are defined for adults" in report.completeness_text
        text = "\n".join(p.text for p in Document(io.BytesIO(documents.recommendation_docx(report))).paragraphs)
        assert "defined for adults" in text
        summed = documents.recommendation_data(round_=round_, group="all")
        assert summed.dashboard.region_row.by_category["K3"].staffed == 13
        assert "All patient groups are summed" in summed.completeness_text


def test_the_api_lists_filter_by_age_group(world: World, groups: tuple[ReportRound, Unit, Unit]) -> None:
    round_, adult, neonatal = groups
    _token, key = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ")
    headers = {"Authorization": f"Bearer {key}"}
    client = Client()
    units = client.get("/api/capacity/units", headers=headers).json()
    assert {u["id"] for u in units} == {adult.pk, neonatal.pk}  # without the parameter: every unit of the trust
    units = client.get("/api/capacity/units?age_group=neonatal", headers=headers).json()
    assert [(u["id"], u["age_group"]) for u in units] == [(neonatal.pk, "neonatal")]
    entries = client.get(f"/api/capacity/rounds/{round_.pk}/entries?age_group=adult", headers=headers).json()
    assert [e["unit_id"] for e in entries] == [adult.pk]
    assert client.get("/api/capacity/units?age_group=elderly", headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("Intensivavdelingen, St. Olavs hospital", "adult"),
        ("Nyfødt intensiv, St. Olavs hospital", "neonatal"),
        ("Nyfødtintensiv Bodø", "neonatal"),
        ("Neonatal intensive care", "neonatal"),
        ("Barneintensiv, UNN Tromsø", "paediatric"),
        ("Intensiv for barn og unge", "paediatric"),
        ("Intensiv/overvåkning, Kristiansund", "adult"),
    ],
)
def test_the_migration_reads_the_group_from_the_name(name: str, group: str) -> None:
    assert migration.age_group_for(name, "adult") == group
    assert migration.age_group_for(name, "mixed") == "mixed"  # a group already set is kept


@pytest.mark.migrations
def test_the_migration_sets_existing_units_and_leaves_the_rest_adult(migrator: Migrator) -> None:
    world = make_world()  # made with today's models, before going back (they have columns the old tables lack)
    first = units_of(world, 0)[0]
    hospital_id = first.hospital_id
    old = migrator.to(("organisations", "0004_org_number_resh_id"))
    OldUnit = old.get_model("organisations", "Unit")
    OldUnit.objects.create(hospital_id=hospital_id, name="Nyfødt intensiv")  # the old default: adult
    OldUnit.objects.create(hospital_id=hospital_id, name="Barneintensiv")
    OldUnit.objects.create(hospital_id=hospital_id, name="Nyfødt og barn", age_group="paediatric")  # set: kept
    migrator.to_latest()
    found = dict(Unit.objects.filter(hospital_id=hospital_id).values_list("name", "age_group"))
    assert found == {
        first.name: "adult",
        "Nyfødt intensiv": "neonatal",
        "Barneintensiv": "paediatric",
        "Nyfødt og barn": "paediatric",
    }
    assert Unit._meta.get_field("age_group").default == "adult"
    assert "mixed" in Unit.AgeGroup.values
