"""Planning an index update (what to add, replace and delete) and writing it.

An update hashes each corpus file, parses only the files whose hash changed, and
re-indexes only the articles whose content changed. What is indexed is read back from the
article documents' columns (:func:`_indexed_articles`), compared with the files
(:func:`_plan_files`) into :class:`_Changes`, and written in Whoosh transactions of about
10 s of work each (:func:`_write_in_batches`), so an interrupted update keeps what it
committed and a re-run resumes.

>>> changes = _Changes()                                         # doctest: +SKIP
>>> seen = _plan_files(files, _indexed_articles(searcher), changes, None, len(files))  # doctest: +SKIP
>>> passages = _write_in_batches(lambda: SegmentWriter(ix), lambda w: w.commit(), changes)  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from whoosh.query import Term

from .corpus import Article, CorpusWarning, content_hash, duplicate_id_warning, read_file
from .schema import (
    ARTICLE_ID,
    ARTICLE_KIND,
    CONTENT_HASH,
    DOC_ID,
    FILE_HASH,
    KIND,
    PASSAGE_KIND,
    PATH,
    _article_documents,
)
from .whoosh_compat import abandon

__all__ = ["Progress"]

# Called as work advances with (stage, done, total): stage "reading" counts corpus files,
# "indexing" counts the articles being analyzed and written.
Progress = Callable[[str, int, int], None]

# A file with more new articles than this may be committed in several batches.
_SPLIT_FILE_ARTICLES = 200


@dataclass(frozen=True)
class _Indexed:
    """What the index knows of one article."""

    content_hash: str
    path: str
    file_hash: str


@dataclass(frozen=True)
class _IndexedFile:
    """What the index knows of one corpus file: its hash then, and the articles from it."""

    file_hash: str
    doc_ids: list[str]


@dataclass(frozen=True)
class _Addition:
    """An article to write, the hash of the file it was read from, and whether it replaces
    an indexed version of itself (an update) or is new."""

    article: Article
    file_hash: str
    replaces: bool


@dataclass
class _Changes:
    """The writes one update will make, and its counts."""

    add: list[_Addition] = field(default_factory=list)
    delete: set[str] = field(default_factory=set)
    unchanged: int = 0
    warnings: list[CorpusWarning] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.add or self.delete)

    @property
    def replaced(self) -> int:
        """How many of the additions replace an indexed article."""
        return sum(addition.replaces for addition in self.add)


def _indexed_articles(searcher: Any) -> dict[str, _Indexed]:
    """Every indexed article's hash and file, read from columns (no stored-field loads)."""
    reader = searcher.reader()
    if not reader.doc_count_all():
        return {}  # a new, empty index has no columns to read (Whoosh's EmptyReader)
    ids, hashes, paths, file_hashes = (
        reader.column_reader(name) for name in (ARTICLE_ID, CONTENT_HASH, PATH, FILE_HASH)
    )
    return {
        ids[docnum]: _Indexed(hashes[docnum], paths[docnum], file_hashes[docnum])
        for docnum in searcher.docs_for_query(Term(KIND, ARTICLE_KIND))
    }


def _plan_files(
    files: Iterable[Path], indexed: dict[str, _Indexed], changes: _Changes, progress: Progress | None, total: int
) -> set[str]:
    """Compares ``files`` with what is indexed, filling ``changes``; returns the ids seen.

    A file whose bytes hash as before is not even read further. Of a changed JSONL file,
    only the records whose own content hash changed are parsed and re-indexed. (The others
    keep the file's previous hash, so that file is re-read next time, skipping them again.)
    """
    by_path: dict[str, _IndexedFile] = {}
    for doc_id, known in indexed.items():
        entry = by_path.setdefault(known.path, _IndexedFile(known.file_hash, []))
        if known.file_hash and not entry.file_hash:
            # Articles of a large file written before its last carry no file hash
            # (_write_in_batches): the file is known at the hash its last article carries.
            entry = by_path[known.path] = _IndexedFile(known.file_hash, entry.doc_ids)
        entry.doc_ids.append(doc_id)
    seen: dict[str, str] = {}
    for done, file in enumerate(files, 1):
        key = str(file.resolve())
        known_file = by_path.get(key)
        file_hash = _hash_or_known(file, known_file, changes)
        if file_hash is None:
            continue
        if known_file and known_file.file_hash == file_hash:
            for doc_id in known_file.doc_ids:
                seen.setdefault(doc_id, key)
            changes.unchanged += len(known_file.doc_ids)
        else:
            # Records whose own hash is indexed from this file are not parsed again.
            known_hashes = {indexed[doc_id].content_hash: doc_id for doc_id in known_file.doc_ids} if known_file else {}
            load = read_file(file, known_hashes)
            changes.warnings.extend(load.warnings)
            for doc_id in load.unchanged:
                seen.setdefault(doc_id, key)
            changes.unchanged += len(load.unchanged)
            for article in load.articles:
                article = _with_path(article, key)
                if article.doc_id in seen:
                    changes.warnings.append(duplicate_id_warning(str(file), article.doc_id, seen[article.doc_id]))
                    continue
                seen[article.doc_id] = key
                changes.add.append(_Addition(article, file_hash, article.doc_id in indexed))
        if progress:
            progress("reading", done, total)
    return set(seen)


