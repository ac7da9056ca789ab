"""The passage index: Whoosh schema, lifecycle (open / build / update / refresh) and metadata.

Layout of an index folder:

- ``bnptsearch.json`` — format, parser and analyzer versions, and the name of the live
  Whoosh index; replaced atomically, so a rebuild switches over in one step or not at all.
- the Whoosh files of that index (``_<name>_<gen>.toc``, ``<name>_*.seg``).
- ``acronyms.json`` — a cache of the mined acronyms, keyed by index generation.

Every article has one ``kind=article`` document holding its content hash, the file it came
from and that file's hash, committed in the same Whoosh transaction as its passages: the
index never disagrees with itself about what it holds. An update hashes each corpus file,
parses only the files whose hash changed, and re-indexes only the articles whose content
changed.

>>> index, report = Index.build("corpus", "index")    # doctest: +SKIP
>>> index.search("RAN PE Banten").hits[0].doc_id       # doctest: +SKIP
'004_712c4dcd13143a1e'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term
from whoosh.writing import CLEAR

from .acronyms import Acronym, AcronymTable, glossary, mine_acronyms
from .analysis import ANALYZER_VERSION, compounds, indonesian_analyzer, stopwords, surface_analyzer, surface_words
from .corpus import PARSER_VERSION, Article, CorpusWarning, corpus_files, raw_text, read_file
from .errors import CorpusError, IndexLockedError, IndexNotFoundError, IndexOutdatedError
from .passages import split_passages
from .query import SearchRequest
from .results import SearchResults
from .search import Searcher
from .writer import SegmentWriter

__all__ = ["FORMAT_VERSION", "Index", "IndexInfo", "Progress", "UpdateReport"]

FORMAT_VERSION = 3
META_FILE = "bnptsearch.json"
ACRONYM_CACHE = "acronyms.json"
_LOCK_NAME = "bnptsearch_WRITELOCK"
DEFAULT_LOCK_TIMEOUT = 10.0
# Whoosh sorts postings in memory up to limitmb before spilling runs to disk (pickled and
# read back: measured at 14 % of a 100k-passage build with 256 MB); peak RSS stays < 1 GB.
_WRITER_OPTIONS = {"limitmb": 512}
_WHOOSH_FILE = re.compile(r"_?(passages[0-9a-f]{8})_")

# Called as work advances with (stage, done, total): stage "reading" counts corpus files,
# "indexing" counts the articles being analyzed and written.
Progress = Callable[[str, int, int], None]


def passage_schema() -> Schema:
    """One Whoosh document per passage, plus one per article (``kind=article``) for its hash."""
    analyzer = indonesian_analyzer()
    return Schema(
        # Shown for debugging, never searched: stored only.
        pid=STORED,
        kind=ID(stored=True),
        # Passages carry doc_id; the article's own document carries article_id instead, so
        # no user query (not even ``doc_id:...``) can ever match an article document.
        doc_id=ID(stored=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True),
        text=TEXT(analyzer=analyzer, stored=True),
        # The passage's words unstemmed: for did-you-mean suggestions (correcting stems would
        # propose non-words) and the exact-form bonus in ranking (RankingParams.exact_boost). Not
        # Whoosh's spelling=True: with it, fuzzy terms on the stemmed field are looked up
        # among the unstemmed words and never match.
        words=TEXT(analyzer=surface_analyzer(), phrase=False),
        # Publisher names are searched as words ("source:cnnbanten" finds "CNNBanten.id"),
        # not stemmed: they are names.
        source=TEXT(analyzer=RegexTokenizer(r"\w+") | LowercaseFilter(), stored=True),
        # Columns (sortable) make facet counting and update planning lookups instead of
        # stored-field loads. Facets read these two only as columns: no postings.
        source_name=_column_only(ID(sortable=True)),
        year=_column_only(ID(sortable=True)),
        date=_day_field(),
        date_text=STORED,
        place=STORED,
        start=STORED,
        end=STORED,
        number=STORED,
        article_id=ID(stored=True, sortable=True),
        content_hash=ID(sortable=True),
        path=ID(stored=True, sortable=True),
        file_hash=ID(sortable=True),
        acronyms=STORED,
    )


def _day_field() -> DATETIME:
    """A date field indexed as one term per document.

    Whoosh indexes a DATETIME at eight precisions by default (``shift_step=8``) so a range
    over many distinct values is a few term ranges. Dates here are days: even a century of
    them is a range over at most some 36,500 terms, so one term each suffices and a passage
    has seven postings fewer.
    """
    field = DATETIME()
    field.shift_step = 0
    return field


def _column_only(field):
    """``field`` kept as a per-document column but not indexed (no postings to write)."""
    field.indexed = False
    return field


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


@dataclass(frozen=True)
class _Indexed:
    """What the index knows of one article."""

    content_hash: str
    path: str
    file_hash: str


@dataclass
class _Changes:
    """The writes one update will make, and its counts."""

    add: list[tuple[Article, str, bool]] = field(default_factory=list)  # article, file hash, replaces
    delete: set[str] = field(default_factory=set)
    unchanged: int = 0
    warnings: list[CorpusWarning] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.add or self.delete)


def _versions() -> dict:
    return {"format": FORMAT_VERSION, "parser": PARSER_VERSION, "analyzer": ANALYZER_VERSION}


def _read_meta(path: Path) -> dict | None:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise IndexOutdatedError(
            f"index metadata {path / META_FILE} is unreadable ({error}); run `bnptsearch index --rebuild`"
        ) from None


def _write_json(path: Path, data: dict) -> None:
    """Writes ``data`` atomically: readers see the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _check_meta(path: Path, meta: dict) -> str:
    found = {key: meta.get(key) for key in _versions()}
    if found != _versions() or not isinstance(meta.get("indexname"), str):
        raise IndexOutdatedError(
            f"index at {path} was built by another bnptsearch version ({found}; this version "
            f"needs {_versions()}); run `bnptsearch index --rebuild`"
        )
    return meta["indexname"]


