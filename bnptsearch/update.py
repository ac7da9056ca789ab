"""Planning an index update (what to add, replace and delete) and writing it.

An update hashes each corpus file (trusting the hash recorded with an unchanged stat,
:class:`_FileHashes`), parses only the files whose hash changed, and re-indexes only the
articles whose content changed. What is indexed is read back from the article documents'
columns (:class:`_FolderLookup`, every file's hash and article count for an update of a
corpus folder; :class:`_IndexLookup`, only the files and ids a change touches, for
``add`` and ``remove``; :func:`_indexed_articles`, every article, for a rebuild) and
compared with the files by :func:`_plan_files`, which yields
the articles to write one at a time while it reads (so a file of any size is never held
in memory whole) and counts the rest in :class:`_Changes`;
:func:`_write_in_batches` writes them, then the deletions, in Whoosh transactions of at
least ``batch_seconds`` of CPU each (growing with the work already committed), so an
interrupted update keeps what it committed and a re-run resumes.

>>> changes = _Changes()                                         # doctest: +SKIP
>>> additions = _plan_files(files, _FolderLookup(searcher), changes)  # doctest: +SKIP
>>> passages = _write_in_batches(lambda: SegmentWriter(ix), lambda w: w.commit(), additions)  # doctest: +SKIP
"""

from __future__ import annotations

import filecmp
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.query import Term

from .corpus import Article, CorpusWarning, duplicate_id_warning, encodable, file_content_hash, stream_file
from .corpus_copy import free_name
from .idmap import IdLocations, Indexed, IndexedArticles, IndexedFile, KnownArticles, file_seen
from .readers.base import cannot_read
from .schema import (
    ARTICLE_ID,
    ARTICLE_KIND,
    CONTENT_HASH,
    DOC_ID,
    FILE_HASH,
    KIND,
    ORIGIN,
    PASSAGE_KIND,
    PATH,
    _article_documents,
)
from .store import SEGMENT_FILES, _read_checked, _write_checked
from .whoosh_compat import abandon, segment_key, string_columns

if TYPE_CHECKING:
    from .parallel import SegmentWorkers

__all__ = ["Progress"]

# Called as work advances with (stage, done, total): stage "reading" counts corpus files,
# each read and its articles analyzed and written before the next (an update streams).
Progress = Callable[[str, int, int], None]

# A file with more new articles than this may be committed in several batches.
_SPLIT_FILE_ARTICLES = 200
# Worker processes are started once an update has taken this many CPU seconds of writing
# in its own process, so an update smaller than this (adding a few articles) never starts
# any: starting two (new interpreters importing bnptsearch) cost 1-1.5 s of CPU, and with
# workers from the start a build of ~1 s of work took 1.5 s of wall instead of 1.1-1.4 s,
# one of ~4.5 s took 3.2 s instead of 4.6 s (2 cores, load average 3).
_PARALLEL_AFTER_SECONDS = 2.0


@dataclass(frozen=True)
class _Addition:
    """An article to write, the hash of the file it was read from, whether it replaces
    an indexed version of itself (an update) or is new, and where it was added from."""

    article: Article
    file_hash: str
    replaces: bool
    origin: str = ""


