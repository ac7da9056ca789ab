"""The passage index: the :class:`Index` facade over the index folder.

How the folder is laid out and kept consistent is :mod:`bnptsearch.store`; what goes into
it, :mod:`bnptsearch.schema`; how an update is planned and written, :mod:`bnptsearch.update`.

>>> index, report = Index.build("corpus", "index")    # doctest: +SKIP
>>> index.search("RAN PE Banten").hits[0].doc_id       # doctest: +SKIP
'004_712c4dcd13143a1e'
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, Literal, Self, overload

from whoosh import index as whoosh_index
from whoosh.query import Term
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.writing import CLEAR

from .acronyms import Acronym, AcronymTable, glossary
from .analysis import ANALYZER_VERSION, compounds, english_stopwords, stopwords
from .blockcache import DEFAULT_BLOCK_CACHE_BYTES, BlockCache
from .corpus import (
    PARSER_VERSION,
    Article,
    CorpusWarning,
    corpus_files,
    raw_text,
    read_file,
    readable_format,
    save_fields,
)
from .corpus_copy import copy_into
from .embedding import E5Embedder, Embedder
from .errors import (
    ArticleNotFoundError,
    BnptSearchError,
    CorpusError,
    IndexDamagedError,
    IndexNotFoundError,
    IndexOutdatedError,
    QueryError,
    SemanticUnavailableError,
)
from .highlight import highlight_spans, wanted_terms
from .idmap import Indexed, IndexedArticles, KnownArticles
from .parallel import SegmentWorkers, default_jobs
from .query import SORT_ALIASES, SORTS, SearchRequest, parse_query
from .results import NONE_LABEL, ArticlePage, ArticleSummary, SearchResults
from .schema import ACRONYMS, ARTICLE_ID, ARTICLE_KIND, KIND, PATH
from .search import WORDS_ONLY_NOTE, Dense, Searcher
from .store import (
    DEFAULT_LOCK_TIMEOUT,
    FORMAT_VERSION,
    META_FILE,
    STAT_CACHE,
    CheckReport,
    _check_folder,
    _check_meta,
    _check_trusted,
    _holds_index_files,
    _new_index,
    _open_live,
    _read_acronym_cache,
    _read_checked,
    _read_meta,
    _record_generation,
    _remove_other_indexes,
    _set_stale_files,
    _stale_files,
    _switch_to,
    _verify_generation,
    _write_acronym_cache,
    _write_checked,
    _write_lock,
    _writes_to,
)
from .update import (
    Progress,
    _Addition,
    _Changes,
    _FileHashes,
    _FolderLookup,
    _indexed_articles,
    _IndexLookup,
    _placement,
    _plan_files,
    _write_in_batches,
)
from .vectors import VECTORS_FILE, Vectors, check_vectors, embed_missing, model_mismatch, vectors_model
from .whoosh_compat import SegmentWriter, abandon, deleted_docs, release_mapped_pages, remove_uncommitted, segment_key

__all__ = ["Index", "IndexInfo", "UpdateReport"]

# Whoosh sorts postings in memory up to limitmb before spilling sorted runs to disk (written
# compactly: whoosh_compat.CompactPostingPool); peak RSS stays < 1 GB.
# compound=False: a segment is written as separate files instead of being copied into one
# after it is written (see whoosh_compat.SegmentFiles for how readers keep them).
_WRITER_OPTIONS: dict[str, Any] = {"limitmb": 512, "compound": False}
# The sorting memory of all worker processes together (see _workers): with half of the one
# writer's 512 MB each, two workers spilled sorting runs at 100k passages that one writer
# did not (3.7x the bytes written, 1.45x the CPU); peak RSS per worker is then about that of
# one writer (596-632 MB at 100k, 725 MB at 1M), so two workers and the parent (which plans
# and commits: 126 MB at 100k; see _writer_options) stay under 2 GB.
_WORKERS_LIMITMB = 1024
# An update commits after about this much work, so Ctrl-C or a full disk loses at most
# that much (and the reading before the first batch). Each commit adds a segment flush and
# a merge: a 10k-passage first build took 62-65 s in one transaction, 63-72 s in batches of
# 5-20 s (load 10, within the noise; README, Performance).
_BATCH_SECONDS = 10.0
# ...or a quarter of the work committed before it, if that is more: so a large update (a
# first build) writes a few large segments, not one per 10 s of work that each write their
# vocabulary and are merged again later (see update._write_in_batches), and Ctrl-C keeps at
# least four fifths of the work done.
_BATCH_GROWTH = 0.25


def _job_count(jobs: int | None) -> int:
    """The processes an update may write with: ``jobs``, or by default
    :func:`~bnptsearch.parallel.default_jobs`."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise BnptSearchError(f"jobs must be at least 1, not {jobs}")
    return jobs


