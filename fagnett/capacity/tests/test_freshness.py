"""A round's figures, trend and dimensioning are kept in the worker per round (``capacity.freshness`` on
``core.freshness``), and any change the pages show is seen on the next request (issue 23).

Each change below is one the dashboard or the dimensioning page shows — made through a service, ``save()``,
``QuerySet.update()``, a delete, hand-written SQL, on another connection — after the page was opened twice (the
second time from what the worker kept). The page after it must be exactly the page computed afresh, and must
differ from the page before where the change shows (so each case can fail).

These tests commit (``transaction=True``), as requests do: a connection that has written in a transaction still
open keeps nothing (``core.freshness``), so inside a test's transaction nothing would be kept to be stale.
"""

import datetime
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.capacity import freshness, selectors, services
from fagnett.capacity.models import CapacityChange, CapacityEntry, ReportRound, UnitProfile
from fagnett.capacity.situation_services import SituationInput, situation_report_file
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.organisations.models import HealthTrust, Hospital, Unit
from tests.factories import World

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {"dashboard": "dashboard/", "dimensioning": "dimensioning/?level=unit"}


@dataclass
class Rounds:
    world: World
    earlier: ReportRound
    current: ReportRound
    units: list[Unit]  # one of each trust of region A

    def url(self, page: str) -> str:
        return f"/capacity/rounds/{self.current.pk}/{PAGES[page]}"


@pytest.fixture
def rounds(world: World) -> Rounds:
    selectors.forget_kept()
    today = timezone.localdate()
    earlier = make_round(world.region_a, name="Forrige", period_start=today - datetime.timedelta(days=120))
    current = make_round(world.region_a, name="Denne", period_start=today - datetime.timedelta(days=20))
    units = [units_of(world, i)[0] for i in range(3)]
    for unit in units[:2]:
        make_entry(earlier, unit, "K3", "normal", staffed_beds=6, admissions=90, mean_length_of_stay=3)
    make_entry(current, units[0], "K3", "normal", staffed_beds=8, admissions=180, mean_length_of_stay=4)
    make_entry(current, units[0], "K2", "normal", physical_beds=6, staffed_beds=5, occupancy_mean=70)
    return Rounds(world, earlier, current, units)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # What differs from request to request whatever the figures: tokens, nonces, a situation report's age.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r"(<time [^>]*>)[^<]*(</time>)", r"\1\2", html)


def _fresh(client: Client, url: str) -> str:
    selectors.forget_kept()  # another worker, which has kept nothing
    return _page(client, url)


# --- The changes ----------------------------------------------------------------------------------------------------


def _reported_through_the_service(r: Rounds) -> None:
    services.capacity_entry_submit(
        user=r.world["coordinator"],
        round_=r.current,
        unit=Unit.objects.select_related("hospital__trust").get(pk=r.units[1].pk),
        category="K3",
        scenario="normal",
        values={"physical_beds": 9, "staffed_beds": 7, "admissions": 100, "mean_length_of_stay": 2},
    )


def _an_entry_saved(r: Rounds) -> None:
    make_entry(r.current, r.units[2], "K3", "normal", staffed_beds=3, admissions=30, mean_length_of_stay=2)


def _staffed_beds_updated(r: Rounds) -> None:
    CapacityEntry.objects.filter(round=r.current, unit=r.units[0], category="K3").update(staffed_beds=9)


def _an_entry_deleted(r: Rounds) -> None:
    CapacityEntry.objects.filter(round=r.current, unit=r.units[0], category="K2").delete()


def _staffed_beds_in_hand_written_sql(r: Rounds) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CapacityEntry._meta.db_table} SET staffed_beds = %s WHERE round_id = %s AND category = %s",  # noqa: S608 — the model's table
            [2, r.current.pk, "K3"],
        )


def _on_another_connection(r: Rounds) -> None:
    """Another app server's write: its own connection, not this one's."""

    def write() -> None:
        try:
            CapacityEntry.objects.filter(round=r.current, category="K3").update(staffed_beds=1)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


def _an_earlier_report_changed(r: Rounds) -> None:
    CapacityEntry.objects.filter(round=r.earlier, unit=r.units[1]).update(staffed_beds=4)


def _the_earlier_round_renamed(r: Rounds) -> None:
    ReportRound.objects.filter(pk=r.earlier.pk).update(name="Sommeren")


def _a_hospital_renamed(r: Rounds) -> None:
    hospital = Hospital.objects.get(pk=r.units[0].hospital_id)
    hospital.name = "Nytt navn sykehus"
    hospital.save()


def _a_trusts_population(r: Rounds) -> None:
    HealthTrust.objects.filter(pk=r.world.trusts_a[0].pk).update(population=250_000)


def _a_unit_closed(r: Rounds) -> None:
    Unit.objects.filter(pk=r.units[2].pk).update(active=False)


def _a_situation_report(r: Rounds) -> None:
    situation_report_file(
        user=r.world["reporter"],
        unit=Unit.objects.select_related("hospital__trust").get(pk=r.units[0].pk),
        lines=[SituationInput("K3", 8, 7)],
    )


