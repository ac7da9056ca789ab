"""Maps of article ids that stay small in memory for any corpus: where each id was first
read (:class:`IdLocations`), and what the index holds of each article (:class:`IndexedArticles`).

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

An update of an index of 3 million articles compares each file with what the index holds of
it; :class:`IndexedArticles` keeps that (about 460 bytes an article as Python objects) in an
SQLite temporary table too, with the few distinct files in memory.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from .errors import BnptSearchError

__all__ = ["IN_MEMORY", "IdLocations", "Indexed", "IndexedArticles", "IndexedFile", "KnownArticles", "Location"]

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
                with _scratch_space():
                    self._spill()
            return
        with _scratch_space():
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
        self._db = _scratch("CREATE TABLE ids (id TEXT PRIMARY KEY, path INTEGER, line INTEGER) WITHOUT ROWID")
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


@contextmanager
def _scratch_space() -> Iterator[None]:
    """An SQLite error while the temporary file grows (a full disk) as one clear line."""
    try:
        yield
    except sqlite3.Error as error:
        raise BnptSearchError(
            f"cannot write the temporary file that keeps the article ids ({error}); "
            f"free space in {tempfile.gettempdir()} or point TMPDIR to another folder"
        ) from None


def _scratch(create: str) -> sqlite3.Connection:
    """A private SQLite database on disk, deleted when closed, with the table ``create``."""
    # "" opens a private on-disk database that SQLite deletes when it is closed; no
    # journal and no fsync: it is scratch space, rebuilt by the next run if lost.
    db = sqlite3.connect("", isolation_level=None)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    # A bounded page cache (16 MB): what keeps the memory flat however many rows there are.
    db.execute("PRAGMA cache_size = -16000")
    db.execute(create)
    # One transaction never committed: pages go to the file only when the cache is full.
    db.execute("BEGIN")
    return db


@dataclass(frozen=True, slots=True)
class Indexed:
    """What the index knows of one article: its content hash, the file it was read from,
    that file's hash when it was read ("" on all but a file's last article, at times) and
    where it was added from."""

    content_hash: str
    path: str
    file_hash: str
    origin: str


@dataclass(frozen=True)
class IndexedFile:
    """What the index knows of one corpus file: its hash then, and where it was added from."""

    file_hash: str
    origin: str


class KnownArticles(Protocol):
    """What planning a change asks of the index: an :class:`IndexedArticles` (the whole
    index, read once) or a look-up of only the files and ids asked for (an ``add``)."""

    def file(self, path: str, /) -> IndexedFile | None:
        """What is known of the file ``path``, or None if none of its articles is indexed."""

    def get(self, doc_id: str, /) -> Indexed | None:
        """What is indexed of the article ``doc_id``, or None."""

    def __contains__(self, doc_id: object, /) -> bool: ...

    def ids_of(self, path: str, /) -> Iterable[str]:
        """The ids of the articles indexed from ``path``."""

    def hashes_of(self, path: str, /) -> Mapping[str, str]:
        """``content hash → doc_id`` of the articles indexed from ``path``."""

    def article_count(self, path: str, /) -> int:
        """How many articles are indexed from ``path``."""


# Rows written to the table at a time while it is filled.
_CHUNK = 10_000


def file_seen(files: dict[str, IndexedFile], path: str, file_hash: str, origin: str) -> None:
    """Records in ``files`` that an article of ``path`` (read in index order) carries
    ``file_hash`` and ``origin``. Articles of a large file written before its last carry no
    file hash: the file is known at the first hash an article of it carries, with the
    origin of its first article.

    >>> files: dict[str, IndexedFile] = {}
    >>> file_seen(files, "/c/a.jsonl", "", "/c/a.jsonl"); file_seen(files, "/c/a.jsonl", "9f2c", "x")
    >>> files["/c/a.jsonl"]
    IndexedFile(file_hash='9f2c', origin='/c/a.jsonl')
    """
    known = files.get(path)
    if known is None or (file_hash and not known.file_hash):
        files[path] = IndexedFile(file_hash, known.origin if known else origin)


class IndexedArticles(Mapping[str, Indexed]):
    """``doc_id → Indexed`` for every indexed article, in an SQLite table (not in Python
    objects; the table goes when the object does); :attr:`files` says what is known of each
    file, :meth:`ids_of` and :meth:`hashes_of` list a file's articles.

    >>> indexed = IndexedArticles([("a", "h1", "/c/x.jsonl", "", "/c/x.jsonl"), ("b", "h2", "/c/x.jsonl", "f", "/c/x.jsonl")])
    >>> indexed["b"].content_hash, "c" in indexed, len(indexed), indexed.files["/c/x.jsonl"].file_hash
    ('h2', False, 2, 'f')
    >>> sorted(indexed.ids_of("/c/x.jsonl")), indexed.hashes_of("/c/x.jsonl")["h1"]
    (['a', 'b'], 'a')
    >>> sorted(indexed.paths())
    [('a', '/c/x.jsonl'), ('b', '/c/x.jsonl')]
    """

    def __init__(self, rows: Iterable[tuple[str, str, str, str, str]] = ()) -> None:
        """``rows`` are (doc_id, content hash, path, file hash, origin), in index order."""
        self._db = _scratch(
            "CREATE TABLE articles (id TEXT PRIMARY KEY, hash TEXT, path INTEGER, file INTEGER, origin INTEGER) WITHOUT ROWID"
        )
        # Paths, file hashes and origins repeat for every article of a file: one string each.
        self._strings: list[str] = []
        self._numbers: dict[str, int] = {}
        self.files: dict[str, IndexedFile] = {}
        rows = iter(rows)
        with _scratch_space():
            while chunk := list(islice(rows, _CHUNK)):
                self._db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)", map(self._row, chunk))
            self._db.execute("CREATE INDEX by_file ON articles (path, hash)")
        (self._count,) = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()

    def _row(self, row: tuple[str, str, str, str, str]) -> tuple[str, str, int, int, int]:
        doc_id, content_hash, path, file_hash, origin = row
        file_seen(self.files, path, file_hash, origin)
        return doc_id, content_hash, self._number(path), self._number(file_hash), self._number(origin)

    def _number(self, value: str) -> int:
        number = self._numbers.get(value)
        if number is None:
            number = self._numbers[value] = len(self._strings)
            self._strings.append(value)
        return number

    def __getitem__(self, doc_id: str) -> Indexed:
        row = self._db.execute("SELECT hash, path, file, origin FROM articles WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        strings = self._strings
        return Indexed(row[0], strings[row[1]], strings[row[2]], strings[row[3]])

    def __contains__(self, doc_id: object) -> bool:
        return self._db.execute("SELECT 1 FROM articles WHERE id = ?", (doc_id,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        return (doc_id for (doc_id,) in self._db.execute("SELECT id FROM articles"))

    def __len__(self) -> int:
        return self._count

    def file(self, path: str) -> IndexedFile | None:
        """What is known of the file ``path``, or None."""
        return self.files.get(path)

    def paths(self) -> Iterator[tuple[str, str]]:
        """(doc_id, path) of every article, in one pass (``items()`` looks each one up)."""
        strings = self._strings
        return ((doc_id, strings[path]) for doc_id, path in self._db.execute("SELECT id, path FROM articles"))

    def ids_of(self, path: str) -> Iterator[str]:
        """The ids of the articles indexed from ``path``."""
        number = self._numbers.get(path, -1)
        return (doc_id for (doc_id,) in self._db.execute("SELECT id FROM articles WHERE path = ?", (number,)))

    def hashes_of(self, path: str) -> Mapping[str, str]:
        """``content hash → doc_id`` of the articles indexed from ``path``."""
        return _FileHashes(self._db, self._numbers.get(path, -1))

    def article_count(self, path: str) -> int:
        """How many articles are indexed from ``path``."""
        return len(self.hashes_of(path))


class _FileHashes(Mapping[str, str]):
    """The content hashes of one file's indexed articles, each to its doc_id."""

    def __init__(self, db: sqlite3.Connection, path: int) -> None:
        self._db, self._path = db, path

    def __getitem__(self, content_hash: str) -> str:
        row = self._db.execute("SELECT id FROM articles WHERE path = ? AND hash = ?", (self._path, content_hash)).fetchone()
        if row is None:
            raise KeyError(content_hash)
        return str(row[0])

    def __iter__(self) -> Iterator[str]:
        return (content_hash for (content_hash,) in self._db.execute("SELECT hash FROM articles WHERE path = ?", (self._path,)))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM articles WHERE path = ?", (self._path,)).fetchone()[0])
