"""Writes: who may report, open and close rounds, corrections as versions, assessments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.capacity import services
from fagnett.capacity.models import CATEGORIES, SCENARIOS, Assessment, CapacityEntry, ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.capacity.validation import entry_errors, is_jump, jump_warnings, parse_number
from fagnett.core.history import acting_as
from fagnett.organisations.models import Unit
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_the_coordinator_opens_and_closes_a_round(world: World) -> None:
    import datetime

    round_ = services.round_open(
        user=world["coordinator"],
        region=world.region_a,
        data={
            "name": "Q1 2027",
            "network": world.network,
            "period_start": datetime.date(2027, 1, 1),
            "period_end": datetime.date(2027, 3, 31),
            "deadline": datetime.date(2027, 4, 15),
        },
    )
    assert round_.is_open and round_.opened_by == world["coordinator"]
    services.round_close(user=world["coordinator"], round_=round_)
    round_.refresh_from_db()
    assert round_.status == ReportRound.Status.CLOSED and round_.closed_at is not None
    with pytest.raises(PermissionDenied):
        services.round_open(user=world["reporter"], region=world.region_a, data={})
    with pytest.raises(PermissionDenied):
        services.round_close(user=world["coordinator_b"], round_=round_)


def test_a_reporter_reports_for_own_trust_only(world: World) -> None:
    round_ = make_round(world.region_a)
    own, other = units_of(world, 0)[0], units_of(world, 1)[0]
    entry = services.capacity_entry_submit(
        user=world["reporter"],
        round_=round_,
        unit=own,
        category="K3",
        scenario="normal",
        values={
            "physical_beds": 10,
            "staffed_beds": 8,
            "ventilated_beds": 6,
            "status": "limited",
            "restrictions": ["staff"],
        },
    )
    assert entry.staffed_beds == 8 and entry.reported_by == world["reporter"] and entry.history.count() == 1
    with pytest.raises(PermissionDenied):
        services.capacity_entry_submit(
            user=world["reporter"], round_=round_, unit=other, category="K3", scenario="normal", values={}
        )
    # A second save in an open round changes the entry in place; history keeps both.
    services.capacity_entry_submit(
        user=world["reporter"], round_=round_, unit=own, category="K3", scenario="normal", values={"staffed_beds": 9}
    )
    entry.refresh_from_db()
    assert entry.staffed_beds == 9 and entry.version == 1 and entry.history.count() == 2


def test_bad_values_save_nothing(world: World) -> None:
    round_ = make_round(world.region_a)
    unit = units_of(world)[0]
    with pytest.raises(ValidationError) as error:
        services.capacity_entry_submit(
            user=world["reporter"],
            round_=round_,
            unit=unit,
            category="K3",
            scenario="normal",
            values={"physical_beds": 4, "staffed_beds": 5},
        )
    assert "staffed_beds" in error.value.message_dict
    assert not CapacityEntry.objects.exists()


def test_a_closed_round_takes_only_corrections_with_a_reason(world: World) -> None:
    round_ = make_round(world.region_a, status=ReportRound.Status.CLOSED)
    unit = units_of(world)[0]
    first = make_entry(round_, unit)
    with pytest.raises(ValidationError):
        services.capacity_entry_submit(
            user=world["reporter"],
            round_=round_,
            unit=unit,
            category="K3",
            scenario="normal",
            values={"staffed_beds": 7},
        )
    corrected = services.capacity_entry_submit(
        user=world["reporter"],
        round_=round_,
        unit=unit,
        category="K3",
        scenario="normal",
        values={"staffed_beds": 7},
        correction_reason="Feil i rapporten",
    )
    first.refresh_from_db()
    assert corrected.version == 2 and corrected.is_current and not first.is_current
    assert first.staffed_beds == 8 and corrected.staffed_beds == 7 and corrected.physical_beds is None


def _items(units: list, staffed: int, reason: str = "") -> list[services.EntryInput]:
    return [
        services.EntryInput(unit, category, scenario, {"physical_beds": 10, "staffed_beds": staffed}, reason)
        for unit in units
        for category in CATEGORIES
        for scenario in SCENARIOS
    ]


def _saving_queries(user: User, round_: ReportRound, items: list[services.EntryInput]) -> int:
    fresh = User.objects.get(pk=user.pk)  # nothing remembered on the instance from an earlier call
    access_for(fresh)  # the person's access is read once and kept between requests (fagnett.access)
    with CaptureQueriesContext(connection) as queries:
        services.capacity_entries_save(user=fresh, round_=round_, items=items, source="excel")
    return len(queries)


def test_many_entries_are_saved_in_bulk_with_their_history(world: World) -> None:
    """A workbook's rows are saved in a fixed number of statements, each change with its history row and person."""
    reporter = world["reporter"]
    hospital = units_of(world)[0].hospital
    Unit.objects.bulk_create([Unit(hospital=hospital, name=f"Intensiv {n}") for n in range(2, 6)])
    units = units_of(world)
    small, large = make_round(world.region_a, name="Liten"), make_round(world.region_a, name="Stor")
    assert len(_items(units, 6)) == len(units) * 12 == 60
    # New entries: as many statements for one unit (12 rows) as for two (24 rows; SQLite takes about 30 rows of
    # capacity entries per INSERT, so more would add statements by the batch, never by the row).
    assert _saving_queries(reporter, small, _items(units[:1], 5)) == _saving_queries(
        reporter, large, _items(units[:2], 5)
    )
    services.capacity_entries_save(user=reporter, round_=large, items=_items(units, 5))
    entries = CapacityEntry.objects.filter(round=large)
    assert entries.count() == 60 and set(entries.values_list("staffed_beds", flat=True)) == {5}
    # Saved again in an open round: every entry changes in place, again in a fixed number of statements.
    with acting_as(reporter):
        assert _saving_queries(reporter, small, _items(units[:1], 6)) == _saving_queries(
            reporter, large, _items(units[:2], 6)
        )
        services.capacity_entries_save(user=reporter, round_=large, items=_items(units, 6))
    changed = entries.get(unit=units[0], category="K3", scenario="normal")
    assert (changed.staffed_beds, changed.lock_version, changed.version) == (6, 4, 1)
    assert changed.reported_by == reporter and entries.count() == 60
    assert [(h.history_type, h.staffed_beds, h.history_user) for h in changed.history.order_by("history_id")] == [
        ("+", 5, None),  # outside a request and acting_as nobody is named, as with save()
        ("~", 5, None),
        ("~", 6, reporter),
        ("~", 6, reporter),
    ]
    # After the round is closed each row is a correction: the old version stops being current, a new one starts.
    large.status = ReportRound.Status.CLOSED
    large.save()
    services.capacity_entries_save(user=reporter, round_=large, items=_items(units, 4, "Feil i fila"))
    current = entries.filter(is_current=True)
    assert current.count() == 60 and entries.count() == 120
    assert set(current.values_list("version", "staffed_beds", "correction_reason")) == {(2, 4, "Feil i fila")}
    assert set(entries.filter(is_current=False).values_list("version", "staffed_beds")) == {(1, 6)}
    changed.refresh_from_db()
    assert not changed.is_current and changed.history.latest().is_current is False


