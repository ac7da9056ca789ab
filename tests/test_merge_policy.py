"""A commit merges only segments of about its own size: Whoosh's MERGE_SMALL, left alone,
merged every segment of a 1M-passage index at the tenth `bnptsearch add` (minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bnptsearch import Index, whoosh_compat
from bnptsearch.corpus import content_hash, read_file
from bnptsearch.update import _Addition, _write_in_batches
from bnptsearch.whoosh_compat import SegmentWriter, segment_key

SENTENCE = "Densus 88 menangkap terduga teroris nomor {n} di Bekasi pada hari {d}, kata polisi setempat."


def _article(folder: Path, n: int, sentences: int) -> Path:
    file = folder / f"{n:03d}_artikel.txt"
    text = " ".join(SENTENCE.format(n=n, d=d) for d in range(sentences))
    file.write_text(f"Penangkapan nomor {n}\n\nJakarta – {text}\n", encoding="utf-8")
    return file


def _segments(index: Index) -> set[str]:
    return {segment_key(leaf)[0] for leaf, _ in index.searcher().whoosh.reader().leaf_readers()}


@pytest.mark.parametrize("floor", [1, 10**9])
def test_a_small_commit_leaves_larger_segments_alone(tmp_path: Path, monkeypatch, floor: int) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with Index.open(tmp_path / "index", create=True) as index:
        for n in range(7):  # seven segments of one long article each, committed unmerged
            article = read_file(_article(corpus, n, 40)).articles[0]
            additions = iter([_Addition(article, content_hash(article.body.encode()), False)])
            _write_in_batches(lambda: SegmentWriter(index._ix, index._record), lambda w: w.commit(merge=False), additions)
        before = _segments(index)
        assert len(before) == 7
        monkeypatch.setattr(whoosh_compat, "MERGE_FLOOR_DOCS", floor)
        index.add([_article(tmp_path, 99, 1)])  # one short article: a commit of few documents
        after = _segments(index)
        if floor == 1:
            assert before <= after, "segments larger than the commit's bound are not merged"
        else:  # the bound above every segment: Whoosh's MERGE_SMALL merges them (six of seven)
            assert len(before - after) > 1
        assert index.counts()[0] == 8