def _remove_other_indexes(path: Path, keep: str) -> None:
    """Deletes the files of every Whoosh index but ``keep``: the one a rebuild replaced, or
    a half-written one left by a rebuild that was killed."""
    for file in path.iterdir():
        match = _WHOOSH_FILE.match(file.name)
        if (match and match.group(1) != keep) or (file.name.startswith(".") and file.name.endswith(".tmp")):
            file.unlink(missing_ok=True)


def _file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _article_documents(article: Article, file_hash: str) -> Iterator[dict]:
    """The article's passages, then its own document."""
    published = _first_moment(article.date)
    for passage in split_passages(article.body):
        yield ({"date": published} if published else {}) | {
            "pid": f"{article.doc_id}#{passage.number}",
            "kind": "passage",
            "doc_id": article.doc_id,
            "title": article.title,
            "text": passage.text,
            # A list is indexed as these terms, unanalyzed: they are surface_analyzer's output,
            # taken from the word spans cached while "text" was analyzed.
            "words": surface_words(passage.text),
            "source": article.source or "",
            "source_name": article.source or "",
            "year": (article.date or "")[:4],
            "date_text": article.date or "",
            "place": article.place,
            "start": passage.start,
            "end": passage.end,
            "number": passage.number,
        }
    yield _article_document(article, file_hash)


def _article_document(article: Article, file_hash: str) -> dict:
    return {
        "pid": article.doc_id,
        "kind": "article",
        "article_id": article.doc_id,
        "content_hash": article.content_hash,
        "path": article.path,
        "file_hash": file_hash,
        "acronyms": [[a.short, a.long] for a in mine_acronyms(f"{article.title}.\n{article.body}")],
    }


def _indexed_articles(searcher) -> dict[str, _Indexed]:
    """Every indexed article's hash and file, read from columns (no stored-field loads)."""
    reader = searcher.reader()
    ids, hashes, paths, file_hashes = (
        reader.column_reader(name) for name in ("article_id", "content_hash", "path", "file_hash")
    )
    return {
        ids[docnum]: _Indexed(hashes[docnum], paths[docnum], file_hashes[docnum])
        for docnum in searcher.docs_for_query(Term("kind", "article"))
    }


