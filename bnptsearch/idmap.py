"""Where each article id was first read: a map that stays small in memory for any corpus.

Reading a 2 GB archive of 3 million records must remember every id it has seen (to warn
about a duplicate and name the first copy) without holding 3 million Python strings: at
about 200 bytes an entry that alone grew the peak RSS by 0.27 MB per MB of file. So
:class:`IdLocations` keeps its first :data:`IN_MEMORY` entries in a dict (the usual corpus
never leaves it) and then moves them to an SQLite table in a private temporary file, which
SQLite deletes when it is closed; its page cache is bounded (a few MB), whatever the count.

>>> seen = IdLocations(in_memory=2)
>>> for n in range(5):
...     seen["r%d" % n] = ("/corpus/arsip.jsonl", n + 1)
>>> seen.get("r3"), seen.get("r9"), len(seen), "r0" in seen
(('/corpus/arsip.jsonl', 4), None, 5, True)
>>> seen.close()
"""

from __future__ import annotations

import sqlite3

__all__ = ["IN_MEMORY", "IdLocations", "Location"]

# Entries held in a dict before they move to disk: about 10 MB, more than most corpora need.
IN_MEMORY = 50_000

# The file an id was read from and its line there (None for a file that is one article).
Location = tuple[str, "int | None"]


class IdLocations:
    """A ``doc_id → (path, line)`` map: a dict up to ``in_memory`` entries, then SQLite."""

    def __init__(self, in_memory: int | None = None) -> None:
        self._memory: dict[str, Location] = {}
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self._db: sqlite3.Connection | None = None
        # The paths, one row each: a table row holds the id and two integers.
        self._paths: dict[str, int] = {}
        self._path_list: list[str] = []
        self._count = 0

    def get(self, doc_id: str) -> Location | None:
        """Where ``doc_id`` was first read, or None."""
        found = self._memory.get(doc_id)
        if found is not None or self._db is None:
            return found
        row = self._db.execute("SELECT path, line FROM ids WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else (self._path_list[row[0]], row[1])

    def __setitem__(self, doc_id: str, location: Location) -> None:
        """Records ``doc_id`` (not already recorded: callers ask :meth:`get` first)."""
        self._count += 1
        if self._db is None:
            self._memory[doc_id] = location
            if len(self._memory) > self._in_memory:
                self._spill()
            return
        self._insert(doc_id, location)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.get(doc_id) is not None

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        """Frees the memory and deletes the temporary file."""
        self._memory.clear()
        if self._db is not None:
            self._db.close()
            self._db = None

    def _spill(self) -> None:
        # "" opens a private on-disk database that SQLite deletes when it is closed; no
        # journal and no fsync: it is scratch space, rebuilt by the next run if lost.
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        # A bounded page cache (16 MB): what keeps the memory flat however many ids there are.
        self._db.execute("PRAGMA cache_size = -16000")
        self._db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, path INTEGER, line INTEGER) WITHOUT ROWID")
        # One transaction never committed: pages go to the file only when the cache is full.
        self._db.execute("BEGIN")
        for doc_id, location in self._memory.items():
            self._insert(doc_id, location)
        self._memory.clear()

    def _insert(self, doc_id: str, location: Location) -> None:
        assert self._db is not None
        path, line = location
        number = self._paths.get(path)
        if number is None:
            number = self._paths[path] = len(self._path_list)
            self._path_list.append(path)
        self._db.execute("INSERT OR IGNORE INTO ids VALUES (?, ?, ?)", (doc_id, number, line))
