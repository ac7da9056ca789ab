"""A bounded cache of decoded posting blocks, shared by the searches of one index.

At a million passages a query decoded some 800 posting blocks (zlib and pickle, 30–40 µs
each: 41 % of its time) after pruning, and walked the headers of many more (14 %). The
blocks that cost most belong to the common words, which most queries share: kept decoded,
a later query reads them from memory. A segment's postings never change (deletions are
masked, not written into them), so an entry keyed by the segment's id stays right until
the segment is merged away; :meth:`BlockCache.retain` then drops it.

No numpy here: :class:`~bnptsearch.index.Index` makes the cache when it opens, and numpy
is imported only when a search needs it (:mod:`bnptsearch.vectorized` fills the cache).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_BLOCK_CACHE_BYTES", "BlockCache", "BlockCacheStats"]

# 128 MB: at a million passages, one pass of perf.py's 600 queries from an empty cache finds
# 41.5 % of its look-ups at this size, 37.3 % at 96 MB, 47.0 % at 256 MB and 47.9 % with no
# bound (345 MB); past 128 MB each point costs ~25 MB of RSS (benchmarks/block_cache.py).
DEFAULT_BLOCK_CACHE_BYTES = 128 * 2**20


@dataclass(frozen=True)
class BlockCacheStats:
    """How a :class:`BlockCache` has done: look-ups found and not, and what it holds."""

    hits: int
    misses: int
    entries: int
    size: int
    max_bytes: int

    @property
    def hit_rate(self) -> float:
        """The share of look-ups found (0 before any)."""
        return self.hits / (self.hits + self.misses) if self.hits + self.misses else 0.0


class BlockCache:
    """Values (decoded posting blocks, block headers) by key, least recently used dropped
    first so that the bytes they hold stay within ``max_bytes`` (0: nothing is kept).
    Each key is a tuple whose first item is the id of the segment the value comes from.
    Thread-safe: ``bnptsearch serve`` searches from a pool of threads.

    >>> cache = BlockCache(1000)
    >>> cache.put(("seg1", "text", "teror", 0), "decoded", 600)
    >>> cache.get(("seg1", "text", "teror", 0))
    'decoded'
    >>> cache.put(("seg1", "text", "bom", 0), "other", 600)   # over 1000 bytes: the first goes
    >>> cache.get(("seg1", "text", "teror", 0)) is None
    True
    """

    def __init__(self, max_bytes: int = DEFAULT_BLOCK_CACHE_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"a block cache of {max_bytes} bytes")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._hits = self._misses = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._misses += 1
                return None
            self._hits += 1
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: tuple, value: Any, nbytes: int) -> None:
        """Keeps ``value`` for ``key``, counted as ``nbytes``, dropping the least recently
        used entries to make room; a value larger than the whole cache is not kept."""
        if nbytes > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (value, nbytes)
            self._size += nbytes
            while self._size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def retain(self, segments: Iterable[str]) -> None:
        """Drops the entries of segments other than ``segments`` (merged away since)."""
        # A scan at each refresh, not skipped when the live set is the one before: serve's
        # indexes at different commits share the cache, and a lagging one re-adds entries.
        live = frozenset(segments)
        with self._lock:
            for key in [key for key in self._entries if key[0] not in live]:  # type: ignore[index]
                self._size -= self._entries.pop(key)[1]

    def clear(self) -> None:
        """Drops every entry and resets the counts (benchmarks time a cold cache so)."""
        with self._lock:
            self._entries.clear()
            self._size = self._hits = self._misses = 0

    def stats(self) -> BlockCacheStats:
        """The counts and size now.

        >>> BlockCache(1000).stats().entries
        0
        """
        with self._lock:
            return BlockCacheStats(self._hits, self._misses, len(self._entries), self._size, self.max_bytes)
