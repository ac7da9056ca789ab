"""Planning an index update (what to add, replace and delete) and writing it.

An update hashes each corpus file, parses only the files whose hash changed, and
re-indexes only the articles whose content changed. What is indexed is read back from the
article documents' columns (:func:`_indexed_articles`, the whole index for an update
of a corpus folder; :class:`_IndexLookup`, only the files and ids a change touches, for
``add`` and ``remove``) and compared with the files by :func:`_plan_files`, which yields
the articles to write one at a time while it reads (so a file of any size is never held
in memory whole) and counts the rest in :class:`_Changes`;
:func:`_write_in_batches` writes them, then the deletions, in Whoosh transactions of at
least ``batch_seconds`` of CPU each (growing with the work already committed), so an
interrupted update keeps what it committed and a re-run resumes.

>>> changes = _Changes()                                         # doctest: +SKIP
>>> additions = _plan_files(files, _indexed_articles(searcher), changes)  # doctest: +SKIP
>>> passages = _write_in_batches(lambda: SegmentWriter(ix), lambda w: w.commit(), additions)  # doctest: +SKIP
"""

from __future__ import annotations

import filecmp
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.query import Term

from .corpus import Article, CorpusWarning, duplicate_id_warning, encodable, file_content_hash, stream_file
from .corpus_copy import free_name
from .idmap import IdLocations, Indexed, IndexedArticles, IndexedFile, KnownArticles
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
from .whoosh_compat import abandon, string_columns

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
    reader = searcher.reader()
    if reader.doc_count_all() == 0:
        return iter(())  # a new, empty index has no columns yet (Whoosh raises NotImplementedError)
    # An index of format 3 (read only to carry its articles into a rebuild) has no origins:
    # each of its articles was added from its own path.
    origin = ORIGIN if ORIGIN in reader.schema else PATH
    docnums = searcher.docs_for_query(which or Term(KIND, ARTICLE_KIND))
    names = (ARTICLE_ID, CONTENT_HASH, PATH, FILE_HASH, origin)
    return string_columns(reader, names, docnums, few=which is not None)  # type: ignore[return-value]


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
        # A file is asked about several times (known? its ids? its hashes?): read once.
        self._files: dict[str, IndexedArticles] = {}

    def _of_file(self, path: str) -> IndexedArticles:
        known = self._files.get(path)
        if known is None:
            known = self._files[path] = _indexed_articles(self._searcher, Term(PATH, path))
        return known

    def file(self, path: str) -> IndexedFile | None:
        return self._of_file(path).file(path)

    def ids_of(self, path: str) -> Iterator[str]:
        return self._of_file(path).ids_of(path)

    def hashes_of(self, path: str) -> Mapping[str, str]:
        return self._of_file(path).hashes_of(path)

    def get(self, doc_id: str) -> Indexed | None:
        # The last of its documents, as the table keeps (there is one but for a damaged write).
        rows = list(_article_rows(self._searcher, Term(ARTICLE_ID, doc_id)))
        return Indexed(*rows[-1][1:]) if rows else None

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.get(doc_id) is not None


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
) -> Iterator[_Addition]:
    """Compares ``files`` with what is indexed: yields each article to write as it is read,
    and counts the rest in ``changes`` (``changes.seen`` is complete once it is exhausted).

    A file whose bytes hash as before is not even read further (unless it is ``stale``).
    Of a changed JSONL file, only the records whose own content hash changed are parsed and
    re-indexed. (The others keep the file's previous hash, so that file is re-read next
    time, skipping them again.) ``origins`` maps a file's resolved path to where it was
    added from; otherwise the origin indexed for that path is kept, or the file is its own.

    Files are read in :func:`_order`, and an id indexed from a file not among ``files``
    counts as read from there, so an id found in two files always ends up with the same
    one however the index got there (the others get a warning).
    """
    keyed = sorted(((str(file.resolve()), file) for file in files), key=lambda pair: _order(pair[0]))
    claims = _Claims(indexed, {key for key, _ in keyed}, changes)
    for done, (key, file) in enumerate(keyed, 1):
        known_file = indexed.file(key)
        origin = (origins or {}).get(key) or (known_file.origin if known_file else key)
        if known_file is None:
            # A new file is hashed as it is parsed (one pass, whatever its size).
            yield from _read_file(file, key, None, {}, origin, indexed, claims)
        else:
            file_hash = _hash_or_known(file, known_file, changes)
            if file_hash is not None and known_file.file_hash == file_hash and key not in stale:
                changes.unchanged += sum(claims.take(doc_id, key, str(file), indexed_here=True) for doc_id in indexed.ids_of(key))
            elif file_hash is not None:
                # Records whose own hash is indexed from this file are not parsed again.
                yield from _read_file(file, key, file_hash, indexed.hashes_of(key), origin, indexed, claims)
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
) -> Iterator[_Addition]:
    """The additions of one file read again (see :func:`_plan_files`). With no
    ``file_hash`` the file is hashed as it is read: each addition is then held until the
    next one is read, so that the file's last one carries the hash (only a file's last
    article needs it, see :func:`_with_file_hashes`) and the others none."""
    changes = claims.changes
    changes.read.add(key)
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
        yield _counted(replace(held, file_hash=whole), changes)
    changes.unchanged += sum(claims.take(doc_id, key, str(file)) for doc_id in unchanged)