def _plan_files(
    files: Iterable[Path], indexed: dict[str, _Indexed], changes: _Changes, progress: Progress | None, total: int
) -> set[str]:
    """Compares ``files`` with what is indexed, filling ``changes``; returns the ids seen.

    A file whose bytes hash as before is not even read further. Of a changed JSONL file,
    only the records whose own content hash changed are parsed and re-indexed. (The others
    keep the file's previous hash, so that file is re-read next time, skipping them again.)
    """
    by_path: dict[str, tuple[str, list[str]]] = {}
    for doc_id, known in indexed.items():
        by_path.setdefault(known.path, (known.file_hash, []))[1].append(doc_id)
    seen: dict[str, str] = {}
    for done, file in enumerate(files, 1):
        key = str(file.resolve())
        known_file = by_path.get(key)
        try:
            file_hash = _file_hash(file.read_bytes())
        except OSError as error:
            # Unreadable for now (permissions, a file being copied): what is indexed of it
            # stays, rather than being deleted as if the file were gone.
            kept = "; its indexed articles are kept" if known_file else ""
            changes.warnings.append(CorpusWarning(str(file), f"cannot read file: {error.strerror or error}{kept}"))
            file_hash = known_file[0] if known_file else None
            if file_hash is None:
                continue
        if known_file and known_file[0] == file_hash:
            for doc_id in known_file[1]:
                seen.setdefault(doc_id, key)
            changes.unchanged += len(known_file[1])
        else:
            # Records whose own hash is indexed from this file are not parsed again.
            known = {indexed[doc_id].content_hash: doc_id for doc_id in known_file[1]} if known_file else {}
            load = read_file(file, known)
            changes.warnings.extend(load.warnings)
            for doc_id in load.unchanged:
                seen.setdefault(doc_id, key)
            changes.unchanged += len(load.unchanged)
            for article in load.articles:
                article = _with_path(article, key)
                if article.doc_id in seen:
                    changes.warnings.append(
                        CorpusWarning(str(file), f"duplicate doc_id {article.doc_id!r} (already read from {seen[article.doc_id]}); skipped")
                    )
                    continue
                seen[article.doc_id] = key
                changes.add.append((article, file_hash, article.doc_id in indexed))
        if progress:
            progress("reading", done, total)
    return set(seen)


def _with_path(article: Article, path: str) -> Article:
    return article if article.path == path else replace(article, path=path)


def _write(writer, changes: _Changes, progress: Progress | None = None) -> int:
    """Applies ``changes`` to ``writer``; returns the number of passages written."""
    for doc_id in changes.delete:
        _delete_article(writer, doc_id)
    passages = 0
    for done, (article, file_hash, replaces) in enumerate(changes.add, 1):
        if replaces:
            _delete_article(writer, article.doc_id)
        for document in _article_documents(article, file_hash):
            writer.add_document(**document)
            passages += document["kind"] == "passage"
        if progress:
            progress("indexing", done, len(changes.add))
    return passages


def _report(changes: _Changes, counts: tuple[int, int], started: float) -> UpdateReport:
    replaced = sum(replaces for _, _, replaces in changes.add)
    return UpdateReport(
        added=len(changes.add) - replaced,
        updated=replaced,
        deleted=len(changes.delete),
        unchanged=changes.unchanged,
        articles=counts[0],
        passages=counts[1],
        warnings=tuple(str(w) for w in changes.warnings),
        seconds=time.perf_counter() - started,
    )


