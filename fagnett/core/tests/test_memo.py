"""The per-process memo (``core.memo.ProcessMemo``): made once per key, bounded, least recently used out first."""

from fagnett.core.memo import ProcessMemo


def test_a_value_is_made_once_per_key() -> None:
    memo: ProcessMemo[str] = ProcessMemo(size=4)
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert [memo.get_or_make(k, lambda k=k: make(k)) for k in ["a", "b", "a", "a"]] == ["A", "B", "A", "A"]
    assert made == ["a", "b"]


def test_the_least_recently_used_goes_first_when_full() -> None:
    memo: ProcessMemo[int] = ProcessMemo(size=2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # now "b" is the least recently used
    memo.put("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c"), len(memo)) == (1, None, 3, 2)


def test_forget_drops_the_matching_keys_only() -> None:
    memo: ProcessMemo[str] = ProcessMemo(size=10)
    for key in [(1, "v1"), (1, "v2"), (2, "v1")]:
        memo.put(key, str(key))
    memo.forget(lambda key: key[0] == 1)  # type: ignore[index]
    assert (memo.get((1, "v1")), memo.get((1, "v2")), memo.get((2, "v1"))) == (None, None, "(2, 'v1')")
