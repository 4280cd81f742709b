"""The Erlang loss functions against published values and their known properties."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fagnett.capacity import calculations as calc


@pytest.mark.parametrize(
    ("beds", "load"),
    [(1, 0.0101), (2, 0.1526), (5, 1.361), (10, 4.461), (20, 12.031), (50, 37.901), (100, 84.064)],
)
def test_standard_erlang_b_table_at_one_percent(beds: int, load: float) -> None:
    """The standard Erlang B table: these loads give 1 % blocking on these servers (to the table's digits)."""
    assert calc.load_at_blocking(beds, 0.01) == pytest.approx(load, abs=0.0006)
    assert calc.erlang_b(beds, load) == pytest.approx(0.01, rel=0.005)


def test_closed_forms_for_small_cases() -> None:
    for load in (0.1, 0.5, 1.0, 2.5, 10.0):
        assert calc.erlang_b(0, load) == 1.0
        assert calc.erlang_b(1, load) == pytest.approx(load / (1 + load))
        assert calc.erlang_b(2, load) == pytest.approx((load**2 / 2) / (1 + load + load**2 / 2))
        three = sum(load**k / math.factorial(k) for k in range(4))
        assert calc.erlang_b(3, load) == pytest.approx((load**3 / 6) / three)


def test_stable_for_hundreds_of_beds() -> None:
    b = calc.erlang_b(800, 780.0)
    assert 0 < b < 0.05
    assert calc.erlang_b(1000, 0.0) == 0.0
    assert math.isfinite(calc.erlang_b(500, 5000.0))
    assert calc.erlang_b(500, 5000.0) == pytest.approx(0.9, abs=0.01)


def test_beds_needed_inverts_the_table() -> None:
    """Just under a table value needs the table's servers; just over needs one more."""
    for beds, load in ((5, 1.361), (10, 4.461), (20, 12.031)):
        assert calc.beds_needed(load - 0.001, 0.01) == beds
        assert calc.beds_needed(load + 0.001, 0.01) == beds + 1
        exact = calc.load_at_blocking(beds, 0.01)
        assert calc.beds_needed(exact * (1 - 1e-6), 0.01) == beds
    assert calc.beds_needed(0.0, 0.05) == 0


@given(st.integers(min_value=1, max_value=200), st.floats(min_value=0.01, max_value=0.99))
def test_beds_needed_is_the_smallest_that_meets_the_target(beds: int, target: float) -> None:
    load = calc.load_at_blocking(beds, target)
    needed = calc.beds_needed(load, target)
    assert calc.erlang_b(needed, load) <= target
    if needed > 0:
        assert calc.erlang_b(needed - 1, load) > target
    assert abs(needed - beds) <= 1


@given(st.integers(min_value=0, max_value=300), st.floats(min_value=0.001, max_value=400))
def test_blocking_falls_as_beds_rise(beds: int, load: float) -> None:
    assert calc.erlang_b(beds + 1, load) <= calc.erlang_b(beds, load)
    assert 0 <= calc.occupancy(beds + 1, load) <= 1


@given(st.lists(st.tuples(st.integers(0, 60), st.floats(0.0, 60.0)), min_size=1, max_size=8))
def test_pooled_blocking_is_never_worse_than_separate(units: list[tuple[int, float]]) -> None:
    result = calc.pooling(units, 0.05)
    assert result.pooled_blocking <= result.separate_blocking + 1e-12 or sum(load for _, load in units) == 0
    assert result.pooled_beds_needed <= result.separate_beds_needed


def test_occupancy_and_offered_load() -> None:
    assert calc.offered_load(2.0, 3.5) == 7.0
    assert calc.occupancy(10, 4.461) == pytest.approx(4.461 * 0.99 / 10, rel=1e-3)
    assert calc.occupancy(0, 3.0) == 0.0
    with pytest.raises(ValueError):
        calc.erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        calc.beds_needed(1.0, 0.0)