class Index:
    """A passage index on disk. Open with :meth:`open`, fill with :meth:`build`/:meth:`update`.

    An ``Index`` keeps one searcher open and refreshes it when another process commits, so a
    long-running object sees new articles without reopening. Not thread-safe: use one per
    thread. Close it (or use ``with``) to release file handles.

    >>> with Index.open("index") as index:                # doctest: +SKIP
    ...     print(index.search("kerja sama BNPT dengan Belanda", limit=3))
    """

    def __init__(self, path: Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT):
        self.path = path
        self.lock_timeout = lock_timeout
        self._indexname, self._ix = _open_live(path)
        self._searcher: Searcher | None = None
        self._acronyms: tuple[tuple[str, int], AcronymTable] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike = "index") -> bool:
        """True if ``path`` holds a bnptsearch index (of any version)."""
        return (Path(path) / META_FILE).is_file()

    @classmethod
    def open(
        cls, path: str | os.PathLike = "index", *, create: bool = False, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    ) -> Index:
        """Opens the index at ``path``; with ``create=True`` an empty one is made if none exists.

        Raises :class:`IndexNotFoundError` if there is none, :class:`IndexOutdatedError` if it
        was written by an incompatible version. ``lock_timeout`` is how long writes wait for
        another writer before :class:`IndexLockedError`.
        """
        path = Path(path)
        meta = _read_meta(path)
        if meta is None:
            if not create:
                raise IndexNotFoundError(f"no index at {path}; run `bnptsearch index` to build one")
            path.mkdir(parents=True, exist_ok=True)
            with _write_lock(path, lock_timeout):
                meta = _read_meta(path)
                if meta is None:
                    indexname = _new_indexname()
                    whoosh_index.create_in(str(path), passage_schema(), indexname=indexname)
                    _write_json(path / META_FILE, _versions() | {"indexname": indexname})
                    meta = _read_meta(path)
        _check_meta(path, meta)
        try:
            return cls(path, lock_timeout)
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
    ) -> tuple[Index, UpdateReport]:
        """Builds the index at ``path`` from scratch from the articles under ``corpus``.

        The new index is written beside the old one and switched in atomically: if the build
        fails or is killed, the previous index is still there and searchable.

        >>> index, report = Index.build("corpus", "index")   # doctest: +SKIP
        >>> report.added                                      # doctest: +SKIP
        5
        """
        path = Path(path)
        started = time.perf_counter()
        files, folder_warnings = corpus_files(corpus)
        path.mkdir(parents=True, exist_ok=True)
        with _write_lock(path, lock_timeout):
            old = _read_meta(path)
            indexname = _new_indexname()
            changes = _Changes(warnings=list(folder_warnings))
            _plan_files(files, {}, changes, progress, len(files))
            ix = whoosh_index.create_in(str(path), passage_schema(), indexname=indexname)
            try:
                writer = SegmentWriter(ix, **_WRITER_OPTIONS)
                try:
                    passages = _write(writer, changes, progress)
                    writer.commit(mergetype=CLEAR)
                except BaseException:
                    writer.cancel()
                    raise
            except BaseException:
                ix.close()
                _remove_other_indexes(path, keep=(old or {}).get("indexname", ""))
                raise
            ix.close()
            _write_json(path / META_FILE, _versions() | {"indexname": indexname})
            _remove_other_indexes(path, keep=indexname)
        index = cls.open(path, lock_timeout=lock_timeout)
        return index, _report(changes, (len(changes.add), passages), started)

    def update(self, corpus: str | os.PathLike, *, progress: Progress | None = None) -> UpdateReport:
        """Brings the index in line with ``corpus``: new articles added, changed ones
        re-indexed, articles whose file left the corpus folder deleted.

        Files are compared by content hash (a touched file is not re-read) and so are
        articles (one changed line of a JSONL file re-indexes that article only). Articles
        indexed from outside ``corpus`` (``add`` without copying) are left alone.

        >>> index.update("corpus").added                      # doctest: +SKIP
        1
        """
        started = time.perf_counter()
        files, folder_warnings = corpus_files(corpus)
        folder = Path(corpus).resolve()
        with self._writing() as indexed:
            changes = _Changes(warnings=list(folder_warnings))
            seen = _plan_files(files, indexed, changes, progress, len(files))
            changes.delete = {
                doc_id
                for doc_id, known in indexed.items()
                if doc_id not in seen and Path(known.path).is_relative_to(folder)
            }
            if changes.delete and len(changes.delete) == len(indexed) and not seen:
                # An empty or mistyped corpus folder would otherwise delete every article.
                raise CorpusError(
                    f"no articles found under {corpus}; refusing to delete all {len(indexed)} indexed "
                    "articles (use `bnptsearch index --rebuild` to really empty the index)"
                )
            self._commit(changes, progress)
        return _report(changes, self.counts(), started)

    def add(self, files: Sequence[str | os.PathLike], *, progress: Progress | None = None) -> UpdateReport:
        """Indexes the articles of ``files`` (``.txt``/``.jsonl``), adding new ones and
        replacing changed ones; nothing is deleted.

        >>> index.add(["new/2024_bnpt.txt"]).added            # doctest: +SKIP
        1
        """
        started = time.perf_counter()
        paths = [Path(f) for f in files]
        for path in paths:
            if not path.is_file():
                raise CorpusError(f"{path}: no such file")
        with self._writing() as indexed:
            changes = _Changes()
            _plan_files(paths, indexed, changes, progress, len(paths))
            self._commit(changes, progress)
        return _report(changes, self.counts(), started)

    def remove(self, doc_ids: Sequence[str]) -> UpdateReport:
        """Deletes the articles ``doc_ids``; unknown ids become warnings.

        >>> index.remove(["002_c1e97dfba439882a"]).deleted   # doctest: +SKIP
        1
        """
        started = time.perf_counter()
        with self._writing() as indexed:
            changes = _Changes(delete={d for d in doc_ids if d in indexed})
            changes.warnings = [CorpusWarning(d, "no such article in the index") for d in doc_ids if d not in indexed]
            self._commit(changes, None)
        return _report(changes, self.counts(), started)

    def optimize(self) -> int:
        """Merges the index into one segment; returns the number of segments before.

        Every update adds a segment and Whoosh merges the small ones as it goes, so an index
        kept up to date by many small updates drifts to around ten segments, and queries get
        slower with each (measured: 200 one-article commits on 100k passages, 10 segments,
        query p50 about ×1.2; one segment, ×0.75). Merging rewrites the whole index: minutes
        at 100k passages, so it is a separate, occasional step.

        >>> index.optimize()                                  # doctest: +SKIP
        10
        """
        with _write_lock(self.path, self.lock_timeout):
            self._reopen_if_switched()
            before = len(self.searcher().whoosh.reader().leaf_readers())
            if before > 1:
                SegmentWriter(self._ix, **_WRITER_OPTIONS).commit(optimize=True)
        return before

    @contextmanager
    def _writing(self) -> Iterator[dict[str, _Indexed]]:
        """Holds the write lock; yields what the index holds now."""
        with _write_lock(self.path, self.lock_timeout):
            self._reopen_if_switched()
            _remove_other_indexes(self.path, keep=self._indexname)
            with self._ix.searcher() as searcher:
                yield _indexed_articles(searcher)

    def _commit(self, changes: _Changes, progress: Progress | None) -> None:
        if changes.empty:
            return
        writer = SegmentWriter(self._ix, **_WRITER_OPTIONS)
        try:
            _write(writer, changes, progress)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise

    def article(self, doc_id: str) -> Article:
        """The indexed article ``doc_id``, read again from its file (clean text and metadata).

        Raises :class:`CorpusError` if the file is gone or changed since it was indexed.
        """
        known = self._known(doc_id)
        for article in read_file(known.path).articles:
            if article.doc_id == doc_id:
                if article.content_hash != known.content_hash:
                    break
                return article
        raise CorpusError(f"article {doc_id!r} changed in {known.path} since it was indexed; run `bnptsearch index`")

    def raw(self, doc_id: str) -> str:
        """The indexed article ``doc_id`` as it is in its file, before cleaning."""
        return raw_text(self._known(doc_id).path, doc_id)

    def _known(self, doc_id: str) -> _Indexed:
        known = _indexed_articles(self.searcher().whoosh).get(doc_id)
        if known is None:
            raise CorpusError(f"no article {doc_id!r} in the index at {self.path}")
        return known

    def close(self) -> None:
        """Releases the searcher and the index's file handles."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------

    def _reopen_if_switched(self) -> None:
        """Follows a rebuild made by another process (the metadata names a new index)."""
        meta = _read_meta(self.path)
        if meta is None:
            raise IndexNotFoundError(f"index at {self.path} has been removed")
        if _check_meta(self.path, meta) != self._indexname:
            self.close()
            self._indexname, self._ix = _open_live(self.path)

    def searcher(self) -> Searcher:
        """The current searcher, refreshed if the index changed since the last call."""
        self._reopen_if_switched()
        if self._searcher is None:
            self._searcher = Searcher(self._ix.searcher())
        else:
            self._searcher.refresh(self._ix)
        return self._searcher

    def acronyms(self) -> AcronymTable:
        """Acronyms mined from the indexed articles plus the curated glossary.

        Kept in a cache file keyed by the index generation, so a cold start does not read
        every article document; recomputed whenever the index has moved on.
        """
        return self._acronym_table(self.searcher().whoosh)

    def _acronym_table(self, searcher) -> AcronymTable:
        key = (self._indexname, self._ix.latest_generation())
        if self._acronyms is not None and self._acronyms[0] == key:
            return self._acronyms[1]
        cache_file = self.path / ACRONYM_CACHE
        try:
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
            pairs = cached["acronyms"] if cached["key"] == list(key) else None
        except (OSError, ValueError, KeyError, TypeError):
            pairs = None
        if pairs is None:
            found = {tuple(pair) for fields in searcher.documents(kind="article") for pair in fields.get("acronyms", ())}
            pairs = sorted(found)
            try:
                _write_json(cache_file, {"key": list(key), "acronyms": pairs})
            except OSError:
                pass  # a read-only index still works; it just recomputes next time
        table = AcronymTable([Acronym(short, long) for short, long in pairs] + list(glossary()))
        self._acronyms = (key, table)
        return table

    def search(self, query: str | SearchRequest, **options: Any) -> SearchResults:
        """Ranked passages for ``query``, best first, with highlights.

        ``options`` are the fields of :class:`~bnptsearch.query.SearchRequest` (or pass one
        request instead of the text):

        - ``limit``/``offset``: the page of hits to return (``results.total`` counts all);
        - ``per_article``: at most this many passages of one article (None: no cap);
        - ``expand``: also search the other form of acronyms and long forms;
        - ``fuzzy``: tolerate a typo or two in every word (``word~`` does it for one word);
        - ``sources``, ``since``/``until`` (``2022``, ``2022-03``, ``2022-03-23``), ``doc_ids``:
          filters; ``facets``: count matching articles per source and year;
        - ``explain``: each hit lists its matched terms and their scores;
        - ``count``: also count every matching passage (``results.total``; it costs a pass
          over all matches, so it is off unless asked for);
        - ``ranking``: :class:`~bnptsearch.ranking.RankingParams` to rank with.

        >>> index.search("RAN PE Banten", limit=1).hits[0].title   # doctest: +SKIP
        'Pemprov Banten dan Masyarakat Sipil Perkuat Pencegahan dan Penanggulangan Terorisme'
        """
        request = query if isinstance(query, SearchRequest) else SearchRequest(query=query, **options)
        searcher = self.searcher()  # refreshed once per query, for the search and the acronyms
        return searcher.search(request, self._acronym_table(searcher.whoosh) if request.expand else None)

    def counts(self) -> tuple[int, int]:
        """(articles, passages) in the index."""
        searcher = self.searcher().whoosh
        # doc_frequency() would still count deleted documents until their segment merges.
        articles = sum(1 for _ in searcher.docs_for_query(Term("kind", "article")))
        return articles, searcher.doc_count() - articles

    def info(self) -> IndexInfo:
        """Location, counts and analyzer settings of this index."""
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
                f"{len(compounds())} joined compounds | Tala stopwords ({len(stopwords())}) and question words | "
                "Snowball indonesian with repairs"
            ),
        )


def _first_moment(date: str | None) -> datetime | None:
    """The start of an ISO date, month or year ("2022-03" → 2022-03-01), for date ranges."""
    if not date:
        return None
    parts = [int(p) for p in date.split("-")[:3]]
    return datetime(*(parts + [1] * (3 - len(parts))))


def _delete_article(writer, doc_id: str) -> None:
    writer.delete_by_term("article_id", doc_id)
    writer.delete_by_term("doc_id", doc_id)


def _open_live(path: Path):
    """(name, Whoosh index) of the index the metadata names now.

    A rebuild in another process may switch the metadata and delete the old files between
    our reading the name and opening it: then the name is read again.
    """
    for _ in range(3):
        indexname = _check_meta(path, _read_meta(path) or {})
        try:
            return indexname, whoosh_index.open_dir(str(path), indexname=indexname)
        except whoosh_index.EmptyIndexError:
            continue
    raise IndexNotFoundError(f"index at {path} keeps changing under us; try again")


def _new_indexname() -> str:
    return f"passages{secrets.token_hex(4)}"


@contextmanager
def _write_lock(path: Path, timeout: float) -> Iterator[None]:
    """The index-wide write lock: one writer at a time, waiting at most ``timeout`` seconds.

    It is an OS file lock (``flock``), so the kernel releases it when a writer dies: a
    killed ``bnptsearch index`` leaves no stale lock behind.
    """
    lock = FileStorage(str(path)).lock(_LOCK_NAME)
    deadline = time.monotonic() + timeout
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise IndexLockedError(
                f"index at {path} is being written by another process (waited {timeout:g} s); try again later"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()