def _counted(addition: _Addition, changes: _Changes) -> _Addition:
    """``addition``, counted in ``changes`` as it goes to the writer."""
    changes.added += 1
    changes.replaced += addition.replaces
    return addition


class _Claims:
    """Which file each doc_id is read from: the first in :func:`_order` keeps it."""

    def __init__(self, indexed: KnownArticles, planned: AbstractSet[str], changes: _Changes):
        self.indexed, self.planned, self.changes = indexed, planned, changes
        # One entry per id: for millions of records, this (not the articles) is what is kept,
        # and it moves to disk past a few ten thousand ids.
        self.seen = changes.seen

    def take(self, doc_id: str, key: str, name: str, indexed_here: bool = False) -> bool:
        """True if the article ``doc_id`` of file ``key`` (shown as ``name``) is the one to
        index; else a duplicate warning, and the file is read again next time (it may win
        the id once the other file is gone). ``indexed_here``: the id is indexed from ``key``
        (then what is indexed of it is not looked up: one look-up per article of every
        unchanged file was a third of an update with nothing to do)."""
        seen = self.seen.get(doc_id)
        first = seen[0] if seen else None
        known = self.indexed.get(doc_id) if first is None and not indexed_here else None
        if known and known.path != key and known.path not in self.planned:
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


def _hash_or_known(file: Path, known_file: IndexedFile | None, changes: _Changes) -> str | None:
    """The hash of ``file``'s bytes (:func:`_hash`). If it cannot be read, a warning, and
    the hash it was indexed with (so what is indexed of it is kept), or None if nothing is."""
    try:
        return _hash(file)
    except OSError as error:
        # Unreadable for now (permissions, a file being copied): what is indexed of it
        # stays, rather than being deleted as if the file were gone.
        kept = "; its indexed articles are kept" if known_file else ""
        changes.warnings.append(CorpusWarning(str(file), cannot_read(error) + kept))
        return known_file.file_hash if known_file else None


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
    first = started = time.process_time()
    committed = 0.0  # CPU seconds of the batches committed so far (workers' included)
    growth = batch_growth
    scale = 1.0  # work per CPU second of this process: 1 while it writes the documents itself
    try:
        for addition, may_end in _with_file_hashes(additions):
            if writer is None:
                writer, started = new_writer(), time.process_time()
                workers_cpu = workers.cpu if workers else 0.0
            if workers is None and start_workers is not None and time.process_time() - first > _PARALLEL_AFTER_SECONDS:
                workers, workers_cpu = start_workers(), 0.0
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