def _writer_options(jobs: int) -> dict[str, Any]:
    """The options of the writer that commits: with workers it writes only the merges of
    small segments, at the time the workers write out theirs (their memory and its add up)."""
    return _WRITER_OPTIONS if jobs == 1 else _WRITER_OPTIONS | {"limitmb": _WRITER_OPTIONS["limitmb"] // 2}


def _workers(path: Path, indexname: str, jobs: int) -> Callable[[], SegmentWorkers] | None:
    """What starts the worker processes of an update that may use ``jobs`` processes, or
    None for one. The workers share :data:`_WORKERS_LIMITMB` of sorting memory."""
    if jobs == 1:
        return None
    options = _WRITER_OPTIONS | {"limitmb": max(128, _WORKERS_LIMITMB // jobs)}
    return partial(SegmentWorkers, str(path), indexname, jobs, options)


# The acronym table of each index folder's latest generation, shared by the read-only Index
# objects of one process: `serve` keeps several, and they cannot cache the table on disk, so
# each would otherwise re-read every article document after every commit (0.7 s at 100k).
_ACRONYM_TABLES: dict[Path, tuple[tuple[str, int], AcronymTable]] = {}
# The passage vectors of each index folder, with the stamp of the manifest they were read
# from: shared by the Index objects of one process (and their row maps with them).
_VECTORS: dict[Path, tuple[tuple[int, int, int], Vectors]] = {}
# Queries of a batch embedded per call to the model (batch_search): one call for many
# queries is cheaper than one each, and a block bounds what is held at once.
_QUERY_BLOCK = 64


@dataclass(frozen=True)
class UpdateReport:
    """What an index update did. ``warnings`` are corpus problems, one line each."""

    added: int
    updated: int
    deleted: int
    unchanged: int
    articles: int
    passages: int
    warnings: tuple[str, ...]
    seconds: float
    # What was done that was not asked for in so many words (a copy given a free name).
    notes: tuple[str, ...] = ()
    # Passages embedded for semantic search (an index with vectors, see Index.update).
    embedded: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


@dataclass(frozen=True)
class IndexInfo:
    """Where an index lives and what it holds."""

    path: str
    articles: int
    passages: int
    format_version: int
    parser_version: str
    analyzer_version: str
    analyzer: str


def _report(changes: _Changes, counts: tuple[int, int], started: float, embedded: int = 0) -> UpdateReport:
    """The report of ``changes``, once written; ``counts`` are the index's (articles, passages)."""
    return UpdateReport(
        added=changes.added - changes.replaced,
        updated=changes.replaced,
        deleted=len(changes.delete),
        unchanged=changes.unchanged,
        articles=counts[0],
        passages=counts[1],
        warnings=tuple(str(w) for w in changes.warnings),
        seconds=time.perf_counter() - started,
        notes=tuple(changes.notes),
        embedded=embedded,
    )


def _committing(writer: SegmentWriter, progress: Progress | None, **options: Any) -> None:
    """Commits ``writer``, reported to ``progress`` as the stage "committing" (0 of 1, then
    1 of 1): merging and writing the segments is a large share of a build that the
    indexing stage's count cannot show (issue 14: the bar sat at "0 s left" for the last
    40 % of a rebuild)."""
    if progress:
        progress("committing", 0, 1)
    writer.commit(**options)
    if progress:
        progress("committing", 1, 1)


def _previous_articles(path: Path, meta: dict[str, Any] | None, changes: _Changes) -> IndexedArticles:
    """What the index a rebuild replaces holds (whatever its format version), so that the
    articles it had from outside the corpus folder are kept; an empty table with a warning
    if that index cannot be read."""
    if not meta or not isinstance(meta.get("indexname"), str):
        return IndexedArticles()
    try:
        ix = whoosh_index.open_dir(str(path), indexname=meta["indexname"])
        try:
            with ix.searcher() as searcher:
                return _indexed_articles(searcher)
        finally:
            ix.close()
    except Exception as error:  # noqa: BLE001 -- an index of any past version, damaged or not
        changes.warnings.append(
            CorpusWarning(
                str(path),
                f"cannot read the index being replaced ({error}); articles it had from outside the corpus folder are not kept",
            )
        )
        return IndexedArticles()


def _files_outside(previous: IndexedArticles, folder: Path, changes: _Changes) -> list[Path]:
    """The files of ``previous`` articles outside ``folder`` (other corpus folders, ``add
    --no-copy``) that still exist; a warning for each one that does not."""
    # Each distinct file tested once, then one pass over (id, path): ``values()`` would look
    # every article up in the table.
    outside = {path for path in previous.files if not Path(path).is_relative_to(folder)}
    counts = Counter(path for _, path in previous.paths() if path in outside)
    for path, count in sorted(counts.items()):
        if not Path(path).is_file():
            message = f"no longer exists; its {count} indexed articles are not in the rebuilt index"
            changes.warnings.append(CorpusWarning(path, message))
    return [Path(path) for path in sorted(counts) if Path(path).is_file()]


def _article_count(leaf: Any) -> int:
    """The articles of one segment: its article documents (the term's document frequency,
    which counts deleted ones until the segment merges) less its deleted article documents.
    Each update reports the counts: listing every article document took 0.08 s at 100k
    passages, where a segment's deletions are the few documents its last changes replaced."""
    if not leaf.has_deletions():
        return int(leaf.doc_frequency(KIND, ARTICLE_KIND))
    deleted = sum(leaf.stored_fields(docnum).get(KIND) == ARTICLE_KIND for docnum in deleted_docs(leaf))
    return int(leaf.doc_frequency(KIND, ARTICLE_KIND)) - deleted


class _Embedding:
    """The embedding an update makes: ``embedder`` None when the index has no vectors and
    none are asked for. Made before the update starts, so a missing model or a model
    mismatch is reported before any work, not after the words are indexed.

    An update of an index with vectors, where the model is not installed, still indexes the
    words: ``note`` says the new passages are not embedded (the next run with it does it)."""

    def __init__(self, path: Path, embedder: Embedder | None, enable: bool, rebuild: bool):
        self.enable, self.rebuild = enable or rebuild, rebuild
        recorded = vectors_model(path) if Index.exists(path) else None
        self.embedder = None
        self.note: str | None = None
        if self.enable or recorded is not None:
            try:
                self.embedder = embedder or E5Embedder()
            except SemanticUnavailableError as error:
                if self.enable:
                    raise
                self.note = f"{error}; new passages are not embedded until it is installed and `bnptsearch index` runs"
                return
            if recorded is not None and recorded != self.embedder.name and not rebuild:
                raise model_mismatch(recorded, self.embedder.name)


class Index:
    """A passage index on disk. Open with :meth:`open`, fill with :meth:`build`/:meth:`update`.

    An ``Index`` keeps one searcher open and refreshes it when another process commits, so a
    long-running object sees new articles without reopening. Not thread-safe: use one per
    thread. Close it (or use ``with``) to release file handles.

    >>> with Index.open("index") as index:                # doctest: +SKIP
    ...     print(index.search("kerja sama BNPT dengan Belanda", limit=3))
    """

    def __init__(
        self,
        path: Path,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        read_only: bool = False,
        embedder: Embedder | None = None,
        block_cache: int | BlockCache = DEFAULT_BLOCK_CACHE_BYTES,
    ):
        self.path = path
        # Decoded posting blocks, kept for the searches that follow (see blockcache).
        self.block_cache = block_cache if isinstance(block_cache, BlockCache) else BlockCache(block_cache)
        self.lock_timeout = lock_timeout
        self.read_only = read_only
        # The model for semantic search (E5Embedder, made on first use, unless given).
        self._embedder = embedder
        self._indexname, self._ix, generation = _open_live(path, remember=not read_only)
        self._searcher: Searcher | None = None
        self._acronyms: tuple[tuple[str, int], AcronymTable] | None = None
        self._segment_acronyms: dict[tuple[str, int], frozenset[tuple[str, str]]] = {}
        # The generation whose files were last verified against their manifest.
        self._verified: tuple[str, int] | None = (self._indexname, generation)

    # -- lifecycle -----------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike = "index") -> bool:
        """True if ``path`` holds a bnptsearch index (of any version, or damaged).

        >>> Index.exists("index")                            # doctest: +SKIP
        True
        """
        return (Path(path) / META_FILE).is_file() or _holds_index_files(Path(path))

    @staticmethod
    def check(path: str | os.PathLike = "index") -> CheckReport:
        """Reads every file of the index at ``path`` and compares it with the size and CRC32
        recorded when it was written; ``report.damaged`` lists the files that differ.

        Only bytes and JSON are read (nothing is unpickled), so it is safe on any folder.

        >>> Index.check("index").ok                          # doctest: +SKIP
        True
        """
        report = _check_folder(Path(path))
        checked, damaged, notes = check_vectors(Path(path))
        size = sum((Path(path) / name).stat().st_size for name in checked if (Path(path) / name).exists())
        return replace(
            report,
            checked=report.checked + tuple(checked),
            size=report.size + size,
            damaged=report.damaged + tuple(damaged),
            notes=report.notes + tuple(notes),
        )

    @classmethod
    def open(
        cls,
        path: str | os.PathLike = "index",
        *,
        create: bool = False,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        read_only: bool = False,
        embedder: Embedder | None = None,
        block_cache: int | BlockCache = DEFAULT_BLOCK_CACHE_BYTES,
    ) -> Index:
        """Opens the index at ``path``; with ``create=True`` an empty one is made if none exists.

        Raises :class:`IndexNotFoundError` if there is none, :class:`IndexOutdatedError` if it
        was written by an incompatible version. ``lock_timeout`` is how long writes wait for
        another writer before :class:`IndexLockedError`. With ``read_only`` nothing is ever
        written to the folder, not even the acronym cache, and writing methods raise
        :class:`BnptSearchError` (``bnptsearch serve`` opens indexes so). ``embedder`` is the
        model of semantic search (:class:`~bnptsearch.embedding.E5Embedder` by default).
        ``block_cache`` is how many bytes of decoded posting blocks to keep between searches
        (0: none), or a :class:`~bnptsearch.blockcache.BlockCache` to share with other
        :class:`Index` objects of the same folder (``bnptsearch serve``'s do).

        >>> index = Index.open("index", create=True)        # doctest: +SKIP
        """
        path = Path(path)
        meta = _read_meta(path)
        if meta is None:
            if not create or read_only:
                raise IndexNotFoundError(f"no index at {path}; run `bnptsearch index` to build one")
            with _writes_to(path):
                path.mkdir(parents=True, exist_ok=True)
                with _write_lock(path, lock_timeout):
                    if _read_meta(path) is None:  # not made by another process while we waited
                        indexname, ix = _new_index(path)
                        ix.close()
                        _switch_to(path, indexname)
        try:
            # Opening checks the metadata's versions (IndexOutdatedError) before any file.
            return cls(path, lock_timeout, read_only, embedder, block_cache)
        except (OSError, whoosh_index.IndexError, EOFError, AttributeError, ImportError) as error:
            raise IndexOutdatedError(
                f"index at {path} cannot be opened ({error}); run `bnptsearch index --rebuild`"
            ) from None

    @classmethod
    def build(
        cls,
        corpus: str | os.PathLike,
        path: str | os.PathLike = "index",
        *,
        progress: Progress | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        fields: Mapping[str, str] | None = None,
        semantic: bool = False,
        embedder: Embedder | None = None,
        rebuild_vectors: bool = False,
        jobs: int | None = None,
    ) -> tuple[Index, UpdateReport]:
        """Builds the index at ``path`` from scratch from the articles under ``corpus``.

        ``fields`` maps record fields to the column names of the corpus's CSV/JSON exports
        (``{"title": "judul", "text": "isi"}``); it is kept in the corpus folder
        (:data:`~bnptsearch.corpus.FIELDS_FILE`) for later updates.

        The new index is written beside the old one and switched in atomically: if the build
        fails or is killed, the previous index is still there and searchable. Where there is
        no index yet, it is filled in batches like :meth:`update` instead, so an interrupted
        first build keeps what it committed and an update resumes it.

        ``semantic``, ``embedder`` and ``rebuild_vectors`` are those of :meth:`update`:
        passage vectors whose text is unchanged are kept through a rebuild; so is ``jobs``.

        >>> index, report = Index.build("corpus", "index")   # doctest: +SKIP
        >>> report.added                                      # doctest: +SKIP
        5
        """
        path = Path(path)
        started = time.perf_counter()
        if fields is not None:
            save_fields(corpus, fields)
        # The model is loaded (or found missing) before the long part, not after it.
        model = _Embedding(path, embedder, semantic, rebuild_vectors)
        if not cls.exists(path):
            # Nothing to keep searchable: fill a new live index in batches, so an
            # interrupted first build keeps its work and `bnptsearch index` resumes it.
            _check_trusted(path)
            index = cls.open(path, create=True, lock_timeout=lock_timeout, embedder=model.embedder)
            try:
                return index, index.update(
                    corpus, progress=progress, semantic=semantic, rebuild_vectors=rebuild_vectors, jobs=jobs
                )
            except BaseException:
                index.close()
                raise
        files, folder_warnings = corpus_files(corpus)
        jobs = _job_count(jobs)  # a wrong count is an error before anything is read
        _check_trusted(path)  # it will be opened once built
        with _write_lock(path, lock_timeout):
            try:
                old = _read_meta(path)
            except IndexDamagedError:
                old = None  # a rebuild is the cure
            changes = _Changes(warnings=list(folder_warnings))
            previous = _previous_articles(path, old, changes)
            files += _files_outside(previous, Path(corpus).resolve(), changes)
            origins = {path: known.origin for path, known in previous.files.items()}
            additions = _plan_files(files, IndexedArticles(), changes, progress, origins=origins)
            with _writes_to(path):
                indexname, ix = _new_index(path)
                try:
                    # One transaction, into one segment: the old index stays live until the
                    # switch, so batches would keep nothing (a re-run starts a new index).
                    passages = _write_in_batches(
                        lambda: SegmentWriter(ix, partial(_record_generation, path, indexname), **_writer_options(jobs)),
                        lambda writer: _committing(writer, progress, mergetype=CLEAR),
                        additions,
                        batch_seconds=math.inf,
                        start_workers=_workers(path, indexname, jobs),
                    )
                except BaseException:
                    ix.close()
                    _remove_other_indexes(path, keep=(old or {}).get("indexname", ""))
                    raise
                ix.close()
                _switch_to(path, indexname, changes.stale)
                _remove_other_indexes(path, keep=indexname)
        index = cls.open(path, lock_timeout=lock_timeout, embedder=model.embedder)
        try:
            with index._write_lock(), _writes_to(path):
                embedded = index._embed(model, progress, changes.notes)
        except BaseException:
            index.close()
            raise
        return index, _report(changes, (changes.added, passages), started, embedded)

    def update(
        self,
        corpus: str | os.PathLike,
        *,
        progress: Progress | None = None,
        fields: Mapping[str, str] | None = None,
        semantic: bool = False,
        embedder: Embedder | None = None,
        rebuild_vectors: bool = False,
        jobs: int | None = None,
    ) -> UpdateReport:
        """Brings the index in line with ``corpus``: new articles added, changed ones
        re-indexed, articles whose file left the corpus folder deleted.

        ``fields`` is a new field mapping for the corpus's exports (see :meth:`build`); files
        already indexed are read with it at the next rebuild or when they change.

        Files are compared by content hash (a touched file is not re-read) and so are
        articles (one changed line of a JSONL file re-indexes that article only). Articles
        indexed from outside ``corpus`` (``add`` without copying) are left alone. An article
        removed with :meth:`remove` whose file is still in ``corpus`` comes back.

        With ``semantic`` the index gets passage vectors for semantic and hybrid search,
        made by ``embedder`` (default: :class:`~bnptsearch.embedding.E5Embedder`, the
        ``semantic`` extra); the setting and the model's name are recorded, so every later
        update (and :meth:`add`) embeds the passages it adds. Embedding runs after the
        words are committed, in batches committed about every 10 s: an interrupted run keeps
        them, and the next embeds only the rest (``report.embedded`` counts them).
        ``rebuild_vectors`` drops every vector and embeds all passages again (another
        model). Vectors of another model than ``embedder`` are an error.

        ``jobs``: the processes that write the new articles (default: one per CPU this
        process may use, at most 4). Workers start only once the update has taken a few
        seconds of writing (:data:`~bnptsearch.update._PARALLEL_AFTER_SECONDS`): a small
        update runs in this process alone. The index is the same whatever ``jobs`` is (the
        same documents, the same scores), in about ``jobs`` times as many segments per batch.

        >>> index.update("corpus").added                      # doctest: +SKIP
        1
        >>> index.update("corpus", semantic=True).embedded    # doctest: +SKIP
        37
        """
        started = time.perf_counter()
        jobs = _job_count(jobs)
        if fields is not None:
            save_fields(corpus, fields)
        model = _Embedding(self.path, embedder or self._embedder, semantic, rebuild_vectors)
        files, folder_warnings = corpus_files(corpus)
        folder = Path(corpus).resolve()
        with self._writing() as indexed:
            changes = _Changes(warnings=list(folder_warnings))
            stale = _stale_files(self.path)
            hashes = _FileHashes(_read_checked(self.path, STAT_CACHE))

            def deletions() -> set[str]:
                """Once every file is read: the articles whose file left the folder, or that
                their file (read again) no longer has. A file kept unchanged keeps them all."""
                left = (path for path in indexed.files if path not in changes.kept)
                under = [path for path in left if Path(path).is_relative_to(folder)]
                delete = {doc_id for path in under for doc_id in indexed.ids_of(path) if doc_id not in changes.seen}
                if delete and not changes.seen and set(under) == set(indexed.files):
                    # An empty or mistyped corpus folder would otherwise delete every article.
                    # (Files, not counts: a damaged write's second document of an id counts.)
                    raise CorpusError(
                        f"no articles found under {corpus}; refusing to delete all {len(delete)} indexed "
                        "articles (use `bnptsearch index --rebuild` to really empty the index)"
                    )
                return delete

            plan = _plan_files(files, indexed, changes, progress, stale=stale, hashes=hashes)
            self._commit(changes, plan, stale, deletions, progress, jobs)
            if hashes.changed():
                _write_checked(self.path, STAT_CACHE, hashes.now)
            indexed.record()
            embedded = self._embed(model, progress, changes.notes)
        return _report(changes, self.counts(), started, embedded)

    def add(
        self,
        files: Sequence[str | os.PathLike],
        *,
        copy_to: str | os.PathLike | None = None,
        replace: bool = False,
        progress: Progress | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> UpdateReport:
        """Indexes the articles of ``files`` (any supported format), adding new ones and
        replacing changed ones; nothing is deleted. ``fields`` (see :meth:`build`) is kept
        in the indexed files' folders (the corpus folder, for copies) as the mapping of
        these files.

        With ``copy_to`` (the corpus folder) each file is first copied there (atomically,
        see :func:`~bnptsearch.corpus_copy.copy_into`) and the copy is indexed. A name
        already held by another article is not replaced: the copy gets a free name
        (``berita-2.txt``) and ``report.notes`` says so. Adding again from the same source
        path replaces its copy; ``replace=True`` replaces whatever holds the name.

        In an index with passage vectors (see :meth:`update`), the new passages are embedded.

        >>> index.add(["new/2024_bnpt.txt"]).added            # doctest: +SKIP
        1
        >>> index.add(["dl2/berita.txt"], copy_to="corpus").notes[0]   # doctest: +SKIP
        'dl2/berita.txt: corpus/berita.txt already holds another article (added from /home/u/dl1/berita.txt); ...'

        """
        started = time.perf_counter()
        model = _Embedding(self.path, self._embedder, False, False)
        paths = [Path(f) for f in files]
        for path in paths:
            if not path.is_file():
                raise CorpusError(f"{path}: no such file")
            readable_format(path)  # before anything is copied
        with self._writing(whole=False) as indexed:
            changes = _Changes()
            origins: dict[str, str] = {}
            if copy_to is not None:
                paths = [self._copy(path, Path(copy_to), indexed, replace, changes, origins) for path in paths]
            if fields is not None:
                for path in paths:
                    save_fields(path.parent, fields, path.name)
            stale = _stale_files(self.path)
            self._commit(
                changes, _plan_files(paths, indexed, changes, progress, origins=origins, stale=stale), stale, progress=progress
            )
            embedded = self._embed(model, progress, changes.notes)
        return _report(changes, self.counts(), started, embedded)

    @staticmethod
    def _copy(
        source: Path, folder: Path, indexed: KnownArticles, replace: bool, changes: _Changes, origins: dict[str, str]
    ) -> Path:
        """Copies ``source`` into ``folder`` where :func:`_placement` says; returns the copy."""
        place = _placement(source, folder, indexed, replace)
        target = copy_into(source, folder, place.name, replace=place.replace) if place.copy else folder / place.name
        if place.note:
            changes.notes.append(place.note)
        if place.copy:
            origins[str(target.resolve())] = str(source.resolve())
        return target

    def remove(self, doc_ids: Sequence[str]) -> UpdateReport:
        """Deletes the articles ``doc_ids``; unknown ids become warnings.

        The next :meth:`update` adds an article back if its file is still in the corpus
        folder (as a rebuild would): delete or edit the file to keep it out.

        >>> index.remove(["002_c1e97dfba439882a"]).deleted   # doctest: +SKIP
        1
        """
        started = time.perf_counter()
        with self._writing(whole=False) as indexed:
            known = {d: indexed.get(d) for d in doc_ids}
            delete = {d for d, article in known.items() if article}
            changes = _Changes(warnings=[CorpusWarning(d, "no such article in the index") for d in doc_ids if not known[d]])
            # Read those files again next time, though their hash has not changed.
            changes.stale = {article.path for article in known.values() if article}
            self._commit(changes, iter(()), _stale_files(self.path), lambda: delete)
        return _report(changes, self.counts(), started)

    def optimize(self) -> int:
        """Merges the index into one segment; returns the number of segments before.

        Every update adds a segment and Whoosh merges the small ones as it goes, so an index
        kept up to date by many small updates drifts to around ten segments, and queries get
        slower with each (README, Performance). Merging rewrites the whole index: minutes
        at 100k passages, so it is a separate, occasional step.

        >>> index.optimize()                                  # doctest: +SKIP
        10
        """
        with self._write_lock(), self._damage_reported():
            self._reopen_if_switched()
            before = len(self.searcher().whoosh.reader().leaf_readers())
            if before > 1:
                with _writes_to(self.path):
                    writer = SegmentWriter(self._ix, self._record, **_WRITER_OPTIONS)
                    try:
                        writer.commit(optimize=True)
                    except BaseException:
                        abandon(writer)
                        remove_uncommitted(self._ix)
                        raise
        return before

    @overload
    def _writing(self, whole: Literal[True] = ...) -> AbstractContextManager[_FolderLookup]: ...

    @overload
    def _writing(self, whole: Literal[False]) -> AbstractContextManager[KnownArticles]: ...

    @contextmanager  # type: ignore[misc]
    def _writing(self, whole: bool = True) -> Iterator[KnownArticles]:
        """Holds the write lock; yields what the index holds now: every file and a look-up
        of the articles (``whole``: an update of a corpus folder deletes what it does not
        find, see :class:`~bnptsearch.update._FolderLookup`) or a look-up of only the files
        and ids a small change asks about (``add``, ``remove``: reading every article grew
        with the index, 0.66 s of adding one at 100k passages). The snapshot they look up
        stays open until the change is written."""
        with self._write_lock():
            self._reopen_if_switched()
            with _writes_to(self.path):
                # What a killed or failed writer left behind (on a full disk, it keeps it full).
                _remove_other_indexes(self.path, keep=self._indexname)
                remove_uncommitted(self._ix)
            with self._ix.searcher() as searcher:
                with self._damage_reported():
                    # Verified first: a change merged with damaged segments would carry the
                    # damage into new files with fresh checksums.
                    self._verify(searcher)
                    indexed: KnownArticles = _FolderLookup(searcher, self.path) if whole else _IndexLookup(searcher)
                yield indexed

    def _record(self, generation: int, files: dict[str, str]) -> None:
        """The writers' ``before_commit`` hook: records the new generation's checksums."""
        _record_generation(self.path, self._indexname, generation, files)

    def _write_lock(self) -> AbstractContextManager[None]:
        if self.read_only:
            raise BnptSearchError(f"the index at {self.path} was opened read-only")
        return _write_lock(self.path, self.lock_timeout)

    def _commit(
        self,
        changes: _Changes,
        additions: Iterator[_Addition],
        stale: set[str],
        deletions: Callable[[], set[str]] = set,
        progress: Progress | None = None,
        jobs: int = 1,
    ) -> None:
        """Writes ``additions`` as they are planned, then ``deletions()`` (called once the
        plan is exhausted), in Whoosh transactions of about ``_BATCH_SECONDS`` of work each
        (:func:`~bnptsearch.update._write_in_batches`, with up to ``jobs`` worker
        processes); each commit records its checksums
        and is reported to ``progress`` (stage "committing").
        On any error, the batch being written is undone and its files removed; the batches
        before it stay committed.

        ``stale`` are the files marked to be read again before this update; the mark is
        set on ``changes.stale`` too before each commit, and cleared on the files read only
        after the last (a crash in between costs a needless re-read, never a missed one)."""

        def commit(writer: SegmentWriter) -> None:
            _set_stale_files(self.path, stale | changes.stale)
            _committing(writer, progress)

        def deleted() -> set[str]:
            changes.delete = deletions()
            return changes.delete

        try:
            with _writes_to(self.path):
                _write_in_batches(
                    lambda: SegmentWriter(self._ix, self._record, **_writer_options(jobs)),
                    commit,
                    additions,
                    deleted,
                    batch_seconds=_BATCH_SECONDS,
                    batch_growth=_BATCH_GROWTH,
                    start_workers=_workers(self.path, self._indexname, jobs),
                )
                _set_stale_files(self.path, {path for path in (stale - changes.read) | changes.stale if os.path.exists(path)})
        except BaseException:
            remove_uncommitted(self._ix)
            raise

    def _embed(self, model: _Embedding, progress: Progress | None, notes: list[str] | None = None) -> int:
        """Embeds the committed passages that have no vector, if the index has vectors (or
        ``model`` turns them on); call with the write lock. Returns how many were embedded;
        adds to ``notes`` why none were, where there is a reason to say."""
        if model.embedder is None:
            if model.note and notes is not None:
                notes.append(model.note)
            return 0
        self._embedder = model.embedder
        with _writes_to(self.path), self._ix.searcher() as searcher:
            return embed_missing(
                self.path,
                self._indexname,
                searcher,
                model.embedder,
                enable=model.enable,
                rebuild=model.rebuild,
                progress=progress,
                batch_seconds=_BATCH_SECONDS,
            )

    def _committed_vectors(self) -> Vectors | None:
        """The index's passage vectors (None: it has none), read again when committed anew;
        one copy per index folder and process (``serve`` keeps several Index objects)."""
        try:
            info = os.stat(self.path / VECTORS_FILE)
        except FileNotFoundError:
            return None
        stamp = (info.st_mtime_ns, info.st_ino, info.st_size)
        key = self.path.resolve()
        shared = _VECTORS.get(key)
        if shared is None or shared[0] != stamp:
            vectors = Vectors.load(self.path)
            if vectors is None:
                return None
            shared = _VECTORS[key] = (stamp, vectors)
        return shared[1]

    def _dense(self, request: SearchRequest, ahead: Mapping[str, Any] | None = None) -> tuple[Dense | None, tuple[str, ...]]:
        """What ``request`` adds to the word search in hybrid or semantic mode (None: words
        only), and a note when the default mode falls back to words. ``ahead``: query
        vectors already embedded (by :meth:`batch_search`), by query text."""
        vectors, embedder, notes = self._dense_model(request)
        if vectors is None or embedder is None:
            return None, notes
        vector = ahead.get(request.query) if ahead else None
        if vector is None:
            vector = embedder.embed_queries([request.query])[0]
        return Dense(vector, vectors, request.mode or "hybrid"), ()

    def _dense_model(self, request: SearchRequest) -> tuple[Vectors | None, Embedder | None, tuple[str, ...]]:
        """(the index's vectors, the model to embed ``request``'s query by, a note), the
        first two None when the request is searched by words only."""
        if request.mode == "lexical" or (request.mode is None and (request.like is not None or request.sort != "relevance")):
            return None, None, ()
        if request.like is not None or request.sort != "relevance":
            raise QueryError(f"--mode {request.mode} ranks by meaning: not with --like or a sort by date")
        vectors = self._committed_vectors()
        if vectors is None or not request.query.strip():
            if request.mode is not None and vectors is None:
                raise QueryError(f"the index at {self.path} has no passage vectors; run `bnptsearch index --semantic` first")
            return None, None, ()
        try:
            embedder = self._embedder = self._embedder or E5Embedder()
        except SemanticUnavailableError as error:
            if request.mode is not None:
                raise
            return None, None, (f"{error}; {WORDS_ONLY_NOTE}",)
        if embedder.name != vectors.model:
            raise model_mismatch(vectors.model, embedder.name)
        return vectors, embedder, ()

    def article(self, doc_id: str) -> Article:
        """The indexed article ``doc_id``, read again from its file (clean text and metadata).

        Raises :class:`CorpusError` if the file is gone or changed since it was indexed.

        >>> index.article("004_712c4dcd13143a1e").source     # doctest: +SKIP
        'CNNBanten.id'
        """
        known = self._known(doc_id)
        with self._damage_reported():
            same_file = _indexed_articles(self.searcher().whoosh, Term(PATH, known.path))
        # The file's other indexed records are skipped unparsed (by their hashes): cleaning
        # every article of a 1,000-article JSONL file to show one took a second.
        others = {k.content_hash: d for d, k in same_file.items() if d != doc_id}
        for article in read_file(known.path, known=others).articles:
            if article.doc_id == doc_id:
                if article.content_hash != known.content_hash:
                    break
                return article
        raise CorpusError(f"article {doc_id!r} changed in {known.path} since it was indexed; run `bnptsearch index`")

    def raw(self, doc_id: str) -> str:
        """The indexed article ``doc_id`` as it is in its file, before cleaning.

        >>> index.raw("004_712c4dcd13143a1e")[:7]           # doctest: +SKIP
        'SERANG,'
        """
        return raw_text(self._known(doc_id).path, doc_id)

    def _known(self, doc_id: str) -> Indexed:
        with self._damage_reported():
            # Only this article's own document is read (not every article's, for one page).
            known = _indexed_articles(self.searcher().whoosh, Term(ARTICLE_ID, doc_id)).get(doc_id)
        if known is None:
            raise ArticleNotFoundError(f"no article {doc_id!r} in the index at {self.path}")
        return known

    def close(self) -> None:
        """Releases the searcher and the index's file handles."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def _reopen_if_switched(self) -> None:
        """Follows a rebuild made by another process (the metadata names a new index)."""
        meta = _read_meta(self.path)
        if meta is None:
            raise IndexNotFoundError(f"index at {self.path} has been removed")
        if _check_meta(self.path, meta) != self._indexname:
            self.close()
            self._indexname, self._ix, generation = _open_live(self.path, remember=not self.read_only)
            self._verified = (self._indexname, generation)

    def searcher(self) -> Searcher:
        """The current searcher, refreshed if the index changed since the last call.

        >>> index.searcher().whoosh.doc_count()              # doctest: +SKIP
        37
        """
        self._reopen_if_switched()
        for _ in range(3):
            if self._searcher is None:
                self._searcher = Searcher(self._ix.searcher(), self.block_cache)
            else:
                self._searcher.refresh(self._ix)
            if self._verify(self._searcher.whoosh):
                return self._searcher
        raise IndexNotFoundError(f"index at {self.path} keeps changing under us; try again")

    def _verify(self, searcher: WhooshSearcher) -> bool:
        """Checks the files of the generation ``searcher`` reads, once per generation: True
        if intact, False if a writer has replaced it meanwhile (refresh and try again)."""
        generation = searcher.reader().generation()
        if generation is None:  # an empty index's reader does not say
            generation = self._ix.latest_generation()
        if self._verified == (self._indexname, generation):
            return True
        if not _verify_generation(self.path, self._indexname, generation, remember=not self.read_only):
            return False
        self._verified = (self._indexname, generation)
        return True

    @contextmanager
    def _damage_reported(self) -> Iterator[None]:
        """An unexpected error while reading (a raw ``zlib.error``, ``struct.error``, …) is
        checked against the checksums: if files are damaged it becomes
        :class:`IndexDamagedError` naming them; otherwise it is a bug and goes on as is."""
        try:
            yield
        except BnptSearchError:
            raise
        except Exception:
            report = _check_folder(self.path)
            if report.damaged:
                raise IndexDamagedError(tuple(file.name for file in report.damaged)) from None
            raise

    def acronyms(self) -> AcronymTable:
        """Acronyms mined from the indexed articles plus the curated glossary.

        Kept in a cache file keyed by the index generation, so a cold start does not read
        every article document; recomputed whenever the index has moved on.

        >>> index.acronyms()                                 # doctest: +SKIP
        """
        with self._damage_reported():
            return self._acronym_table(self.searcher().whoosh)

    def _acronym_table(self, searcher: WhooshSearcher) -> AcronymTable:
        key = (self._indexname, self._ix.latest_generation())
        if self._acronyms is not None and self._acronyms[0] == key:
            return self._acronyms[1]
        shared = _ACRONYM_TABLES.get(self.path.resolve()) if self.read_only else None
        if shared is not None and shared[0] == key:
            self._acronyms = shared
            return shared[1]
        # A process that has mined the segments once only mines the new ones; the cache
        # file is for cold starts (writing it at every commit cost a reader 15 ms a query).
        warm = bool(self._segment_acronyms)
        pairs = None if warm else _read_acronym_cache(self.path, list(key))
        if pairs is None:
            pairs = [list(pair) for pair in sorted(self._mine_acronyms(searcher))]
            if not warm and not self.read_only:
                _write_acronym_cache(self.path, list(key), pairs)
        table = AcronymTable([Acronym(short, long) for short, long in pairs] + list(glossary()))
        self._acronyms = (key, table)
        if self.read_only:
            _ACRONYM_TABLES[self.path.resolve()] = self._acronyms
        return table

    def _mine_acronyms(self, searcher: WhooshSearcher) -> set[tuple[str, str]]:
        """The acronym pairs stored with the live articles, segment by segment: a segment's
        pairs are kept while it is unchanged, so after another process's commit only its new
        segments' articles are read (all of them were: 100+ ms per commit at 20k passages)."""
        mined: dict[tuple[str, int], frozenset[tuple[str, str]]] = {}
        for leaf, _ in searcher.leaf_searchers():
            key = segment_key(leaf.reader())
            pairs = self._segment_acronyms.get(key)
            if pairs is None:
                pairs = frozenset(
                    (short, long) for fields in leaf.documents(**{KIND: ARTICLE_KIND}) for short, long in fields.get(ACRONYMS, ())
                )
                # That read every article's stored fields, spread over the whole segment's
                # stored-fields file: let go of those pages now, not at the next release.
                release_mapped_pages(leaf.reader())
            mined[key] = pairs
        self._segment_acronyms = mined
        return set().union(*mined.values())

    def search(self, query: str | SearchRequest, **options: Any) -> SearchResults:
        """Ranked passages for ``query``, best first, with highlights.

        ``options`` are the fields of :class:`~bnptsearch.query.SearchRequest` (or pass one
        request instead of the text):

        - ``limit``/``offset``: the page of hits to return (``results.total`` counts all);
        - ``per_article``: at most this many passages of one article (None: no cap);
        - ``expand``: also search the other form of acronyms and long forms;
        - ``fuzzy``: True tolerates a typo or two in every word (``word~`` does it for one
          word); None (default) replaces a word that matches nothing by the closest indexed
          word (``results.corrected``); False searches the words exactly as typed;
        - ``sources``, ``since``/``until`` (``2022``, ``2022-03``, ``2022-03-23``), ``doc_ids``:
          filters; ``facets``: count matching articles per source, year and month;
        - ``include_undated``: keep articles without a date despite ``since``/``until``
          (otherwise ``results.undated`` counts those left out);
        - ``explain``: each hit lists its matched terms and their scores;
        - ``count``: also count every matching passage (``results.total``; it costs a pass
          over all matches, so it is off unless asked for);
        - ``ranking``: :class:`~bnptsearch.ranking.RankingParams` to rank with.
        - ``timeout``: seconds before the search returns what it has found so far, with
          ``results.timed_out`` set and a note (default 5; None: no limit).
        - ``mode``: "lexical" (words), "hybrid" (words and meaning fused, see
          :class:`~bnptsearch.ranking.RankingParams`) or "semantic" (meaning alone); by
          default hybrid where the index has passage vectors (:meth:`update` with
          ``semantic=True``), else lexical.

        >>> index.search("RAN PE Banten", limit=1).hits[0].title   # doctest: +SKIP
        'Pemprov Banten dan Masyarakat Sipil Perkuat Pencegahan dan Penanggulangan Terorisme'
        >>> index.search("BNPT", since="2022-03", expand=False, count=True).total  # doctest: +SKIP
        4
        """
        if isinstance(query, SearchRequest):
            if options:
                raise TypeError(f"a SearchRequest already holds every option; got {sorted(options)} besides")
            request = query
        else:
            request = SearchRequest(query=query, **options)
        return self._search(request)

    def _search(self, request: SearchRequest, ahead: Mapping[str, Any] | None = None) -> SearchResults:
        """:meth:`search`, with query vectors embedded ``ahead`` (see :meth:`_dense`)."""
        with self._damage_reported():
            searcher = self.searcher()  # refreshed once per query, for the search and the acronyms
            dense, notes = self._dense(request, ahead)
            results = searcher.search(request, self._acronym_table(searcher.whoosh) if request.expand else None, dense)
        return replace(results, notes=results.notes + notes) if notes else results

    def articles(self, **filters: Any) -> tuple[ArticleSummary, ...]:
        """The indexed articles that meet the filters (those of :meth:`article_page`), all of them.

        >>> [a.doc_id for a in index.articles(sources=["CNNBanten.id"])]   # doctest: +SKIP
        ['004_712c4dcd13143a1e']
        """
        return self.article_page(**filters).articles

    def article_page(
        self,
        *,
        sources: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        include_undated: bool = False,
        doc_ids: Sequence[str] = (),
        sort: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> ArticlePage:
        """The indexed articles that meet the filters (as in :meth:`search`), by id, or by
        date with ``sort`` "date"/"oldest" or "-date"/"newest" (undated articles last):
        ``limit`` of them (all if None) from ``offset`` on, with how many there are in all.

        >>> page = index.article_page(sort="-date", limit=2, offset=2)   # doctest: +SKIP
        >>> [a.doc_id for a in page.articles], page.total                 # doctest: +SKIP
        (['004_712c4dcd13143a1e', '000_d9719fe4b4a867df'], 5)
        """
        if offset < 0 or (limit is not None and limit < 1):
            raise QueryError(f"a page needs offset >= 0 and limit >= 1, not offset {offset}, limit {limit}")
        order = SORT_ALIASES.get(sort, sort) if sort is not None else None
        if order is not None and order not in SORTS[1:]:
            raise QueryError(f"unknown sort {sort!r} for articles; use {', '.join((*SORTS[1:], *SORT_ALIASES))} or none (by id)")
        request = SearchRequest(
            "", sources=tuple(sources), since=since, until=until, include_undated=include_undated, doc_ids=tuple(doc_ids)
        )
        with self._damage_reported():
            return self.searcher().articles(request, order, offset, limit)

    def sources(self) -> dict[str, int]:
        """Articles per source, most first (``NONE_LABEL``, "(none)", for articles without one).

        >>> index.sources()                                  # doctest: +SKIP
        {'BNPT': 2, 'CNNBanten.id': 1, ...}
        """
        counts = Counter(article.source or NONE_LABEL for article in self.articles())
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def filter_warnings(self, sources: Sequence[str] = (), doc_ids: Sequence[str] = ()) -> tuple[str, ...]:
        """A line for each source or article id that names nothing in the index, with close
        matches (:meth:`search` puts these in ``results.warnings``).

        >>> index.filter_warnings(doc_ids=["004_712c"])      # doctest: +SKIP
        ("no article '004_712c' in the index; did you mean: 004_712c4dcd13143a1e?",)
        """
        with self._damage_reported():
            return self.searcher().filter_warnings(sources, doc_ids)

    def similar(self, doc_id: str, *, limit: int = 10, **options: Any) -> SearchResults:
        """Passages like article ``doc_id``'s, one per article, the article itself left out:
        its most distinctive terms (tf·idf over its passages) searched as a query.
        ``options`` are those of :meth:`search`.

        >>> index.similar("004_712c4dcd13143a1e", limit=3).hits[0].doc_id   # doctest: +SKIP
        '000_d9719fe4b4a867df'
        """
        return self.search(SearchRequest("", like=doc_id, limit=limit, **{"per_article": 1, **options}))

    def highlight(self, text: str, query: str, *, expand: bool = True) -> tuple[tuple[int, int], ...]:
        """Spans of the words of ``text`` that ``query`` matches, found as a hit's are: to
        mark the query in a whole article rather than one passage.

        >>> body = index.article("004_712c4dcd13143a1e").body      # doctest: +SKIP
        >>> render_html(body, index.highlight(body, "RAN PE"))    # doctest: +SKIP
        """
        whoosh = self.searcher().whoosh
        parsed, _ = parse_query(query, whoosh.schema, self._acronym_table(whoosh) if expand else None)
        return highlight_spans(text, wanted_terms(parsed, whoosh.reader()))

    def batch_search(
        self, queries: Iterable[tuple[str, str]], **options: Any
    ) -> Iterator[tuple[str, SearchResults | QueryError]]:
        """Runs each ``(qid, query)`` with the same ``options`` (as :meth:`search`),
        yielding ``(qid, results)``, or ``(qid, error)`` for a query that cannot be run, so
        one bad query does not end the batch.

        >>> for qid, found in index.batch_search([("q1", "RAN PE"), ("q2", "")], limit=5):  # doctest: +SKIP
        ...     print(qid, found if isinstance(found, QueryError) else len(found.hits))
        q1 5
        q2 empty query: type some words to search for
        """
        pending = iter(queries)
        while block := list(islice(pending, _QUERY_BLOCK)):
            ahead = self._embedded_ahead([query for _, query in block], options)
            for qid, query in block:
                try:
                    yield qid, self._search(SearchRequest(query=query, **options), ahead)
                except QueryError as error:
                    yield qid, error

    def _embedded_ahead(self, texts: list[str], options: dict[str, Any]) -> dict[str, Any]:
        """The vectors of the queries ``texts`` (each searched with ``options``), embedded in
        one call to the model, by text; empty if their searches embed nothing. An error is
        left for each search to report."""
        try:
            vectors, embedder, _ = self._dense_model(SearchRequest(query="x", **options))
        except (BnptSearchError, TypeError):  # bad options: each search says so
            return {}
        if vectors is None or embedder is None:
            return {}
        wanted = list(dict.fromkeys(text for text in texts if text.strip()))
        return dict(zip(wanted, embedder.embed_queries(wanted))) if wanted else {}

    def counts(self) -> tuple[int, int]:
        """(articles, passages) in the index.

        >>> index.counts()                                   # doctest: +SKIP
        (5, 32)
        """
        with self._damage_reported():
            searcher = self.searcher().whoosh
            articles = sum(_article_count(leaf) for leaf, _ in searcher.reader().leaf_readers())
            return articles, searcher.doc_count() - articles

    def info(self) -> IndexInfo:
        """Location, counts and analyzer settings of this index.

        >>> index.info().articles                            # doctest: +SKIP
        5
        """
        articles, passages = self.counts()
        return IndexInfo(
            path=str(self.path),
            articles=articles,
            passages=passages,
            format_version=FORMAT_VERSION,
            parser_version=PARSER_VERSION,
            analyzer_version=ANALYZER_VERSION,
            analyzer=(
                "Unicode words, reduplication folded | lowercase | "
                f"{len(compounds())} joined compounds | Tala stopwords ({len(stopwords())}), "
                f"English stopwords ({len(english_stopwords())}) and question words | "
                "Snowball indonesian with repairs"
            ),
        )