CHANGES: dict[str, tuple[Callable[[Rounds], None], tuple[str, ...]]] = {
    # name: (the change, the pages that show it)
    "an entry reported through the service": (_reported_through_the_service, ("dashboard", "dimensioning")),
    "an entry saved": (_an_entry_saved, ("dashboard", "dimensioning")),
    "staffed beds changed (QuerySet.update)": (_staffed_beds_updated, ("dashboard", "dimensioning")),
    "an entry deleted": (_an_entry_deleted, ("dashboard", "dimensioning")),
    "staffed beds changed in hand-written SQL": (_staffed_beds_in_hand_written_sql, ("dashboard", "dimensioning")),
    "staffed beds changed by another app server": (_on_another_connection, ("dashboard", "dimensioning")),
    "an earlier report changed": (_an_earlier_report_changed, ("dashboard", "dimensioning")),
    "the earlier round renamed": (_the_earlier_round_renamed, ("dashboard", "dimensioning")),
    "a hospital renamed": (_a_hospital_renamed, ("dashboard", "dimensioning")),  # the hospitals to pool
    "a trust's population changed": (_a_trusts_population, ("dashboard",)),
    "a unit closed": (_a_unit_closed, ("dashboard", "dimensioning")),
    "a situation report filed": (_a_situation_report, ("dimensioning",)),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_shows_on_the_next_request(name: str, rounds: Rounds, client: Client) -> None:
    change, shows_on = CHANGES[name]
    client.force_login(rounds.world["leader"])
    before = {page: _page(client, rounds.url(page)) for page in PAGES}
    assert {page: _page(client, rounds.url(page)) for page in PAGES} == before  # the second time, kept

    change(rounds)

    for page in PAGES:
        after = _page(client, rounds.url(page))
        assert after == _fresh(client, rounds.url(page)), page
        assert (after != before[page]) == (page in shows_on), page


def test_a_second_opening_reads_the_key_and_no_figures(rounds: Rounds, client: Client) -> None:
    client.force_login(rounds.world["leader"])
    for page in PAGES:
        url = rounds.url(page)
        first = _page(client, url)
        with CaptureQueriesContext(connection) as queries:
            assert _page(client, url) == first
        read = {t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN) "?(\w+)"?', q["sql"])}
        assert CapacityChange._meta.db_table in read, page
        assert not read & {CapacityEntry._meta.db_table, Unit._meta.db_table, "capacity_situationline"}, read
    # The key and the round: the page's own queries besides the session's, the person's and the round's.
    with CaptureQueriesContext(connection) as queries:
        client.get(rounds.url("dashboard"))
    assert len([q for q in queries.captured_queries if "capacity_capacitychange" in q["sql"]]) == 1


def test_figures_computed_in_a_transaction_that_wrote_are_not_kept(rounds: Rounds, client: Client) -> None:
    """A rollback takes the write back and the key with it: the next write brings the key to the same value."""
    client.force_login(rounds.world["leader"])
    url = rounds.url("dashboard")
    _page(client, url)
    with transaction.atomic():
        _staffed_beds_updated(rounds)  # 9 K3 beds, seen only inside
        inside = _page(client, url)
        transaction.set_rollback(True)
    _an_entry_saved(rounds)  # another change: the key is where it was inside the rolled-back transaction
    after = _page(client, url)
    assert after == _fresh(client, url)
    assert after != inside


def test_writes_elsewhere_and_opening_the_pages_do_not_move_the_key(rounds: Rounds, client: Client) -> None:
    before = freshness.CAPACITY.key()
    client.force_login(rounds.world["leader"])
    for page in PAGES:
        _page(client, rounds.url(page))
    UnitProfile.objects.create(unit=rounds.units[0], ecmo=True)  # capacity's, but no figure reads it
    User.objects.filter(pk=rounds.world["leader"].pk).update(first_name="Kari")
    assert freshness.CAPACITY.key() == before
    _an_entry_saved(rounds)
    assert freshness.CAPACITY.key() == before + 1  # type: ignore[operator]


def test_the_key_never_goes_back_when_the_changes_are_folded(rounds: Rounds) -> None:
    _an_entry_saved(rounds)
    before = freshness.CAPACITY.key()
    assert CapacityChange.objects.count() > 1
    freshness.CAPACITY.fold()
    assert CapacityChange.objects.count() == 1
    assert freshness.CAPACITY.key() == before
    _a_unit_closed(rounds)
    assert freshness.CAPACITY.key() == before + 1  # type: ignore[operator]


def test_every_table_the_kept_figures_read_is_watched(rounds: Rounds) -> None:
    """If the figures come to read another table, it must be one whose writes move the key."""
    _a_situation_report(rounds)
    current = ReportRound.objects.select_related("region").get(pk=rounds.current.pk)
    selectors.forget_kept()
    with CaptureQueriesContext(connection) as queries:
        for group in (selectors.DEFAULT_GROUP, selectors.ALL_GROUPS):
            for scenario in ("normal", "max_surge"):
                selectors.dashboard(round_=current, scenario=scenario, group=group)
                for level in selectors.LEVELS:
                    selectors.dimensioning(round_=current, level=level, scenario=scenario, group=group)
    read = {t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN) "?(\w+)"?', q["sql"])}
    assert {"capacity_capacityentry", "capacity_situationline", "organisations_unit"} <= read
    watched = {*freshness.source_tables(), CapacityChange._meta.db_table}
    assert read <= watched, read - watched
