"""Situation reports (issue 21, item 7): occupied and staffed beds per unit and bed category right now, filed by a
trust's reporter in one short form (or by the trust's system through the API), audited, with its age shown
wherever it is used; the region's "now" view; measured occupancy for dimensioning."""

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from fagnett.capacity import calculations, selectors, services, situation_selectors
from fagnett.capacity.situation_models import SituationLine, SituationReport
from fagnett.capacity.situation_services import SituationInput, situation_report_file
from fagnett.capacity.templatetags.situation import age_text
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.organisations.models import Unit
from tests.factories import World

pytestmark = pytest.mark.django_db


def _file(world: World, unit: Unit, hours_ago: float = 0, **lines: tuple[int, int]) -> SituationReport:
    report = situation_report_file(
        user=world["reporter"],
        unit=unit,
        lines=[SituationInput(c, staffed, occupied) for c, (staffed, occupied) in lines.items()],
        filed_at=timezone.now() - datetime.timedelta(hours=hours_ago),
    )
    return report


# --- the service -------------------------------------------------------------------------------------------------


def test_a_report_is_saved_with_its_lines_and_audited(world: World) -> None:
    unit = units_of(world, 0)[0]
    report = situation_report_file(
        user=world["reporter"],
        unit=unit,
        lines=[SituationInput("K2", 4, 1), SituationInput("K3", 8, 6), SituationInput("K1", None, None)],
    )
    saved = [(x.category, x.staffed_beds, x.occupied_beds, x.available_beds) for x in report.lines.all()]
    assert saved == [("K2", 4, 1, 3), ("K3", 8, 6, 2)]  # the empty category is not part of the report: not zero
    assert report.filed_by == world["reporter"] and report.source == "web"
    created = report.history.get()
    assert created.history_type == "+" and created.history_user == world["reporter"]
    assert SituationLine.history.filter(report_id=report.pk, history_user=world["reporter"]).count() == 2


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([SituationInput("K3", 8, 9)], "K3: belagte senger (9) kan ikke være flere enn bemannede senger (8)"),
        ([SituationInput("K3", -1, 0)], "K3: antall senger kan ikke være negativt"),
        ([SituationInput("K3", 8, None)], "K3: fyll inn både bemannede og belagte senger, eller la begge stå tomme"),
        ([SituationInput("K3", None, None)], "Fyll inn sengene for minst én sengekategori"),
        ([SituationInput("K9", 1, 1)], "Ukjent sengekategori"),
        ([SituationInput("K3", 8, 1), SituationInput("K3", 8, 2)], "K3 er sendt to ganger"),
        ([SituationInput("K3", 501, 1)], "K3: høyst 500 senger"),
    ],
)
def test_bad_numbers_are_refused_with_a_clear_message_and_nothing_is_saved(
    world: World, lines: list[SituationInput], message: str
) -> None:
    with translation.override("nb"), pytest.raises(ValidationError) as refused:
        situation_report_file(user=world["reporter"], unit=units_of(world, 0)[0], lines=lines)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert not SituationReport.objects.exists() and not SituationLine.objects.exists()


def test_only_the_units_reporter_or_the_coordinator_files(world: World) -> None:
    other_trusts_unit = units_of(world, 1)[0]
    for person in ("reporter", "leader", "employee"):
        with pytest.raises(PermissionDenied):
            situation_report_file(user=world[person], unit=other_trusts_unit, lines=[SituationInput("K3", 4, 2)])
    situation_report_file(user=world["coordinator"], unit=other_trusts_unit, lines=[SituationInput("K3", 4, 2)])
    assert SituationReport.objects.count() == 1


# --- the age --------------------------------------------------------------------------------------------------------


