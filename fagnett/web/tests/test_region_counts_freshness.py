"""The region panel's network counts are kept in the worker per (regions, day) (``networks.freshness`` on
``core.freshness``), and any change they count is seen on the next request (issue 23).

Each change below is one the coordinator's panel counts — made through ``save()``, ``QuerySet.update()``, a delete,
hand-written SQL, on another connection — after the counts were read twice (the second time from what the worker
kept). The counts after it must be exactly the counts made afresh, and must differ from the counts before (so each
case can fail).

These tests commit (``transaction=True``), as requests do: a connection that has written in a transaction still
open keeps nothing (``core.freshness``), so inside a test's transaction nothing would be kept to be stale.
"""

import datetime
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.meetings.models import Meeting
from fagnett.networks import freshness, selectors
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network, NetworkChange
from fagnett.organisations.models import HealthTrust
from fagnett.reports.models import NetworkReport
from tests.factories import World, appoint, make_mandate, make_trust, make_user

pytestmark = pytest.mark.django_db(transaction=True)

WHEN = selectors.RegionYear(today=datetime.date(2026, 7, 1))


@dataclass
class Region:
    world: World
    planned: Meeting

    def counts(self) -> dict[str, int]:
        return selectors.network_concern_counts(user=self.world["coordinator"], when=WHEN)

    def fresh(self) -> dict[str, int]:
        freshness.NETWORKS.forget()  # another worker, which has kept nothing
        return self.counts()


@pytest.fixture
def region(world: World) -> Region:
    """Region A on 1 July 2026: the network behind its minimum of four meetings a year and with every trust of the
    region appointed; the other network's mandate ending within the 90 days, and no secretary; no annual report
    for 2025."""
    freshness.NETWORKS.forget()
    make_mandate(world.network, period_start=datetime.date(2026, 1, 1), min_meetings_per_year=4)
    make_mandate(world.other_network, period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2026, 8, 1))
    for trust in world.trusts_a:
        appoint(world.network, make_user(trust=trust))
    start = datetime.datetime(2026, 3, 2, 12, tzinfo=timezone.get_default_timezone())
    planned = Meeting.objects.create(
        network=world.network, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status="planned"
    )
    return Region(world, planned)


# --- The changes ----------------------------------------------------------------------------------------------------


def _a_meeting_held(r: Region) -> None:
    start = datetime.datetime(2026, 2, 2, 12, tzinfo=timezone.get_default_timezone())
    Meeting.objects.create(
        network=r.world.network, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status="held"
    )


def _a_meetings_status_updated(r: Region) -> None:
    Meeting.objects.filter(pk=r.planned.pk).update(status="held")


def _a_network_paused(r: Region) -> None:
    network = Network.objects.get(pk=r.world.other_network.pk)
    network.status = Network.Status.PAUSED
    network.save()


def _a_mandate_extended(r: Region) -> None:
    Mandate.objects.filter(network=r.world.other_network).update(period_end=datetime.date(2029, 12, 31))


def _a_secretary_appointed(r: Region) -> None:
    appoint(r.world.other_network, make_user(trust=r.world.trusts_a[0]), AppointmentRole.SECRETARY)


def _the_secretary_removed(r: Region) -> None:
    Appointment.objects.filter(network=r.world.network, role=AppointmentRole.SECRETARY).delete()


def _a_trust_added(r: Region) -> None:
    make_trust(r.world.region_a)


def _a_report_submitted(r: Region) -> None:
    NetworkReport.objects.create(network=r.world.network, year=2025, status=NetworkReport.Status.SUBMITTED)


def _the_minimum_in_hand_written_sql(r: Region) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Mandate._meta.db_table} SET min_meetings_per_year = %s WHERE network_id = %s",  # noqa: S608 — the model's table
            [0, r.world.network.pk],
        )


def _on_another_connection(r: Region) -> None:
    """Another app server's write: its own connection, not this one's."""

    def write() -> None:
        try:
            HealthTrust.objects.filter(pk=r.world.trust_b.pk).update(region=r.world.region_a)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


CHANGES: dict[str, Callable[[Region], None]] = {
    "a meeting held (save)": _a_meeting_held,
    "a meeting's status (QuerySet.update)": _a_meetings_status_updated,
    "a network paused (save, with its history)": _a_network_paused,
    "a mandate extended (QuerySet.update)": _a_mandate_extended,
    "a secretary appointed": _a_secretary_appointed,
    "the secretary's appointment deleted": _the_secretary_removed,
    "a trust added to the region": _a_trust_added,
    "an annual report submitted": _a_report_submitted,
    "the minimum in hand-written SQL": _the_minimum_in_hand_written_sql,
    "a trust moved to the region by another app server": _on_another_connection,
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_shows_on_the_next_request(name: str, region: Region) -> None:
    before = region.counts()
    assert region.counts() == before  # the second time, kept
    CHANGES[name](region)
    after = region.counts()
    assert after == region.fresh()
    assert after != before


def test_a_second_reading_reads_the_key_and_no_network(region: Region) -> None:
    first = region.counts()
    with CaptureQueriesContext(connection) as queries:
        assert region.counts() == first
    assert [q["sql"] for q in queries.captured_queries if NetworkChange._meta.db_table not in q["sql"]] == []
    assert len(queries.captured_queries) == 1


def test_the_counts_are_kept_per_regions_and_day(region: Region) -> None:
    world = region.world
    january = selectors.RegionYear(today=datetime.date(2026, 1, 15))  # no meeting expected by then
    mine = region.counts()
    theirs = selectors.network_concern_counts(user=world["coordinator_b"], when=WHEN)
    earlier = selectors.network_concern_counts(user=world["coordinator"], when=january)
    assert theirs != mine and earlier != mine
    freshness.NETWORKS.forget()
    assert theirs == selectors.network_concern_counts(user=world["coordinator_b"], when=WHEN)
    assert earlier == selectors.network_concern_counts(user=world["coordinator"], when=january)


def test_writes_elsewhere_do_not_move_the_key(region: Region) -> None:
    before = freshness.NETWORKS.key()
    region.counts()
    User.objects.filter(pk=region.world["coordinator"].pk).update(first_name="Kari")
    assert freshness.NETWORKS.key() == before
    _a_trust_added(region)  # a trust, its hospital and its unit: only the trust is counted
    assert freshness.NETWORKS.key() == before + 1  # type: ignore[operator]


def test_every_table_the_counts_read_is_watched(region: Region) -> None:
    """If the counts come to read another table, it must be one whose writes move the key."""
    freshness.NETWORKS.forget()
    access_for(region.world["coordinator"])  # the person's access is read once, kept apart (fagnett.access)
    with CaptureQueriesContext(connection) as queries:
        region.counts()
    read = {t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN) "?(\w+)"?', q["sql"])}
    assert {"networks_network", "meetings_meeting", "reports_networkreport", "networks_historicalnetwork"} <= read
    watched = {*freshness.source_tables(), NetworkChange._meta.db_table}
    assert read <= watched, read - watched
