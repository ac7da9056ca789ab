"""The decoded-block cache: bounded in bytes, least recently used first out, safe across threads."""

from __future__ import annotations

import threading

import pytest

from bnptsearch import BlockCache


def test_bounded_in_bytes_least_recently_used_first_out() -> None:
    cache = BlockCache(1000)
    for number in range(3):
        cache.put(("seg", "text", "kata", number), number, 300)
    assert cache.get(("seg", "text", "kata", 0)) == 0  # now the most recently used
    cache.put(("seg", "text", "kata", 3), 3, 300)  # 1,200 bytes: the least recently used (1) goes
    assert cache.get(("seg", "text", "kata", 1)) is None
    assert [cache.get(("seg", "text", "kata", n)) for n in (0, 2, 3)] == [0, 2, 3]
    stats = cache.stats()
    assert (stats.entries, stats.size, stats.max_bytes) == (3, 900, 1000)
    assert (stats.hits, stats.misses) == (4, 1)
    assert stats.hit_rate == pytest.approx(0.8)


def test_too_large_or_no_room_is_not_kept() -> None:
    cache = BlockCache(100)
    cache.put(("seg", "text", "kata", 0), "big", 101)
    assert cache.get(("seg", "text", "kata", 0)) is None
    nothing = BlockCache(0)
    nothing.put(("seg", "text", "kata", 0), "small", 1)
    assert nothing.stats().entries == 0
    with pytest.raises(ValueError):
        BlockCache(-1)


def test_replacing_a_key_counts_its_bytes_once() -> None:
    cache = BlockCache(1000)
    cache.put(("seg", "text", "kata"), "a", 400)
    cache.put(("seg", "text", "kata"), "b", 500)
    assert cache.get(("seg", "text", "kata")) == "b"
    assert cache.stats().size == 500


def test_retain_drops_segments_merged_away_and_clear_empties() -> None:
    cache = BlockCache(10_000)
    for segment in ("old1", "old2", "new"):
        cache.put((segment, "text", "kata", 0), segment, 10)
    cache.retain(["new"])
    assert cache.get(("old1", "text", "kata", 0)) is None
    assert cache.get(("new", "text", "kata", 0)) == "new"
    assert cache.stats().size == 10
    cache.clear()
    assert cache.stats() == type(cache.stats())(0, 0, 0, 0, 10_000)


def test_threads_keep_the_bound_and_the_counts() -> None:
    cache = BlockCache(5_000)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for number in range(2_000):
                key = ("seg", "text", f"w{number % 50}", number % 7)
                if cache.get(key) is None:
                    cache.put(key, worker, 100 + number % 13)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    stats = cache.stats()
    assert stats.size <= 5_000
    assert stats.size == sum(nbytes for _, nbytes in cache._entries.values())
    assert stats.hits + stats.misses == 4 * 2_000