def test_the_age_in_words_in_both_languages() -> None:
    now = timezone.now()
    with translation.override("nb"):
        assert age_text(now - datetime.timedelta(seconds=20), now) == "akkurat nå"
        # timesince keeps the number and its unit together with a no-break space
        assert age_text(now - datetime.timedelta(hours=2, minutes=10), now) == "for 2\xa0timer siden"
        assert age_text(now - datetime.timedelta(minutes=1), now) == "for 1\xa0minutt siden"
    with translation.override("en"):
        assert age_text(now - datetime.timedelta(hours=2, minutes=10), now) == "2\xa0hours ago"
        assert age_text(now - datetime.timedelta(days=3), now) == "3\xa0days ago"
    assert not situation_selectors.is_stale(now - datetime.timedelta(hours=23, minutes=59), now)
    assert situation_selectors.is_stale(now - datetime.timedelta(hours=24, minutes=1), now)


# --- the form -----------------------------------------------------------------------------------------------------


def test_the_form_asks_for_the_units_categories_with_a_numeric_keyboard_and_saves(world: World, login_as: Any) -> None:
    unit = units_of(world, 0)[0]
    round_ = make_round(world.region_a)
    make_entry(round_, unit, "K3", "normal", physical_beds=10, staffed_beds=8)
    make_entry(round_, unit, "K2", "normal", physical_beds=4, staffed_beds=3)
    make_entry(round_, unit, "K1", "normal", physical_beds=0, staffed_beds=0)  # the unit has no K1 beds
    client: Client = login_as("reporter")
    url = f"/capacity/situation/units/{unit.pk}/"
    html = client.get(url).content.decode()
    assert 'name="K3-staffed_beds"' in html and 'name="K2-occupied_beds"' in html
    assert "K1-staffed_beds" not in html
    assert html.count('inputmode="numeric"') == 4
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]  # a plain form: works without JavaScript

    # Occupied above staffed: the form again with the message, nothing saved.
    response = client.post(url, {"K3-staffed_beds": "8", "K3-occupied_beds": "9", "K2-staffed_beds": "3"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Belagte senger, K3: Belagte senger (9) kan ikke være flere enn bemannede senger (8)." in text
    assert "Belagte senger, K2: Fyll inn både bemannede og belagte senger, eller la begge stå tomme." in text
    assert "Ingenting ble lagret" in text
    response = client.post(url, {"K3-staffed_beds": "-2", "K3-occupied_beds": "x"})
    text = response.content.decode()
    assert "Antall senger kan ikke være negativt." in text and "Skriv et helt tall, for eksempel 8." in text
    assert not SituationReport.objects.exists()

    response = client.post(url, {"K3-staffed_beds": "8", "K3-occupied_beds": "6", "K2-staffed_beds": ""})
    assert response.status_code == 302 and response["Location"] == "/capacity/situation/"
    report = SituationReport.objects.get()
    assert [(x.category, x.staffed_beds, x.occupied_beds) for x in report.lines.all()] == [("K3", 8, 6)]
    listing = client.get("/capacity/situation/").content.decode()
    assert "Situasjonsrapporten for" in listing and "akkurat nå" in listing
    assert f'datetime="{timezone.localtime(report.filed_at).isoformat()}"' in listing

    # The next form starts from this report: its categories and numbers.
    html = client.get(url).content.decode()
    assert 'name="K3-staffed_beds" value="8"' in html and 'name="K3-occupied_beds" value="6"' in html
    assert "K2-staffed_beds" not in html
    assert "Fylt inn med den siste rapporten" in html


def test_a_unit_without_any_report_asks_for_every_category(world: World, login_as: Any) -> None:
    unit = units_of(world, 0)[0]
    html = login_as("reporter").get(f"/capacity/situation/units/{unit.pk}/").content.decode()
    assert all(f'name="{c}-staffed_beds"' in html for c in ("K1", "K2", "K3"))


def test_other_peoples_units_are_not_found(world: World, login_as: Any) -> None:
    other = units_of(world, 1)[0]
    reporter = login_as("reporter")
    assert reporter.get(f"/capacity/situation/units/{other.pk}/").status_code == 404
    assert reporter.post(f"/capacity/situation/units/{other.pk}/", {"K3-staffed_beds": "1"}).status_code == 404
    listing = reporter.get("/capacity/situation/").content.decode()
    assert units_of(world, 0)[0].name in listing and other.name not in listing
    assert login_as("employee").get(f"/capacity/situation/units/{other.pk}/").status_code == 404
    assert not SituationReport.objects.exists()


# --- the "now" view -----------------------------------------------------------------------------------------------


def test_the_now_view_totals_only_reported_units_with_their_age_and_completeness(world: World, login_as: Any) -> None:
    a1, a2 = units_of(world, 0)[0], units_of(world, 1)[0]
    neonatal = Unit.objects.create(hospital=a1.hospital, name="Nyfødt intensiv", age_group=Unit.AgeGroup.NEONATAL)
    _file(world, a1, hours_ago=2.2, K3=(8, 6), K2=(4, 1))
    situation_report_file(
        user=world["coordinator"],
        unit=a2,
        lines=[SituationInput("K3", 5, 5)],
        filed_at=timezone.now() - datetime.timedelta(hours=30),
    )
    situation_report_file(user=world["coordinator"], unit=neonatal, lines=[SituationInput("K3", 6, 2)])
    data = situation_selectors.situation_now(region=world.region_a)
    assert (data.total.reported, data.total.expected, data.total.stale) == (2, 3, 1)
    k3 = data.total.totals[2]
    assert (k3.staffed, k3.occupied, k3.available) == (13, 11, 2)  # the neonatal unit's 6 beds are not added
    assert data.total.totals[0].staffed is None  # nobody reported K1: "–", not 0

    html = login_as("leader").get(f"/capacity/regions/{world.region_a.pk}/now/").content.decode()
    assert "2 av 3 enheter har en situasjonsrapport" in html
    assert "Én av dem er eldre enn 24 timer" in html
    assert "for 2\xa0timer siden" in html and "for 1\xa0dag siden" in html
    assert html.count("data-stale") >= 2  # the unit's row and its trust's oldest report
    assert "Nyfødt intensiv" not in html and "definert for voksne" in html
    neonatal_html = login_as("leader").get(f"/capacity/regions/{world.region_a.pk}/now/?group=neonatal").content
    assert "1 av 1 enhet har en situasjonsrapport" in neonatal_html.decode()


def test_the_now_view_is_the_regions_own(world: World, login_as: Any) -> None:
    assert login_as("leader").get(f"/capacity/regions/{world.region_b.pk}/now/").status_code == 404
    assert login_as("reporter").get(f"/capacity/regions/{world.region_a.pk}/now/").status_code == 200


def test_the_now_view_and_the_list_run_the_same_queries_however_many_units_and_reports(
    world: World, login_as: Any
) -> None:
    client = login_as("coordinator")
    now_url = f"/capacity/regions/{world.region_a.pk}/now/"

    def count(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _file(world, units_of(world, 0)[0], K3=(8, 6))
    few = (count(now_url), count("/capacity/situation/"))
    for index, trust in enumerate(world.trusts_a):
        for n in range(3):
            unit = Unit.objects.create(hospital=trust.hospitals.first(), name=f"Intensiv {index}-{n}")
            for hours in (1, 30, 50):
                situation_report_file(
                    user=world["coordinator"],
                    unit=unit,
                    lines=[SituationInput("K3", 6, 3), SituationInput("K2", 3, 1)],
                    filed_at=timezone.now() - datetime.timedelta(hours=hours),
                )
    assert (count(now_url), count("/capacity/situation/")) == few


# --- the API --------------------------------------------------------------------------------------------------------


@pytest.fixture
def key(world: World) -> str:
    _token, raw = services.api_token_create(user=world["coordinator"], trust=world.trusts_a[0], name="EPJ")
    return raw


def _post(client: Client, key: str, body: Any) -> Any:
    return client.post(
        "/api/capacity/situation-reports",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_a_hospital_system_posts_a_situation_report(world: World, client: Client, key: str) -> None:
    unit = units_of(world, 0)[0]
    body = {"unit_id": unit.pk, "lines": [{"category": "K3", "staffed_beds": 8, "occupied_beds": 7}]}
    response = _post(client, key, body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["lines"] == [{"category": "K3", "staffed_beds": 8, "occupied_beds": 7, "available_beds": 1}]
    assert out["stale"] is False
    report = SituationReport.objects.get()
    assert report.source == "api" and report.api_token is not None and report.filed_by is None
    assert report.history.count() == 1
    latest = client.get("/api/capacity/situation-reports/latest", headers={"Authorization": f"Bearer {key}"})
    assert [r["id"] for r in latest.json()] == [report.pk]


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([{"category": "K3", "staffed_beds": 8, "occupied_beds": 9}], 400),
        ([{"category": "K3", "staffed_beds": -1, "occupied_beds": 0}], 422),
        ([{"category": "K3", "staffed_beds": 4, "occupied_beds": 1}] * 2, 400),
        ([], 422),
    ],
)
def test_bad_api_reports_save_nothing(world: World, client: Client, key: str, lines: Any, status: int) -> None:
    response = _post(client, key, {"unit_id": units_of(world, 0)[0].pk, "lines": lines})
    assert response.status_code == status, response.content
    assert not SituationReport.objects.exists()


def test_the_api_refuses_another_trusts_unit(world: World, client: Client, key: str) -> None:
    body = {"unit_id": units_of(world, 1)[0].pk, "lines": [{"category": "K3", "staffed_beds": 8, "occupied_beds": 7}]}
    assert _post(client, key, body).status_code == 403
    assert not SituationReport.objects.exists()


# --- measured occupancy for dimensioning ------------------------------------------------------------------------


def test_dimensioning_measures_occupancy_from_the_situation_reports_when_they_exist(
    world: World, login_as: Any
) -> None:
    unit = units_of(world, 0)[0]
    today = timezone.localdate()
    round_ = make_round(world.region_a, period_start=today - datetime.timedelta(days=20))
    make_entry(round_, unit, "K3", "normal", physical_beds=12, staffed_beds=10, occupancy_mean=50)
    client = login_as("leader")
    url = f"/capacity/rounds/{round_.pk}/dimensioning/?level=unit"
    k3 = next(r for r in client.get(url).context["results"] if r.row.category == "K3")
    assert k3.row.measured_source == selectors.MEASURED_FROM_ROUNDS and k3.row.measured.mean == 5.0

    noon = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    for days_ago, occupied in ((3, 6), (2, 9), (1, 7)):
        when = noon - datetime.timedelta(days=days_ago)
        # An earlier report the same day is replaced by the day's latest one.
        situation_report_file(user=world["reporter"], unit=unit, lines=[SituationInput("K3", 10, 1)], filed_at=when)
        situation_report_file(
            user=world["reporter"],
            unit=unit,
            lines=[SituationInput("K3", 10, occupied)],
            filed_at=when + datetime.timedelta(hours=1),
        )
    response = client.get(url)
    k3 = next(r for r in response.context["results"] if r.row.category == "K3")
    assert k3.row.measured_source == selectors.MEASURED_FROM_SITUATION
    # Days 6, 9, 7: mean 7.33; 90th percentile at rank 1.8 of 6, 7, 9 → 7 + 0.8 × 2 = 8.6.
    assert k3.row.measured == calculations.Measured(mean=pytest.approx(22 / 3), p90=pytest.approx(8.6), samples=3)
    html = response.content.decode()
    assert "7,3 / 8,6" in html and "situasjonsrapporter, 3 dager" in html
    # ... with the age of the newest report behind it (yesterday, 13:00).
    source = html[html.index('data-measured="situation"') :].split("</span>\n")[0]
    newest = timezone.localtime(noon - datetime.timedelta(days=1, hours=-1))
    assert "siste rapport" in source and f'<time datetime="{newest.isoformat()}"' in source, source
    # Another scenario still uses the rounds.
    surge = client.get(url + "&scenario=low_activity").context["results"]
    assert all(r.row.measured_source != selectors.MEASURED_FROM_SITUATION for r in surge)
