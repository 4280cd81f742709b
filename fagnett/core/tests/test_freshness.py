"""What a worker keeps under a freshness key (``core.freshness.Kept``). The key itself, the watcher and a change
showing at once are tested with the figures that use them (``capacity/tests/test_freshness.py``)."""

from fagnett.core.freshness import Kept


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_a_value_is_kept_under_its_version_and_computed_again_under_another() -> None:
    kept: Kept[int] = Kept(4)
    compute = Counter()
    assert kept.get(7, "a", compute) == 1
    assert kept.get(7, "a", compute) == 1  # kept
    assert kept.get(8, "a", compute) == 2  # the key moved: computed again, and kept in place of the old
    assert kept.get(8, "a", compute) == 2
    assert kept.get(7, "a", compute) == 3  # never the older value again
    assert compute.calls == 3


def test_nothing_is_kept_without_a_version() -> None:
    kept: Kept[int] = Kept(4)
    compute = Counter()
    assert [kept.get(None, "a", compute) for _ in range(3)] == [1, 2, 3]
    assert kept.get(1, "a", compute) == 4 and kept.get(1, "a", compute) == 4


def test_the_least_recently_used_go_first() -> None:
    kept: Kept[str] = Kept(2)
    kept.get(1, "a", lambda: "a")
    kept.get(1, "b", lambda: "b")
    kept.get(1, "a", lambda: "not asked")  # "a" used: "b" is now the least recently used
    kept.get(1, "c", lambda: "c")
    assert kept.get(1, "a", lambda: "again") == "a"
    assert kept.get(1, "b", lambda: "again") == "again"


def test_forget_empties_the_worker() -> None:
    kept: Kept[str] = Kept(2)
    kept.get(1, "a", lambda: "a")
    kept.forget()
    assert kept.get(1, "a", lambda: "again") == "again"
