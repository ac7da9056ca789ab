"""The passage index: Whoosh schema, lifecycle (open / build / update / refresh) and metadata.

Layout of an index folder:

- ``bnptsearch.json`` — format and analyzer versions, and the name of the live Whoosh index;
  replaced atomically, so a rebuild switches over in one step or not at all.
- the Whoosh files of that index (``_<name>_<gen>.toc``, ``<name>_*.seg``).

Every article has one ``kind=article`` document holding its content hash, committed in the
same Whoosh transaction as its passages: the index never disagrees with itself about what it
holds, and an update re-indexes exactly the articles whose content changed.

>>> index = Index.build("corpus", "index")            # doctest: +SKIP
>>> index.search("RAN PE Banten").hits[0].doc_id       # doctest: +SKIP
'004_712c4dcd13143a1e'
"""

from __future__ import annotations

import json
import os
import secrets
import time
from datetime import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import RegexTokenizer, LowercaseFilter
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term
from whoosh.writing import CLEAR

from .acronyms import Acronym, AcronymTable, glossary, mine_acronyms
from .analysis import ANALYZER_VERSION, compounds, indonesian_analyzer, stopwords, surface_analyzer
from .corpus import Article, load_corpus
from .errors import CorpusError, IndexLockedError, IndexNotFoundError, IndexOutdatedError
from .passages import split_passages
from .search import SearchRequest, SearchResults, Searcher

__all__ = ["FORMAT_VERSION", "Index", "IndexInfo", "UpdateReport"]

FORMAT_VERSION = 1
META_FILE = "bnptsearch.json"
ACRONYM_CACHE = "acronyms.json"
_LOCK_NAME = "bnptsearch_WRITELOCK"
_LOCK_TIMEOUT = 10.0


def passage_schema() -> Schema:
    """One Whoosh document per passage, plus one per article (``kind=article``) for its hash."""
    analyzer = indonesian_analyzer()
    return Schema(
        pid=ID(unique=True, stored=True),
        kind=ID(stored=True),
        # Passages carry doc_id; the article's own document carries article_id instead, so
        # no user query (not even ``doc_id:...``) can ever match an article document.
        doc_id=ID(stored=True, sortable=True),
        article_id=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True),
        text=TEXT(analyzer=analyzer, stored=True),
        # The passage's words unstemmed, for did-you-mean suggestions (correcting stems would
        # propose non-words). Not Whoosh's spelling=True: with it, fuzzy terms on the
        # stemmed field are looked up among the unstemmed words and never match.
        words=TEXT(analyzer=surface_analyzer(), phrase=False),
        # Publisher names are searched as words ("source:cnnbanten" finds "CNNBanten.id"),
        # not stemmed: they are names.
        source=TEXT(analyzer=RegexTokenizer(r"\w+") | LowercaseFilter(), stored=True),
        # Columns (sortable) make facet counting a lookup instead of a stored-field load.
        source_name=ID(sortable=True),
        year=ID(sortable=True),
        date=DATETIME(),
        date_text=STORED,
        place=STORED,
        start=STORED,
        end=STORED,
        number=STORED,
        content_hash=ID(stored=True),
        path=STORED,
        acronyms=STORED,
    )


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
    analyzer_version: str
    analyzer: str


def _read_meta(path: Path) -> dict | None:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise IndexOutdatedError(
            f"index metadata {path / META_FILE} is unreadable ({error}); run `bnptsearch index --rebuild`"
        ) from None


def _write_meta(path: Path, indexname: str) -> None:
    meta = {"format": FORMAT_VERSION, "analyzer": ANALYZER_VERSION, "indexname": indexname}
    tmp = path / f".{META_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def _check_meta(path: Path, meta: dict) -> str:
    if meta.get("format") != FORMAT_VERSION or meta.get("analyzer") != ANALYZER_VERSION:
        raise IndexOutdatedError(
            f"index at {path} was built by another bnptsearch version "
            f"(format {meta.get('format')}, analyzer {meta.get('analyzer')}; this version needs "
            f"format {FORMAT_VERSION}, analyzer {ANALYZER_VERSION}); run `bnptsearch index --rebuild`"
        )
    return meta["indexname"]


def _remove_whoosh_files(path: Path, indexname: str) -> None:
    for file in path.iterdir():
        if file.name.startswith((f"_{indexname}_", f"{indexname}_")):
            file.unlink(missing_ok=True)


