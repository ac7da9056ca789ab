"""A long-lived Index following another process's commits: it keeps the readers (and the
numpy lengths and mined acronyms) of segments a commit did not change, and sees every
addition and deletion."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bnptsearch import Index
from bnptsearch.search import Searcher
from bnptsearch.update import _Addition, _write_in_batches
from bnptsearch.whoosh_compat import SegmentWriter, refreshed_searcher, segment_key

from .test_index import NEW_ARTICLE, _doc_ids


def _leaves(index: Index) -> dict[tuple[str, int], object]:
    return {segment_key(leaf): leaf for leaf, _ in index.searcher().whoosh.reader().leaf_readers()}


def _commit_unmerged(index_dir: Path, corpus: Path) -> None:
    """Adds the new article as its own segment, the others left as they are."""
    from bnptsearch.corpus import content_hash, read_file

    file = corpus / "100_bekasi.txt"
    file.write_text(NEW_ARTICLE, encoding="utf-8")
    article = read_file(file).articles[0]
    with Index.open(index_dir) as writer:
        # main's streaming shape (additions an iterator); the commit records its checksums as every commit must.
        additions = iter([_Addition(article, content_hash(file.read_bytes()), False)])
        _write_in_batches(lambda: SegmentWriter(writer._ix, writer._record), lambda w: w.commit(merge=False), additions)


def _missing_once(real: Callable[..., object], name: str, before: Callable[[], None] = lambda: None):
    """(``real`` whose first call finds the TOC ``name`` gone, after ``before``, a list of
    its calls: "missing", then "called" for each passed on to ``real``)."""
    calls: list[str] = []

    def wrapper(*args: object, **kwargs: object) -> object:
        if not calls:
            calls.append("missing")
            before()
            raise FileNotFoundError(2, "No such file or directory", name)
        calls.append("called")
        return real(*args, **kwargs)

    return wrapper, calls


def test_unchanged_segments_keep_their_readers(corpus_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    reader, _ = Index.build(corpus_copy, index_dir)
    with reader:
        before = _leaves(reader)
        assert len(before) == 1
        _commit_unmerged(index_dir, corpus_copy)
        after = _leaves(reader)
        assert len(after) == 2
        (key,) = before
        assert after[key] is before[key], "the unchanged segment's reader is reused"
        assert _doc_ids(reader, "Bekasi") == {"100_bekasi"}
        assert "100_bekasi" in {hit.doc_id for hit in reader.search("Bekasi").hits}


def test_a_segment_with_new_deletions_is_read_again(corpus_copy: Path, tmp_path: Path) -> None:
    # Whoosh's Searcher.refresh() reuses a reader by segment id alone, and that reader keeps
    # reporting the documents deleted since; refreshed_searcher must not.
    index_dir = tmp_path / "index"
    reader, _ = Index.build(corpus_copy, index_dir)
    with reader:
        assert "004_712c4dcd13143a1e" in _doc_ids(reader, "Banten")
        before = _leaves(reader)
        with Index.open(index_dir) as writer:
            writer.remove(["004_712c4dcd13143a1e"])
        assert "004_712c4dcd13143a1e" not in _doc_ids(reader, "Banten")
        assert not set(_leaves(reader)) & set(before)
        assert reader.counts() == (4, reader.counts()[1])


def test_refreshed_searcher_matches_a_fresh_one(corpus_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    reader, _ = Index.build(corpus_copy, index_dir)
    with reader:
        old = reader.searcher().whoosh
        _commit_unmerged(index_dir, corpus_copy)
        refreshed = refreshed_searcher(reader._ix, old)
        fresh = reader._ix.searcher()
        try:
            assert refreshed.up_to_date()
            assert refreshed.doc_count() == fresh.doc_count()
            assert refreshed.reader().generation() == fresh.reader().generation()
            assert list(refreshed.lexicon("text")) == list(fresh.lexicon("text"))
        finally:
            fresh.close()
            refreshed.close()
        reader._searcher = None  # closed above


def test_a_toc_deleted_by_a_commit_while_refreshing_is_not_an_error(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    # A commit deletes the TOC before it: the one a reader listed may be gone when it reads
    # it (a FileNotFoundError on a .toc failed test_integrity's readers under a writer once).
    index_dir = tmp_path / "index"
    reader, _ = Index.build(corpus_copy, index_dir)
    with reader:
        old = reader.searcher().whoosh
        _commit_unmerged(index_dir, corpus_copy)
        deleted_once, calls = _missing_once(reader._ix._read_toc, "_passages_2.toc")
        monkeypatch.setattr(reader._ix, "_read_toc", deleted_once)
        refreshed = refreshed_searcher(reader._ix, old)
        try:
            assert len(calls) > 1 and refreshed.doc_count() == reader._ix.doc_count_all()
        finally:
            refreshed.close()
        reader._searcher = None  # closed above


def test_an_open_that_a_commit_overtakes_opens_the_new_generation(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    # Whoosh lists the TOCs and opens the latest; a commit in between deletes it (this
    # failed test_integrity's fresh opens under a writer once, as IndexOutdatedError).
    from bnptsearch import store

    index_dir = tmp_path / "index"
    built, _ = Index.build(corpus_copy, index_dir)
    with built:
        articles = built.counts()[0]
    # The commit opens the index through the patched open_dir too; then the TOC is gone.
    overtaken, calls = _missing_once(
        store.whoosh_index.open_dir, "_passages_1.toc", before=lambda: _commit_unmerged(index_dir, corpus_copy)
    )
    monkeypatch.setattr(store.whoosh_index, "open_dir", overtaken)
    with Index.open(index_dir) as index:
        assert calls == ["missing", "called", "called"] and index.counts()[0] == articles + 1


def test_an_open_whose_latest_toc_is_missing_is_still_an_error(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    from bnptsearch import store
    from bnptsearch.errors import BnptSearchError

    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()

    def missing(*args, **kwargs) -> object:
        raise FileNotFoundError(2, "No such file or directory", "_passages_1.toc")

    monkeypatch.setattr(store.whoosh_index, "open_dir", missing)
    with pytest.raises(BnptSearchError, match="_passages_1.toc"):
        Index.open(index_dir)


def test_collection_stats_reuse_lengths_across_refreshes(corpus_copy: Path, tmp_path: Path) -> None:
    from bnptsearch.vectorized import CollectionStats

    def all_lengths(stats: CollectionStats, searcher: Searcher) -> list[float]:
        return [length for leaf, _ in searcher.whoosh.reader().leaf_readers() for length in stats.leaf_lengths(leaf, "text")]

    index_dir = tmp_path / "index"
    Index.build(corpus_copy, index_dir)[0].close()
    with Index.open(index_dir) as index:
        searcher = Searcher(index._ix.searcher())
        shared: dict = {}
        first = all_lengths(CollectionStats(searcher.whoosh, shared), searcher)
        assert len(shared) == 1
        kept = next(iter(shared.values()))
        _commit_unmerged(index_dir, corpus_copy)
        searcher.refresh(index._ix)
        second = all_lengths(CollectionStats(searcher.whoosh, shared), searcher)
        fresh = all_lengths(CollectionStats(searcher.whoosh), searcher)
        assert second == fresh and second[: len(first)] == first and len(second) > len(first)
        assert len(shared) == 2 and any(value is kept for value in shared.values())  # not decoded again
        # Optimizing merges both into a new segment: their entries go.
        old_keys = set(shared)
        SegmentWriter(index._ix).commit(optimize=True)
        searcher.refresh(index._ix)
        merged = all_lengths(CollectionStats(searcher.whoosh, shared), searcher)
        assert len(shared) == 1 and not set(shared) & old_keys
        assert sorted(merged) == sorted(second)
        searcher.close()