def test_assessments_by_leader_or_coordinator(world: World) -> None:
    round_ = make_round(world.region_a, network=world.network)
    a1 = world.trusts_a[0]
    services.assessment_record(
        user=world["leader"],
        round_=round_,
        trust=a1,
        category="K3",
        scenario="normal",
        verdict="marginal",
        reasons="Få",
    )
    services.assessment_record(
        user=world["coordinator"],
        round_=round_,
        trust=a1,
        category="K3",
        scenario="normal",
        verdict="adequate",
        reasons="Nok",
    )
    assert Assessment.objects.get().verdict == "adequate"
    services.assessment_record(
        user=world["leader"],
        round_=round_,
        trust=None,
        category="K3",
        scenario="normal",
        verdict="marginal",
        reasons="Region",
    )
    assert Assessment.objects.count() == 2
    for person in ("member", "reporter", "coordinator_b"):
        with pytest.raises(PermissionDenied):
            services.assessment_record(
                user=world[person],
                round_=round_,
                trust=a1,
                category="K1",
                scenario="normal",
                verdict="adequate",
                reasons="x",
            )


def test_validation_rules() -> None:
    assert parse_number("staffed_beds", "") == (None, None)
    assert parse_number("staffed_beds", "  ") == (None, None)
    assert parse_number("staffed_beds", "0") == (0, None)
    assert parse_number("staffed_beds", "ti")[1]
    assert parse_number("staffed_beds", "-1")[1]
    assert parse_number("staffed_beds", "2.5")[1]
    assert str(parse_number("nurses_fte", "12,5")[0]) == "12.5"
    assert entry_errors("K1", {"ventilated_beds": 2, "staffed_beds": 4})
    assert entry_errors("K3", {"ventilated_beds": 5, "staffed_beds": 4})
    assert not entry_errors("K3", {"ventilated_beds": 4, "staffed_beds": 4, "physical_beds": 6})
    # Absolute (7 beds or more) and relative (half the previous number or more, at least 2 beds) jumps, for every
    # unit (issue 21): a small unit's 2 → 8 and a large unit's 20 → 30 were not warned before.
    assert is_jump(2, 9) and is_jump(2, 8) and is_jump(20, 40) and is_jump(20, 10) and is_jump(20, 30)
    assert not is_jump(20, 24) and not is_jump(2, 3)
    assert jump_warnings({"staffed_beds": 40}, {"staffed_beds": 20})
    assert not jump_warnings({"staffed_beds": None}, {"staffed_beds": 20})
