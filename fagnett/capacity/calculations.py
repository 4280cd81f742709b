"""Dimensioning with the Erlang loss model (M/M/c/c): pure functions, no Django.

An ICU with ``c`` staffed beds and offered load ``A`` erlangs (admissions per day × mean length of
stay in days) refuses an arriving patient with probability B(c, A), Erlang's B formula. It is computed
with the recurrence B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), which never forms factorials or powers
and so stays accurate for hundreds of beds and loads of any size.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

MAX_BEDS = 100_000


def _check(beds: int, load: float) -> None:
    if beds < 0 or int(beds) != beds:
        raise ValueError("beds must be a whole number ≥ 0")
    if load < 0 or math.isnan(load) or math.isinf(load):
        raise ValueError("load must be a finite number ≥ 0")


def erlang_b(beds: int, load: float) -> float:
    """Blocking probability of ``beds`` servers offered ``load`` erlangs (Erlang B)."""
    _check(beds, load)
    blocking = 1.0
    for k in range(1, int(beds) + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def carried_load(beds: int, load: float) -> float:
    """Mean number of occupied beds: the offered load that is not refused."""
    return load * (1.0 - erlang_b(beds, load))


def occupancy(beds: int, load: float) -> float:
    """Expected share of the beds that are occupied (0–1); 0 for a unit without beds."""
    if beds == 0:
        _check(beds, load)
        return 0.0
    return carried_load(beds, load) / beds


def beds_needed(load: float, target: float) -> int:
    """The fewest beds whose blocking probability is at most ``target`` (0 < target < 1)."""
    if not 0 < target < 1:
        raise ValueError("target must lie between 0 and 1")
    _check(0, load)
    if load == 0:
        return 0  # nobody arrives, nobody is refused
    blocking = 1.0
    beds = 0
    while blocking > target:
        beds += 1
        if beds > MAX_BEDS:
            raise ValueError("the load is too large")
        blocking = load * blocking / (beds + load * blocking)
    return beds


def load_at_blocking(beds: int, target: float, *, tolerance: float = 1e-9) -> float:
    """The offered load that ``beds`` beds carry at blocking ``target`` (inverse of Erlang B in the load).

    Erlang B rises strictly with the load, so bisection converges to the one answer.
    """
    if not 0 < target < 1:
        raise ValueError("target must lie between 0 and 1")
    _check(beds, 0.0)
    if beds == 0:
        return 0.0
    low, high = 0.0, float(beds)
    while erlang_b(beds, high) < target:
        high *= 2
    while high - low > tolerance * max(1.0, high):
        middle = (low + high) / 2
        if erlang_b(beds, middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def offered_load(admissions_per_day: float, mean_length_of_stay_days: float) -> float:
    """Little's law: the mean number of patients who would be in beds if none were refused."""
    if admissions_per_day < 0 or mean_length_of_stay_days < 0:
        raise ValueError("admissions and length of stay must be ≥ 0")
    return admissions_per_day * mean_length_of_stay_days


@dataclass(frozen=True)
class Pooling:
    """Separate units against one pooled unit with all their beds and all their load."""

    separate_blocking: float  # share of all arriving patients refused somewhere, units apart
    pooled_blocking: float
    separate_beds_needed: int
    pooled_beds_needed: int

    @property
    def beds_saved(self) -> int:
        return self.separate_beds_needed - self.pooled_beds_needed


def pooling(units: Sequence[tuple[int, float]], target: float) -> Pooling:
    """Compare ``units`` (beds, offered load) run apart with the same beds and load run as one unit."""
    total_load = sum(load for _, load in units)
    total_beds = sum(beds for beds, _ in units)
    refused = sum(load * erlang_b(beds, load) for beds, load in units)
    return Pooling(
        separate_blocking=refused / total_load if total_load else 0.0,
        pooled_blocking=erlang_b(total_beds, total_load),
        separate_beds_needed=sum(beds_needed(load, target) for _, load in units),
        pooled_beds_needed=beds_needed(total_load, target),
    )


def pooling_within_sites(sites: Sequence[Sequence[tuple[int, float]]], target: float) -> Pooling:
    """Units run apart against each site's units run as one unit — never pooled across sites.

    ``sites`` holds, per hospital, its units' (beds, offered load). Beds at hospitals far apart, with other
    competence, cannot take each other's patients as one unit can; only units of one site are pooled here.
    """
    units = [unit for site in sites for unit in site]
    total_load = sum(load for _, load in units)
    refused_apart = sum(load * erlang_b(beds, load) for beds, load in units)
    site_totals = [(sum(b for b, _ in site), sum(load for _, load in site)) for site in sites if site]
    refused_pooled = sum(load * erlang_b(beds, load) for beds, load in site_totals)
    return Pooling(
        separate_blocking=refused_apart / total_load if total_load else 0.0,
        pooled_blocking=refused_pooled / total_load if total_load else 0.0,
        separate_beds_needed=sum(beds_needed(load, target) for _, load in units),
        pooled_beds_needed=sum(beds_needed(load, target) for _, load in site_totals),
    )


@dataclass(frozen=True)
class Measured:
    """Occupied staffed beds as measured: the mean and 90th percentile over ``samples`` observations."""

    mean: float
    p90: float
    samples: int


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile by linear interpolation between the closest ranks (Hyndman & Fan type 7: what
    Excel's PERCENTILE.INC and numpy's default give, so a leader can check it in a spreadsheet)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= share <= 1:
        raise ValueError("share must lie between 0 and 1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def measured_occupancy(samples: Sequence[float]) -> Measured | None:
    """Mean and 90th percentile of the occupied staffed beds observed (one value per round); None without any."""
    if not samples:
        return None
    return Measured(mean=sum(samples) / len(samples), p90=percentile(samples, 0.9), samples=len(samples))