@dataclass
class _Changes:
    """The counts and findings of one update, filled in as its plan is consumed.

    ``added`` counts the additions planned, ``replaced`` those of them that replace an
    indexed article; ``seen`` maps the ids found to the file that has them (on disk past
    a few ten thousand ids: see :mod:`bnptsearch.idmap`); ``read`` the files read
    again (whatever their hash), ``stale`` the files the next update must read again (see
    :func:`bnptsearch.store._stale_files`); ``notes`` say what was done that the user did
    not ask for in so many words (a copy renamed).
    """

    delete: set[str] = field(default_factory=set)
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    warnings: list[CorpusWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seen: IdLocations = field(default_factory=IdLocations)
    read: set[str] = field(default_factory=set)
    stale: set[str] = field(default_factory=set)
    # Files found unchanged: every id indexed from them counts as seen there, without one
    # entry per id in ``seen`` (see :meth:`_Claims.keep`).
    kept: set[str] = field(default_factory=set)


def _indexed_articles(searcher: Any, which: Any = None) -> IndexedArticles:
    """Every indexed article's hash, file and origin, read from columns (no stored-field
    loads) into an :class:`~bnptsearch.idmap.IndexedArticles` (an SQLite temporary table,
    so that an index of millions of articles is not held as Python objects); or only the
    articles whose own documents match the query ``which`` (``Term(ARTICLE_ID, doc_id)``)."""
    return IndexedArticles(_article_rows(searcher, which))


def _article_rows(searcher: Any, which: Any = None) -> Iterator[tuple[str, str, str, str, str]]:
    """(doc_id, content hash, path, file hash, origin) of every indexed article, in index
    order, or of those whose own documents match the query ``which``, read from columns
    (those documents' values only: see :func:`~bnptsearch.whoosh_compat.string_columns`)."""
    if searcher.reader().doc_count_all() == 0:
        return iter(())  # a new, empty index has no columns yet (Whoosh raises NotImplementedError)
    docnums = searcher.docs_for_query(which or Term(KIND, ARTICLE_KIND))
    names = (ARTICLE_ID, CONTENT_HASH, PATH, FILE_HASH, ORIGIN)
    return _article_columns_of(searcher, names, docnums, few=which is not None)  # type: ignore[return-value]


def _article_columns_of(
    searcher: Any, names: tuple[str, ...], docnums: Iterable[int], few: bool = False
) -> Iterator[tuple[str, ...]]:
    """The columns ``names`` of the article documents ``docnums``."""
    reader = searcher.reader()
    if ORIGIN not in reader.schema:
        # An index of format 3 (read only to carry its articles into a rebuild) has no
        # origins: each of its articles was added from its own path.
        names = tuple(PATH if name == ORIGIN else name for name in names)
    return string_columns(reader, names, docnums, few=few)


class _IndexLookup:
    """What the index holds of the files and articles a small change touches (``add``,
    ``remove``), looked up by term as the plan asks (a
    :class:`~bnptsearch.idmap.KnownArticles`, like the whole table of
    :func:`_indexed_articles`, which took 0.66 s of adding one article at 100k passages and
    grows with the index). ``searcher`` stays open while this is used: it is the one
    snapshot of the index the whole plan compares with, as the table was.

    >>> _IndexLookup(searcher).get("004_712c4dcd13143a1e").path     # doctest: +SKIP
    '/corpus/004.txt'
    """

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher
        # A file is asked about several times in a row (known? its ids? its hashes?): read once.
        self._files: dict[str, IndexedArticles] = {}
        # An article is asked about twice in a row (whose is it? is it indexed?).
        self._last: tuple[str, Indexed | None] | None = None

    def _of_file(self, path: str) -> IndexedArticles:
        known = self._files.get(path)
        if known is None:
            # One file's table at a time (a scratch database each): the plan asks about one
            # file after another, and a folder update's would pile up.
            self._files.clear()
            known = self._files[path] = _indexed_articles(self._searcher, Term(PATH, path))
        return known

    def file(self, path: str) -> IndexedFile | None:
        return self._of_file(path).file(path)

    def ids_of(self, path: str) -> Iterator[str]:
        return self._of_file(path).ids_of(path)

    def hashes_of(self, path: str) -> Mapping[str, str]:
        return self._of_file(path).hashes_of(path)

    def article_count(self, path: str) -> int:
        return self._of_file(path).article_count(path)

    def get(self, doc_id: str) -> Indexed | None:
        if self._last is None or self._last[0] != doc_id:
            # The last of its documents, as the table keeps (there is one but for a damaged write).
            rows = list(_article_rows(self._searcher, Term(ARTICLE_ID, doc_id)))
            self._last = doc_id, Indexed(*rows[-1][1:]) if rows else None
        return self._last[1]

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.get(doc_id) is not None


class _FolderLookup(_IndexLookup):
    """What the index holds, for an update of a corpus folder: of every indexed file, its
    hash and origin (:attr:`files`) and its article count, and of the articles, only what
    the plan asks (looked up by term, as :class:`_IndexLookup`).

    The whole table of :func:`_indexed_articles` read five columns of every article into
    SQLite (about 1 s at a million passages), and the plan then claimed every article of
    every unchanged file one by one: an unchanged file is now kept whole
    (:meth:`_Claims.keep`), and its articles are never read. The files are summed up per
    segment (:func:`_segment_files`, three columns of its articles) and, with ``folder``,
    kept in the index folder (:data:`~bnptsearch.store.SEGMENT_FILES`) for the segments'
    next readers: a segment changes only by gaining deletions, which changes its key, so
    an update reads only the segments written or changed since the last one.

    >>> _FolderLookup(searcher, Path("index")).files["/corpus/arsip.jsonl"].file_hash    # doctest: +SKIP
    '9f2c…'
    """

    def __init__(self, searcher: Any, folder: Path | None = None) -> None:
        super().__init__(searcher)
        self.files: dict[str, IndexedFile] = {}
        self._counts: Counter[str] = Counter()
        self._folder = folder
        self._recorded = _read_checked(folder, SEGMENT_FILES) if folder else {}
        self.segments: dict[str, list[_SegmentFile]] = {}
        for key, rows in _segments_files(searcher, self._recorded):
            if key:  # a segment's (the leaf of an index that has none is not kept)
                self.segments[key] = rows
            for path, file_hash, origin, count in rows:
                self._counts[path] += count
                file_seen(self.files, path, file_hash, origin)  # the table's rule, in index order

    def record(self) -> None:
        """Records what was read of the segments, for the next update (once this one has
        succeeded: a failed update leaves the index folder as it was)."""
        if self._folder and self.segments != self._recorded:
            _write_checked(self._folder, SEGMENT_FILES, self.segments)

    def file(self, path: str) -> IndexedFile | None:
        return self.files.get(path)

    def article_count(self, path: str) -> int:
        return self._counts[path]

    def __len__(self) -> int:
        return self._counts.total()


# What a segment holds of one file: its path, the first hash its articles there carry, the
# first one's origin, and how many of them are live (a list: as read back from JSON).
_SegmentFile = list[Any]


def _segments_files(searcher: Any, recorded: Mapping[str, Any]) -> Iterator[tuple[str, list[_SegmentFile]]]:
    """(key, files) of each segment in index order: its files as ``recorded`` under its key
    (:func:`~bnptsearch.whoosh_compat.segment_key`), or read (:func:`_segment_files`); the
    key is "" for a leaf that is not a segment's (nothing to record it by)."""
    if searcher.reader().doc_count_all() == 0:
        return  # a new, empty index has no columns yet
    for leaf, start in searcher.leaf_searchers():
        segment_id, deleted = segment_key(leaf.reader())
        key = f"{segment_id}:{deleted}" if segment_id else ""
        if key and _valid_files(recorded.get(key)):
            yield key, recorded[key]
        else:
            # Only this segment's articles are listed (all of them took 0.1 s at 1M passages).
            docnums = [start + docnum for docnum in Term(KIND, ARTICLE_KIND).docs(leaf)]
            yield key, _segment_files(searcher, docnums)


def _segment_files(searcher: Any, docnums: list[int]) -> list[_SegmentFile]:
    """The files of the articles ``docnums`` (one segment's), in the order they appear."""
    found: dict[str, list[Any]] = {}
    for path, file_hash, origin in _article_columns_of(searcher, (PATH, FILE_HASH, ORIGIN), docnums):
        entry = found.get(path)
        if entry is None:
            found[path] = [file_hash, origin, 1]
        else:
            entry[0] = entry[0] or file_hash
            entry[2] += 1
    return [[path, *entry] for path, entry in found.items()]


def _valid_files(rows: Any) -> bool:
    """True if ``rows`` (read from the cache file) is a list of :data:`_SegmentFile`."""
    return isinstance(rows, list) and all(
        isinstance(row, list) and len(row) == 4 and all(isinstance(v, str) for v in row[:3]) and isinstance(row[3], int)
        for row in rows
    )


def _order(path: str) -> tuple[str, ...]:
    """The one order in which files claim doc_ids (the first file of an id keeps it),
    whether an index is built, updated or added to: by resolved path, folder by folder.

    >>> _order("/corpus/a/x.txt") < _order("/corpus/a.jsonl") < _order("/corpus/b.txt")
    True
    """
    return Path(path).parts


def _plan_files(
    files: Iterable[Path],
    indexed: KnownArticles,
    changes: _Changes,
    progress: Progress | None = None,
    *,
    origins: Mapping[str, str] | None = None,
    stale: AbstractSet[str] = frozenset(),
    hashes: _FileHashes | None = None,
) -> Iterator[_Addition]:
    """Compares ``files`` with what is indexed: yields each article to write as it is read,
    and counts the rest in ``changes`` (once it is exhausted, every id read is in
    ``changes.seen`` and every file kept whole in ``changes.kept``).

    A file whose bytes hash as before is not even read further (unless it is ``stale``).
    Of a changed JSONL file, only the records whose own content hash changed are parsed and
    re-indexed. (The others keep the file's previous hash, so that file is re-read next
    time, skipping them again.) ``origins`` maps a file's resolved path to where it was
    added from; otherwise the origin indexed for that path is kept, or the file is its own.

    ``hashes`` gives each file's hash, trusting what it recorded of an unchanged file's
    stat (the stat cache); it records what it hashes.

    Files are read in :func:`_order`, and an id indexed from a file not among ``files``
    counts as read from there, so an id found in two files always ends up with the same
    one however the index got there (the others get a warning).
    """
    keyed = sorted(((str(file.resolve()), file) for file in files), key=lambda pair: _order(pair[0]))
    claims = _Claims(indexed, {key for key, _ in keyed}, changes)
    hashes = hashes or _FileHashes()
    for done, (key, file) in enumerate(keyed, 1):
        known_file = indexed.file(key)
        origin = (origins or {}).get(key) or (known_file.origin if known_file else key)
        if known_file is None:
            # A new file is hashed as it is parsed (one pass, whatever its size).
            yield from _read_file(file, key, None, {}, origin, indexed, claims, hashes)
        else:
            file_hash = _hash_or_known(file, key, known_file, changes, hashes)
            if file_hash is not None and known_file.file_hash == file_hash and key not in stale:
                changes.unchanged += claims.keep(key, str(file))
            elif file_hash is not None:
                # Records whose own hash is indexed from this file are not parsed again.
                yield from _read_file(file, key, file_hash, indexed.hashes_of(key), origin, indexed, claims, hashes)
        if progress:
            progress("reading", done, len(keyed))


def _read_file(
    file: Path,
    key: str,
    file_hash: str | None,
    known_hashes: Mapping[str, str],
    origin: str,
    indexed: KnownArticles,
    claims: _Claims,
    hashes: _FileHashes,
) -> Iterator[_Addition]:
    """The additions of one file read again (see :func:`_plan_files`). With no
    ``file_hash`` the file is hashed as it is read (and the hash recorded in ``hashes``):
    each addition is then held until the next one is read, so that the file's last one
    carries the hash (only a file's last article needs it, see :func:`_with_file_hashes`)
    and the others none."""
    changes = claims.changes
    changes.read.add(key)
    try:
        stamp: tuple[int, ...] | None = _file_stamp(file) if file_hash is None else None
    except OSError:
        stamp = None  # the reader reports it
    taken = time.time_ns()
    unchanged: list[str] = []
    found: list[str | None] = [file_hash]
    held: _Addition | None = None
    hashed = None if file_hash is not None else found.append
    for article in stream_file(file, known_hashes, changes.warnings, unchanged, hashed=hashed):
        article = _with_path(article, key)
        problem = _unwritable(article)
        if problem:
            changes.warnings.append(CorpusWarning(str(file), f"article {article.doc_id!r}: {problem}; skipped"))
        elif claims.take(article.doc_id, key, str(file)):
            if held is not None:
                yield _counted(held, changes)
            held = _Addition(article, file_hash or "", article.doc_id in indexed, origin)
    if held is not None:
        # A reader that did not read the file whole (a CSV export, streamed) leaves
        # the hash to a second read; "" if the file cannot be read again (then the next
        # update reads it again).
        try:
            whole = found[-1] or _hash(file)
        except OSError:
            whole = ""
        hashes.remember(key, file, stamp, taken, whole)
        yield _counted(replace(held, file_hash=whole), changes)
    # Records whose own hash is indexed from this file: their ids are indexed here.
    changes.unchanged += sum(claims.take(doc_id, key, str(file), indexed_here=True) for doc_id in unchanged)


def _counted(addition: _Addition, changes: _Changes) -> _Addition:
    """``addition``, counted in ``changes`` as it goes to the writer."""
    changes.added += 1
    changes.replaced += addition.replaces
    return addition


class _Claims:
    """Which file each doc_id is read from: the first in :func:`_order` keeps it."""

    def __init__(self, indexed: KnownArticles, planned: AbstractSet[str], changes: _Changes):
        self.indexed, self.planned, self.changes = indexed, planned, changes
        # One entry per id read: for millions of records, this (not the articles) is what
        # is kept, and it moves to disk past a few ten thousand ids.
        self.seen = changes.seen
        # Ids indexed from a planned file later in the order, taken by a file read before
        # it: {that file: [(doc_id, the file that took it)]} (see :meth:`keep`).
        self.taken_from: dict[str, list[tuple[str, str]]] = {}

    def keep(self, key: str, name: str) -> int:
        """Claims every id indexed from the unchanged file ``key`` (shown as ``name``) but
        those a file earlier in the order took (a duplicate warning each, as :meth:`take`
        gives); returns how many it keeps. Its ids are not listed: a file of ``kept``
        holds every id indexed from it (the index holds an id once), so :meth:`take` finds
        them there by looking the id up."""
        taken = self.taken_from.pop(key, [])
        for doc_id, first in taken:
            self._duplicate(name, doc_id, first)
        self.changes.kept.add(key)
        return self.indexed.article_count(key) - len(taken)

    def take(self, doc_id: str, key: str, name: str, indexed_here: bool = False) -> bool:
        """True if the article ``doc_id`` of file ``key`` (shown as ``name``) is the one to
        index; else a duplicate warning, and the file is read again next time (it may win
        the id once the other file is gone). ``indexed_here``: the id is indexed from ``key``
        (then what is indexed of it is not looked up)."""
        seen = self.seen.get(doc_id)
        first = seen[0] if seen else None
        known = self.indexed.get(doc_id) if first is None and not indexed_here else None
        if known and known.path != key and known.path in self.planned:
            if known.path in self.changes.kept:
                first = known.path  # kept whole, earlier in the order: its id
            elif _order(key) < _order(known.path):
                # Its file comes later: if that is found unchanged, it loses this id (keep).
                self.taken_from.setdefault(known.path, []).append((doc_id, key))
        elif known and known.path != key:
            # Indexed from a file this plan does not read (``add`` of other files, an
            # update's files outside the corpus folder): that file's place in the order counts.
            if _order(known.path) < _order(key) and os.path.exists(known.path):
                first = known.path
            elif os.path.exists(known.path):
                self._duplicate(known.path, doc_id, key)
        if first is not None:
            if first != key:
                self._duplicate(name, doc_id, first)
            return False
        self.seen[doc_id] = key, None
        return True

    def _duplicate(self, path: str, doc_id: str, first: str) -> None:
        self.changes.warnings.append(duplicate_id_warning(path, doc_id, first))
        self.changes.stale.add(str(Path(path).resolve()))


def _unwritable(article: Article) -> str | None:
    """Why ``article`` cannot be stored, or None. A lone surrogate (from a JSON ``\\ud800``
    escape or a file name that is not UTF-8) cannot be encoded: Whoosh would fail the
    whole commit on it."""
    for name in ("doc_id", "title", "body", "source", "place", "date", "url", "author", "path"):
        if not encodable(getattr(article, name) or ""):
            return f"{name} is not valid Unicode (a lone surrogate)"
    return None


def _hash_or_known(file: Path, key: str, known_file: IndexedFile | None, changes: _Changes, hashes: _FileHashes) -> str | None:
    """The hash of ``file``'s bytes (:meth:`_FileHashes.hash`). If it cannot be read, a
    warning, and the hash it was indexed with (so what is indexed of it is kept), or None
    if nothing is."""
    try:
        return hashes.hash(file, key)
    except OSError as error:
        # Unreadable for now (permissions, a file being copied): what is indexed of it
        # stays, rather than being deleted as if the file were gone.
        kept = "; its indexed articles are kept" if known_file else ""
        changes.warnings.append(CorpusWarning(str(file), cannot_read(error) + kept))
        return known_file.file_hash if known_file else None


# A file whose modification or change time is this close to when its stat was recorded may
# have been written again within the same timestamp tick (git's "racily clean" file, coarse
# or skewed file-system clocks): its recorded hash is not trusted, it is hashed again.
_RACY_NS = 2_000_000_000


def _file_stamp(file: Path) -> tuple[int, int, int, int, int]:
    """What the stat cache compares: size, modification and change time (a user can set
    the first back, as ``cp -p`` or ``touch -d`` do, never the second), inode and device
    (a copied or restored file is another file, whatever its times)."""
    info = os.stat(file)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev


class _FileHashes:
    """The hashes of corpus files, trusting a hash recorded by an earlier update (the stat
    cache, :data:`~bnptsearch.store.STAT_CACHE`) while the file's stat is as recorded,
    as git's index does: hashing every file was 0.7 s of an update at a million passages.

    ``recorded`` maps a resolved path to ``[size, mtime_ns, ctime_ns, inode, device,
    recorded_ns, hash]``; anything else in it (a damaged or foreign cache) is ignored and
    the file hashed. :attr:`now` is what this update found, to record for the next.

    >>> hashes = _FileHashes(_read_checked(Path("index"), STAT_CACHE))    # doctest: +SKIP
    >>> hashes.hash(Path("corpus/a.jsonl"), "/home/u/corpus/a.jsonl")  # doctest: +SKIP
    '9f2c…'
    """

    def __init__(self, recorded: Mapping[str, Any] | None = None) -> None:
        self.recorded: Mapping[str, Any] = recorded or {}
        self.now: dict[str, list[Any]] = {}

    def hash(self, file: Path, key: str) -> str:
        """The hash of ``file`` (resolved path ``key``): recorded, or read (:func:`_hash`)."""
        stamp = _file_stamp(file)
        entry: Any = self.recorded.get(key)
        if _trusted(entry, stamp):
            self.now[key] = entry
            return str(entry[6])
        taken = time.time_ns()
        digest = _hash(file)
        self.remember(key, file, stamp, taken, digest)
        return digest

    def remember(self, key: str, file: Path, stamp: tuple[int, ...] | None, taken: int, digest: str) -> None:
        """Records ``digest`` as the hash of ``file`` read after it had ``stamp`` (at
        ``taken``, ``time.time_ns()``), unless the file changed while it was read."""
        try:
            if stamp is not None and digest and encodable(key) and _file_stamp(file) == stamp:
                self.now[key] = [*stamp, taken, digest]
        except OSError:
            pass  # gone meanwhile: nothing to record

    def changed(self) -> bool:
        """True if :attr:`now` differs from what was recorded (the cache is to be written)."""
        return self.now != self.recorded


def _trusted(entry: Any, stamp: tuple[int, ...]) -> bool:
    """True if the recorded ``entry`` gives the hash of a file that has ``stamp`` now: the
    same stat, and times older than the recording by more than :data:`_RACY_NS`."""
    if not (isinstance(entry, list) and len(entry) == 7 and isinstance(entry[6], str) and isinstance(entry[5], int)):
        return False
    return entry[:5] == list(stamp) and max(stamp[1], stamp[2]) < entry[5] - _RACY_NS


def _hash(file: Path) -> str:
    """The hash of ``file``'s bytes, read in chunks (memory stays flat whatever its size)."""
    with file.open("rb") as handle:
        return file_content_hash(handle)


def _with_path(article: Article, path: str) -> Article:
    """``article`` as read from ``path`` (the resolved path the index compares by)."""
    return article if article.path == path else replace(article, path=path)


def _write_in_batches(
    new_writer: Callable[[], Any],
    commit: Callable[[Any], None],
    additions: Iterable[_Addition],
    deletions: Callable[[], set[str]] = set,
    batch_seconds: float = 10.0,
    batch_growth: float = 0.0,
    start_workers: Callable[[], SegmentWorkers] | None = None,
) -> int:
    """Writes ``additions`` as they are planned, then the articles ``deletions()`` names
    (called once ``additions`` is exhausted), in transactions of about ``batch_seconds`` of
    work each, or ``batch_growth`` times the work of the batches committed before it if that
    is more, so an update stopped half-way (Ctrl-C, a full disk) keeps the batches it
    committed and a re-run finds those articles indexed. Each article (with the deletion of
    its old version) is in one batch; the deletions are in the last. A batch that fails is
    abandoned: the index holds the batches before it. No writer at all when nothing changed.
    Returns the passages written.

    A batch ends where a file ends, or inside a file of more than ``_SPLIT_FILE_ARTICLES``
    new articles (see :func:`_with_file_hashes`).

    Work is CPU time, not wall time: on a busy machine (or at ``nice``, as the CLI writes)
    10 s of wall time was a few hundred passages, and every batch is a segment that writes
    its whole vocabulary again and that Whoosh later merges, re-sorting its postings (issue
    17: 64 % of a 17k-passage first build was commits, at load 20). Growing batches
    (``batch_growth``) keep the number of segments logarithmic in the size of the update,
    while Ctrl-C still keeps all but the last ``batch_growth`` share of its work.

    With ``start_workers``, once this process has written ``_PARALLEL_AFTER_SECONDS`` of
    CPU time itself (a small update never pays for starting workers), the rest goes to
    worker processes (:class:`~bnptsearch.parallel.SegmentWorkers`): this process keeps
    planning, deletes the replaced versions, and commits the workers' segments at each
    batch's end. A batch's work is then this process's CPU time scaled by the share the
    workers took in the batch before (their CPU is known only once they finish a batch).

    >>> _write_in_batches(lambda: SegmentWriter(ix), lambda w: w.commit(), additions)   # doctest: +SKIP
    320
    """
    writer = None
    workers: SegmentWorkers | None = None
    passages = 0
    # Workers start after this much CPU from the first article written, not from the
    # planning before it (re-reading a large changed file for one new record).
    first: float | None = None
    started = time.process_time()
    committed = 0.0  # CPU seconds of the batches committed so far (workers' included)
    growth = batch_growth
    scale = 1.0  # work per CPU second of this process: 1 while it writes the documents itself
    try:
        for addition, may_end in _with_file_hashes(additions):
            if writer is None:
                writer, started = new_writer(), time.process_time()
                first = started if first is None else first
                workers_cpu = workers.cpu if workers else 0.0
            writing = time.process_time() - first if first is not None else 0.0
            if workers is None and start_workers is not None and writing > _PARALLEL_AFTER_SECONDS:
                workers = start_workers()
                # Until a batch measures it: as if every worker were busy all the time.
                scale = 1.0 + workers.jobs
                # Each batch now adds a segment per worker: batches grow faster (half as many
                # for two workers), so that a large update ends with about as many segments as
                # one written in this process alone. Faster still (** (jobs + 1)) made the
                # workers' segments outgrow their sorting memory at 100k passages: 5 segments
                # instead of 7, but 3.6x the bytes written, 1.4x the CPU. Ctrl-C then keeps at
                # least 1 / (1 + growth) of the work done: 64 % for two workers.
                growth = (1.0 + batch_growth) ** workers.jobs - 1.0
            if workers is not None:
                if addition.replaces:
                    _delete_article(writer, addition.article.doc_id)
                workers.send(addition)
            else:
                passages += _write(writer, [addition])
            if may_end and (time.process_time() - started) * scale > max(batch_seconds, growth * committed):
                if workers is not None:
                    writer.add_segments(workers.finish())
                commit(writer)
                writer = None
                own = time.process_time() - started
                work = own + (workers.cpu - workers_cpu if workers else 0.0)
                committed += work
                scale = work / own if own > 0 else scale
        deleted = deletions()
        if deleted or writer is not None:
            if workers is not None and writer is not None:
                writer.add_segments(workers.finish())
            writer = writer or new_writer()
            _delete_articles(writer, deleted)
            commit(writer)
            writer = None
        if workers is not None:
            passages += workers.passages
            workers.close()
    except BaseException:
        if workers is not None:
            workers.stop()
        if writer is not None:
            abandon(writer)
        raise
    return passages


def _with_file_hashes(additions: Iterable[_Addition]) -> Iterator[tuple[_Addition, bool]]:
    """``additions``, each with whether a batch may be committed after it.

    An update skips a file whose hash an indexed article of it carries, so a batch ends
    where a file ends; only a file of more than ``_SPLIT_FILE_ARTICLES`` new articles may be
    split, and then all but its last article are written without the file's hash, so that the
    file counts as indexed once its last article is (until then a re-run reads it again,
    skipping the articles already indexed). Up to that many additions of a file are held to
    know which case it is (a file's additions come together, see :func:`_plan_files`).
    """
    pending: list[_Addition] = []
    large = False
    for addition in additions:
        if pending and pending[-1].article.path != addition.article.path:
            yield from _file_end(pending)
            pending, large = [], False
        pending.append(addition)
        large = large or len(pending) > _SPLIT_FILE_ARTICLES
        if large:  # all but the last article so far go out without the file's hash
            for held in pending[:-1]:
                yield replace(held, file_hash=""), True
            del pending[:-1]
    yield from _file_end(pending)


def _file_end(pending: list[_Addition]) -> Iterator[tuple[_Addition, bool]]:
    """A file's held additions, its last one (the one that records the file's hash) last."""
    for held in pending[:-1]:
        yield held, False
    if pending:
        yield pending[-1], True


def _write(writer: Any, additions: Iterable[_Addition]) -> int:
    """Writes ``additions`` (each replacing its indexed version); returns the passages written."""
    passages = 0
    for addition in additions:
        if addition.replaces:
            _delete_article(writer, addition.article.doc_id)
        for document in _article_documents(addition.article, addition.file_hash, addition.origin):
            writer.add_document(**document)
            passages += document[KIND] == PASSAGE_KIND
    return passages


def _delete_articles(writer: Any, doc_ids: Iterable[str]) -> None:
    """Deletes these articles from the committed segments (not from what ``writer`` added)."""
    for doc_id in doc_ids:
        _delete_article(writer, doc_id)


def _delete_article(writer: Any, doc_id: str) -> None:
    """Deletes the article's own document and its passages."""
    writer.delete_by_term(ARTICLE_ID, doc_id)
    writer.delete_by_term(DOC_ID, doc_id)


@dataclass(frozen=True)
class _Placement:
    """Where ``add`` puts a file in the corpus folder: under ``name``, copying it there or
    (``copy`` False) indexing the file already there, which holds the same bytes or is the
    source itself; ``replace`` lets the copy replace what is under ``name``; ``note`` says
    why the name is not the source's own."""

    name: str
    copy: bool
    replace: bool
    note: str | None = None


def _placement(source: Path, folder: Path, indexed: KnownArticles, replace: bool) -> _Placement:
    """Where ``add`` copies ``source`` in ``folder``. A name held by another article (one
    added from elsewhere, or a file not indexed yet) is never replaced unless ``replace``:
    the copy gets a free name (``berita-2.txt``). So is a name whose id (its stem) another
    file's article already has. Re-adding from the same source path replaces its copy.

    >>> _placement(Path("/dl/berita.txt"), Path("/nonexistent"), IndexedArticles(), False)
    _Placement(name='berita.txt', copy=True, replace=False, note=None)
    """
    origin = str(source.resolve())
    target = folder / source.name
    held_by: str | None = None
    if os.path.lexists(target):
        resolved = str(target.resolve())
        if resolved == origin or (not target.is_symlink() and filecmp.cmp(target, source, shallow=False)):
            return _Placement(source.name, copy=False, replace=False)
        known = indexed.file(resolved)
        added_from = known.origin if known else resolved
        if replace or added_from == origin:
            return _Placement(source.name, copy=True, replace=True)
        held_by = f"{target} already holds another article" + (
            f" (added from {added_from})" if added_from != resolved else ""
        )
    else:
        owner = indexed.get(target.stem)
        if owner is None or replace or owner.origin == origin or owner.path == str(target.resolve()):
            return _Placement(source.name, copy=True, replace=False)
        held_by = f"article id {target.stem!r} is already taken by {owner.origin}"
    name = free_name(folder, source.name, lambda candidate: Path(candidate).stem in indexed)
    return _Placement(name, copy=True, replace=False, note=f"{source}: {held_by}; added as {folder / name}")
