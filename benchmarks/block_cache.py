"""Hit rate of the decoded-block cache against its size, on an index already built.

Runs every query of a ``queries.json`` (``benchmarks/perf.py``'s) once, from an empty cache
with no bound, recording each look-up (key, bytes), then replays that sequence through a
least-recently-used cache of each size: the share of look-ups found, the share of the
decoding avoided (blocks found among the blocks looked up), and the bytes held at the end.
One pass from empty is the timed pass of ``perf.py`` (which clears the cache after its
warm-up): a query finds only what earlier queries left. It also times the pass against the
same pass with the cache off, in the same process (CPU seconds).

    python benchmarks/block_cache.py --index INDEX --queries queries.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from bnptsearch import BlockCache, Index

SIZES_MB = (8, 16, 32, 64, 96, 128, 256)


class _Recording(BlockCache):
    """A cache with no bound that records every look-up and the size of what was put."""

    def __init__(self) -> None:
        super().__init__(2**62)
        self.trace: list[tuple] = []
        self.sizes: dict[tuple, int] = {}

    def get(self, key: tuple):
        self.trace.append(key)
        return super().get(key)

    def put(self, key: tuple, value, nbytes: int) -> None:
        self.sizes[key] = nbytes
        super().put(key, value, nbytes)


def replay(trace: list[tuple], sizes: dict[tuple, int], max_bytes: int) -> tuple[float, float, int]:
    """(share of look-ups found, share of block look-ups found, bytes held at the end) of
    ``trace`` through a :class:`BlockCache` of ``max_bytes``."""
    cache = BlockCache(max_bytes)
    blocks = block_hits = 0
    for key in trace:
        is_block = len(key) == 4
        blocks += is_block
        if cache.get(key) is None:
            cache.put(key, True, sizes[key])
        else:
            block_hits += is_block
    stats = cache.stats()
    return stats.hit_rate, block_hits / max(blocks, 1), stats.size


def _pass(index: Index, queries: list[str]) -> float:
    started = time.process_time()
    for query in queries:
        for hit in index.search(query, limit=10).hits:
            hit.highlighted  # noqa: B018 - as perf.py times a query
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True, help="perf.py's queries.json")
    args = parser.parse_args()
    sets = json.loads(args.queries.read_text(encoding="utf-8"))
    queries = [query for group in sets.values() for query in group]
    load = os.getloadavg()
    with Index.open(args.index, read_only=True, block_cache=0) as index:
        _pass(index, queries)  # the OS page cache and every other cache of the index warm
        off = _pass(index, queries)
    recording = _Recording()
    with Index.open(args.index, read_only=True, block_cache=recording) as index:
        _pass(index, queries[:1])  # the index's other caches, made again
        recording.trace.clear()
        recording.clear()
        unbounded = _pass(index, queries)
    print(f"{len(queries)} queries on {args.index}; load average {load[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    print(f"one pass, CPU s: cache off {off:.1f}, from an empty unbounded cache {unbounded:.1f} (×{unbounded / off:.2f})")
    blocks = sum(len(key) == 4 for key in recording.trace)
    print(f"{len(recording.trace):,} look-ups ({blocks:,} of blocks), {len(recording.sizes):,} distinct, "
          f"{sum(recording.sizes.values()) / 2**20:.0f} MB in all")
    print("| cache MB | look-ups found | blocks found | MB held |")
    print("|---|---|---|---|")
    for megabytes in (*SIZES_MB, None):
        bound = 2**62 if megabytes is None else megabytes * 2**20
        found, blocks_found, held = replay(recording.trace, recording.sizes, bound)
        print(f"| {megabytes or 'no bound'} | {found:.1%} | {blocks_found:.1%} | {held / 2**20:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