def _article_documents(article: Article) -> Iterator[dict]:
    yield {
        "pid": article.doc_id,
        "kind": "article",
        "article_id": article.doc_id,
        "content_hash": article.content_hash,
        "path": article.path,
        "acronyms": [[a.short, a.long] for a in mine_acronyms(f"{article.title}.\n{article.body}")],
    }
    published = _first_moment(article.date)
    for passage in split_passages(article.body):
        yield ({"date": published} if published else {}) | {
            "pid": f"{article.doc_id}#{passage.number}",
            "kind": "passage",
            "doc_id": article.doc_id,
            "title": article.title,
            "text": passage.text,
            "words": passage.text,
            "source": article.source or "",
            "source_name": article.source or "",
            "year": (article.date or "")[:4],
            "date_text": article.date or "",
            "place": article.place,
            "start": passage.start,
            "end": passage.end,
            "number": passage.number,
        }


class Index:
    """A passage index on disk. Open with :meth:`open`, fill with :meth:`build`/:meth:`update`.

    An ``Index`` keeps one searcher open and refreshes it when another process commits, so a
    long-running object sees new articles without reopening. Not thread-safe: use one per
    thread. Close it (or use ``with``) to release file handles.

    >>> with Index.open("index") as index:                # doctest: +SKIP
    ...     print(index.search("kerja sama BNPT dengan Belanda", limit=3))
    """

    def __init__(self, path: Path, indexname: str):
        self.path = path
        self._indexname = indexname
        self._ix = whoosh_index.open_dir(str(path), indexname=indexname)
        self._searcher: Searcher | None = None
        self._acronyms: tuple[tuple[str, int], AcronymTable] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike = "index") -> bool:
        """True if ``path`` holds a bnptsearch index (of any version)."""
        return (Path(path) / META_FILE).is_file()

    @classmethod
    def open(cls, path: str | os.PathLike = "index", *, create: bool = False) -> Index:
        """Opens the index at ``path``; with ``create=True`` an empty one is made if none exists.

        Raises :class:`IndexNotFoundError` if there is none, :class:`IndexOutdatedError` if it
        was written by an incompatible version.
        """
        path = Path(path)
        meta = _read_meta(path)
        if meta is None:
            if not create:
                raise IndexNotFoundError(f"no index at {path}; run `bnptsearch index` to build one")
            path.mkdir(parents=True, exist_ok=True)
            with _write_lock(path):
                meta = _read_meta(path)
                if meta is None:
                    indexname = _new_indexname()
                    whoosh_index.create_in(str(path), passage_schema(), indexname=indexname)
                    _write_meta(path, indexname)
                    meta = _read_meta(path)
        indexname = _check_meta(path, meta)
        try:
            return cls(path, indexname)
        except (OSError, whoosh_index.IndexError, EOFError, AttributeError, ImportError) as error:
            raise IndexOutdatedError(
                f"index at {path} cannot be opened ({error}); run `bnptsearch index --rebuild`"
            ) from None

    @classmethod
    def build(cls, corpus: str | os.PathLike, path: str | os.PathLike = "index") -> tuple[Index, UpdateReport]:
        """Builds the index at ``path`` from scratch from the articles under ``corpus``.

        The new index is written beside the old one and switched in atomically: if the build
        fails, the previous index is still there and searchable.
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        load = load_corpus(corpus)
        with _write_lock(path):
            old_meta = _read_meta(path)
            indexname = _new_indexname()
            ix = whoosh_index.create_in(str(path), passage_schema(), indexname=indexname)
            try:
                writer = ix.writer(limitmb=256)
                passages = 0
                for article in load.articles:
                    for document in _article_documents(article):
                        writer.add_document(**document)
                        passages += document["kind"] == "passage"
                writer.commit(mergetype=CLEAR)
            except BaseException:
                ix.close()
                _remove_whoosh_files(path, indexname)
                raise
            ix.close()
            _write_meta(path, indexname)
            if old_meta and old_meta.get("indexname"):
                _remove_whoosh_files(path, old_meta["indexname"])
        report = UpdateReport(
            added=len(load.articles),
            updated=0,
            deleted=0,
            unchanged=0,
            articles=len(load.articles),
            passages=passages,
            warnings=tuple(str(w) for w in load.warnings),
            seconds=time.perf_counter() - started,
        )
        return cls.open(path), report

    def update(self, corpus: str | os.PathLike) -> UpdateReport:
        """Brings the index in line with ``corpus``: new articles added, changed ones
        re-indexed, vanished ones deleted. Articles are compared by content hash.

        >>> index.update("corpus").added                      # doctest: +SKIP
        1
        """
        started = time.perf_counter()
        load = load_corpus(corpus)
        with _write_lock(self.path):
            self._reopen_if_switched()
            with self._ix.searcher() as searcher:
                indexed = {
                    fields["article_id"]: fields["content_hash"] for fields in searcher.documents(kind="article")
                }
            if indexed and not load.articles:
                # An empty or mistyped corpus folder would otherwise delete every article.
                raise CorpusError(
                    f"no articles found under {corpus}; refusing to delete all {len(indexed)} indexed "
                    "articles (use `bnptsearch index --rebuild` to really empty the index)"
                )
            added = updated = unchanged = 0
            writer = None
            try:
                for article in load.articles:
                    previous = indexed.pop(article.doc_id, None)
                    if previous == article.content_hash:
                        unchanged += 1
                        continue
                    writer = writer or self._ix.writer(limitmb=256)
                    if previous is None:
                        added += 1
                    else:
                        _delete_article(writer, article.doc_id)
                        updated += 1
                    for document in _article_documents(article):
                        writer.add_document(**document)
                for doc_id in indexed:
                    writer = writer or self._ix.writer(limitmb=256)
                    _delete_article(writer, doc_id)
                if writer is not None:
                    writer.commit()
            except BaseException:
                if writer is not None:
                    writer.cancel()
                raise
        counts = self.counts()
        return UpdateReport(
            added=added,
            updated=updated,
            deleted=len(indexed),
            unchanged=unchanged,
            articles=counts[0],
            passages=counts[1],
            warnings=tuple(str(w) for w in load.warnings),
            seconds=time.perf_counter() - started,
        )

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
        indexname = _check_meta(self.path, meta)
        if indexname != self._indexname:
            self.close()
            self._indexname = indexname
            self._ix = whoosh_index.open_dir(str(self.path), indexname=indexname)

    def searcher(self) -> Searcher:
        """The current searcher, refreshed if the index changed since the last call."""
        self._reopen_if_switched()
        if self._searcher is None:
            self._searcher = Searcher(self._ix.searcher())
        else:
            self._searcher.refresh()
        return self._searcher

    def acronyms(self) -> AcronymTable:
        """Acronyms mined from the indexed articles plus the curated glossary.

        Kept in a cache file keyed by the index generation, so a cold start does not read
        every article document; recomputed whenever the index has moved on.
        """
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
            with self._ix.searcher() as searcher:
                found = {tuple(pair) for fields in searcher.documents(kind="article") for pair in fields.get("acronyms", ())}
            pairs = sorted(found)
            try:
                tmp = self.path / f".{ACRONYM_CACHE}.{os.getpid()}.tmp"
                tmp.write_text(json.dumps({"key": list(key), "acronyms": pairs}, ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, cache_file)
            except OSError:
                pass  # a read-only index still works; it just recomputes next time
        table = AcronymTable([Acronym(short, long) for short, long in pairs] + list(glossary()))
        self._acronyms = (key, table)
        return table

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        per_article: int | None = 3,
        expand: bool = True,
        fuzzy: bool = False,
        sources: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        doc_ids: Sequence[str] = (),
        facets: bool = False,
        explain: bool = False,
    ) -> SearchResults:
        """Ranked passages for ``query``, best first, with highlights.

        - ``limit``/``offset``: the page of hits to return (``results.total`` counts all);
        - ``per_article``: at most this many passages of one article (None: no cap);
        - ``expand``: also search the other form of acronyms and long forms;
        - ``fuzzy``: tolerate a typo or two in every word (``word~`` does it for one word);
        - ``sources``, ``since``/``until`` (``2022``, ``2022-03``, ``2022-03-23``), ``doc_ids``:
          filters; ``facets``: count matching articles per source and year;
        - ``explain``: each hit lists its matched terms and their scores.

        >>> index.search("RAN PE Banten", limit=1).hits[0].title   # doctest: +SKIP
        'Pemprov Banten dan Masyarakat Sipil Perkuat Pencegahan dan Penanggulangan Terorisme'
        """
        request = SearchRequest(
            query=query,
            limit=limit,
            offset=offset,
            per_article=per_article,
            fuzzy=fuzzy,
            sources=tuple(sources),
            since=since,
            until=until,
            doc_ids=tuple(doc_ids),
            facets=facets,
            explain=explain,
        )
        searcher = self.searcher()
        return searcher.search(request, self.acronyms() if expand else None)

    def counts(self) -> tuple[int, int]:
        """(articles, passages) in the index."""
        with self._ix.searcher() as searcher:
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
            analyzer_version=ANALYZER_VERSION,
            analyzer=(
                "Unicode words, reduplication folded | lowercase | "
                f"{len(compounds())} joined compounds | Tala stopwords ({len(stopwords())}) | "
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


def _new_indexname() -> str:
    return f"passages{secrets.token_hex(4)}"


@contextmanager
def _write_lock(path: Path) -> Iterator[None]:
    """The index-wide write lock: one writer at a time, waiting at most ``_LOCK_TIMEOUT`` s.

    It is an OS file lock (``flock``), so the kernel releases it when a writer dies: a
    killed ``bnptsearch index`` leaves no stale lock behind.
    """
    lock = FileStorage(str(path)).lock(_LOCK_NAME)
    deadline = time.monotonic() + _LOCK_TIMEOUT
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise IndexLockedError(
                f"index at {path} is being written by another process (waited {_LOCK_TIMEOUT:.0f} s); try again later"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()