def _hash_or_known(file: Path, known_file: _IndexedFile | None, changes: _Changes) -> str | None:
    """The hash of ``file``'s bytes. If it cannot be read, a warning, and the hash it was
    indexed with (so what is indexed of it is kept), or None if nothing is."""
    try:
        return content_hash(file.read_bytes())
    except OSError as error:
        # Unreadable for now (permissions, a file being copied): what is indexed of it
        # stays, rather than being deleted as if the file were gone.
        kept = "; its indexed articles are kept" if known_file else ""
        changes.warnings.append(CorpusWarning(str(file), f"cannot read file: {error.strerror or error}{kept}"))
        return known_file.file_hash if known_file else None


def _with_path(article: Article, path: str) -> Article:
    """``article`` as read from ``path`` (the resolved path the index compares by)."""
    return article if article.path == path else replace(article, path=path)


def _write_in_batches(
    new_writer: Callable[[], Any],
    commit: Callable[[Any], None],
    changes: _Changes,
    progress: Progress | None = None,
    batch_seconds: float = 10.0,
) -> int:
    """Applies ``changes`` in transactions of about ``batch_seconds`` of work each, so an
    update stopped half-way (Ctrl-C, a full disk) keeps the batches it committed and a re-run
    finds those articles indexed. Each article (with the deletion of its old version) is in
    one batch; the deletions of removed articles are in the first. A batch that fails is
    cancelled: the index holds the batches before it. Returns the passages written.

    An update skips a file whose hash an indexed article of it carries, so a batch ends
    where a file ends; only a file of more than ``_SPLIT_FILE_ARTICLES`` new articles is
    split, and then all but its last article are written without the file's hash, so that
    the file counts as indexed once its last article is (until then a re-run reads it
    again, skipping the articles already indexed).

    >>> _write_in_batches(lambda: SegmentWriter(ix), lambda w: w.commit(), changes)   # doctest: +SKIP
    320
    """
    per_file = Counter(addition.article.path for addition in changes.add)
    writer = new_writer()
    try:
        for doc_id in changes.delete:
            _delete_article(writer, doc_id)
        passages = 0
        started = time.monotonic()
        for done, addition in enumerate(changes.add, 1):
            path = addition.article.path
            following = changes.add[done].article.path if done < len(changes.add) else None
            large = per_file[path] > _SPLIT_FILE_ARTICLES
            last_of_file = following != path
            passages += _write_addition(writer, addition, addition.file_hash if last_of_file or not large else "")
            if progress:
                progress("indexing", done, len(changes.add))
            if following and (last_of_file or large) and time.monotonic() - started > batch_seconds:
                commit(writer)
                writer = new_writer()
                started = time.monotonic()
        commit(writer)
    except BaseException:
        abandon(writer)
        raise
    return passages


def _write_addition(writer: Any, addition: _Addition, file_hash: str) -> int:
    """Writes one article (replacing its indexed version) with ``file_hash`` recorded as
    its file's; returns its passages."""
    if addition.replaces:
        _delete_article(writer, addition.article.doc_id)
    passages = 0
    for document in _article_documents(addition.article, file_hash):
        writer.add_document(**document)
        passages += document[KIND] == PASSAGE_KIND
    return passages


def _delete_article(writer: Any, doc_id: str) -> None:
    """Deletes the article's own document and its passages."""
    writer.delete_by_term(ARTICLE_ID, doc_id)
    writer.delete_by_term(DOC_ID, doc_id)
